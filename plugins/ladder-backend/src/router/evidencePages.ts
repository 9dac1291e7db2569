import { InputError } from '@backstage/errors';
import { EVIDENCE_PREVIEW_CHARS, Evidence } from '@khal/plugin-ladder-common';

/**
 * `GET /evidence` pages: newest first, keyset cursors (createdAt and id of the last item), and
 * each item's content cut to a preview so a page stays small whatever was pushed; the whole
 * item is at `GET /evidence/{id}`.
 */

export function encodeEvidenceCursor(last: Evidence): string {
  return Buffer.from(
    JSON.stringify([last.createdAt, last.id]),
    'utf8',
  ).toString('base64url');
}

export function decodeEvidenceCursor(cursor: string): {
  createdAt: string;
  id: string;
} {
  try {
    const [createdAt, id] = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    );
    if (
      typeof createdAt === 'string' &&
      typeof id === 'string' &&
      createdAt.length <= 32 &&
      id.length <= 36
    ) {
      return { createdAt, id };
    }
  } catch {
    // answered below
  }
  throw new InputError(
    'cursor is not one this API gave out; pass the nextCursor of the previous page, or leave it out for the first page',
  );
}

/** The item as a list shows it: at most EVIDENCE_PREVIEW_CHARS of content. */
export function evidencePreview(e: Evidence): Evidence {
  if (e.content === undefined || e.content.length <= EVIDENCE_PREVIEW_CHARS)
    return e;
  return {
    ...e,
    content: e.content.slice(0, EVIDENCE_PREVIEW_CHARS),
    contentTruncated: true,
  };
}
