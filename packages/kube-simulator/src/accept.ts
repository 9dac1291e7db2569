/*
 * Content negotiation on the Accept header: full JSON objects, or
 * metadata-only PartialObjectMetadata(List) as requested with
 * `application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`.
 */
import { KubeObject } from './types';

/** The representation chosen for a response. */
export type Representation =
  | { kind: 'full' }
  | { kind: 'metadata'; version: string };

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
  index: number;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part, index) => {
      const [type, ...rawParams] = part.split(';').map(s => s.trim());
      const params: Record<string, string> = {};
      for (const p of rawParams) {
        const eq = p.indexOf('=');
        if (eq > 0)
          params[p.slice(0, eq).trim().toLowerCase()] = p
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, '');
      }
      const q = params.q === undefined ? 1 : Number(params.q);
      return {
        type: type.toLowerCase(),
        params,
        q: Number.isFinite(q) ? q : 0,
        index,
      };
    })
    .filter(r => r.type.length > 0 && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
}

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*']);

/**
 * Picks the representation for a response; undefined when nothing in the
 * Accept header can be served (406). An absent header means full JSON.
 */
export function negotiate(
  accept: string | undefined,
  isList: boolean,
): Representation | undefined {
  if (!accept || !accept.trim()) return { kind: 'full' };
  for (const range of parseAccept(accept)) {
    if (!JSON_TYPES.has(range.type)) continue;
    const as = range.params.as;
    if (!as) return { kind: 'full' };
    const version = range.params.v ?? 'v1';
    const metaGroup =
      range.params.g === 'meta.k8s.io' &&
      (version === 'v1' || version === 'v1beta1');
    if (
      metaGroup &&
      as === (isList ? 'PartialObjectMetadataList' : 'PartialObjectMetadata')
    ) {
      return { kind: 'metadata', version };
    }
  }
  return undefined;
}

/** Whether an Accept header asks for metadata only (for a list or single object). */
export function isMetadataOnly(
  accept: string | undefined,
  isList: boolean,
): boolean {
  return negotiate(accept, isList)?.kind === 'metadata';
}

/** A PartialObjectMetadata for an object. */
export function toPartialObjectMetadata(
  object: KubeObject,
  version: string,
): KubeObject {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: object.metadata,
  };
}

/** A PartialObjectMetadataList for objects. */
export function toPartialObjectMetadataList(
  objects: KubeObject[],
  resourceVersion: string,
  version: string,
): Record<string, unknown> {
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: { resourceVersion },
    items: objects.map(o => toPartialObjectMetadata(o, version)),
  };
}
