import { InputError } from '@backstage/errors';

/**
 * The `/audit` cursor: the id of the last row of the previous page, opaque to clients. Anything
 * else is refused here, before it reaches the database (PostgreSQL refuses a non-integer id with
 * an error that would otherwise answer 500).
 */
export function decodeAuditCursor(cursor: string): number {
  let beforeId: unknown;
  try {
    beforeId = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))?.beforeId;
  } catch {
    beforeId = undefined;
  }
  if (typeof beforeId !== 'number' || !Number.isSafeInteger(beforeId) || beforeId < 1) {
    throw new InputError('cursor is not one this API returned; start again without it');
  }
  return beforeId;
}

export function encodeAuditCursor(beforeId: number): string {
  return Buffer.from(JSON.stringify({ beforeId }), 'utf8').toString('base64url');
}
