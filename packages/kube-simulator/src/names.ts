/*
 * Generated names and identifiers, shaped like the ones Kubernetes produces
 * (pod-template-hash, pod name suffixes, uids, IPs). Deterministic where a
 * stable demo is worth it.
 */
import { createHash, randomUUID } from 'node:crypto';
import fastStableStringify from 'fast-json-stable-stringify';

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function digest(input: string): Buffer {
  return createHash('sha256').update(input).digest();
}

/** Encodes bytes of a digest with the safe alphabet. */
function safeEncode(input: string, length: number): string {
  const bytes = digest(input);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += SAFE_ALPHABET[bytes[i] % SAFE_ALPHABET.length];
  }
  return out;
}

/** Orders strings by code unit (locale independent). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Stable JSON (sorted keys, undefined members left out), so equal templates hash equally. */
export function stableStringify(value: unknown): string {
  return fastStableStringify(value);
}

/** A pod-template-hash label value for a pod template (10 chars, like Kubernetes). */
export function podTemplateHash(template: unknown): string {
  return safeEncode(stableStringify(template), 10);
}

/** A pod name suffix (5 chars), deterministic in its seed. */
export function podSuffix(seed: string): string {
  return safeEncode(`pod:${seed}`, 5);
}

/** A random uid (RFC 4122 v4). */
export function newUid(): string {
  return randomUUID();
}

/** A deterministic IPv4 address inside a prefix like "10.244", derived from a seed. */
export function fakeIp(prefix: string, seed: string): string {
  const bytes = digest(`ip:${seed}`);
  return `${prefix}.${bytes[0]}.${(bytes[1] % 253) + 1}`;
}

/** A fake, clearly simulated container image digest for a seed. */
export function fakeDigest(seed: string): string {
  return `sha256:${digest(`image:${seed}`).toString('hex')}`;
}

/** A fake container id. */
export function fakeContainerId(seed: string): string {
  return `containerd://${digest(`ctr:${seed}`).toString('hex')}`;
}

/** A small deterministic integer in [0, modulo) derived from a seed. */
export function seededInt(seed: string, modulo: number): number {
  return digest(`int:${seed}`).readUInt32BE(0) % modulo;
}
