import { z } from 'zod';
import type { KhalAppManifest } from '../manifest';

/**
 * Mirror proof: a mirrored rung runs a copy of the authoritative repository on another host.
 * `khal evidence mirror` records where the copy comes from (upstream and mirror remotes, both
 * SHAs, the host alias) and what it carries (the manifest and env-contract digests); the
 * `mirror-parity` proof check passes only when those digests equal the ones of the same SHA on
 * the rung it mirrors (local). It is a mirror, never the source of truth.
 */

/** The evidence kind `khal evidence mirror` records. */
export const MIRROR_EVIDENCE_KIND = 'mirror';

const sha = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a full commit SHA (40 hex characters)');
const digest = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 digest (64 hex characters)');

/** `data` of mirror evidence. Remote URLs are stored without credentials (they are refused). */
export const mirrorEvidenceDataSchema = z.object({
  exitCode: z.number().int(),
  upstream: z.object({ remote: z.string().min(1), url: z.string().min(1), sha }),
  mirror: z.object({ remote: z.string().min(1), url: z.string().min(1), sha }),
  hostAlias: z.string().min(1),
  manifestDigest: digest,
  envContractDigest: digest,
});
/** @public */
export type MirrorEvidenceData = z.infer<typeof mirrorEvidenceDataSchema>;

/**
 * The env contract of a manifest as canonical text (settings sorted by name, keys sorted): what
 * a mirror must carry unchanged. Hash it with sha256 for the env-contract digest.
 */
export function envContractText(manifest: Pick<KhalAppManifest, 'env'>): string {
  const settings = [...(manifest.env ?? [])]
    .sort((a, b) => a.name.localeCompare(b.name, 'en'))
    .map(s => sortKeys(s as unknown as Record<string, unknown>));
  return JSON.stringify(settings);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map(k => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** What a git remote URL carries that must never be recorded. */
export interface RemoteCredentials {
  /** Credentials found: a password, a token as user name (http/https), or a token in the query. */
  found: boolean;
  /** The URL with any user information and query replaced by `***`, safe to print and store. */
  redacted: string;
}

const SCP_LIKE = /^(?<user>[^@/\s]+)@(?<host>[^:/\s]+):(?<path>.*)$/;

/**
 * Whether a git remote URL carries credentials, and the URL redacted. A user name alone is
 * allowed for ssh (`git@host:org/repo`, `ssh://git@host/…`: the key is elsewhere); on http(s)
 * and other schemes any user information is a credential (tokens travel as the user name).
 */
export function remoteCredentials(url: string): RemoteCredentials {
  const scp = SCP_LIKE.exec(url);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const user = scp.groups!.user;
    const found = user.includes(':');
    return {
      found,
      redacted: found ? `***@${scp.groups!.host}:${scp.groups!.path}` : url,
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // A local path (file remotes, `../mirror.git`): nothing to hide.
    return { found: false, redacted: url };
  }
  const ssh = parsed.protocol === 'ssh:' || parsed.protocol === 'git+ssh:';
  const found =
    Boolean(parsed.password) ||
    (Boolean(parsed.username) && !ssh) ||
    parsed.search.length > 1;
  if (!found) return { found: false, redacted: url };
  const hasUser = Boolean(parsed.username || parsed.password);
  const rest = `${parsed.host}${parsed.pathname}${parsed.search.length > 1 ? '?***' : ''}`;
  return { found: true, redacted: `${parsed.protocol}//${hasUser ? '***@' : ''}${rest}` };
}
