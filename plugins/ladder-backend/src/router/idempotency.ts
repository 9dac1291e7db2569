import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import type { Request } from 'express';
import { ConflictError, InputError } from '@backstage/errors';
import { IDEMPOTENCY_KEY_HEADER } from '@khal/plugin-ladder-common';
import type { IdempotencyClaim, LadderStore } from '../database/LadderStore';
import type { Caller } from '../service/Caller';
import { UnprocessableEntityError } from './httpErrors';

/**
 * A reservation that never completed and was never linked is abandoned after this long (its
 * process died before changing anything): the key may then be used again. Longer than any request
 * can run (gates are bounded by ladder.gateTimeoutMs, the scheduled re-check by 5 minutes).
 */
export const ABANDONED_RESERVATION_MS = 10 * 60 * 1000;

export interface IdempotentResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * Runs a create or approve once per caller and `Idempotency-Key`: the same key with the same
 * body returns the first result; the same key with another body is a 422. Keys are scoped by
 * caller, so two people can never collide or read each other's results.
 *
 * A process can die between the change and the stored result (killed mid-request). The change's
 * own transaction therefore links the key to the promotion it changed, and a retry of a linked
 * key answers with that promotion (`resume`) instead of doing the change again or waiting forever.
 */
export async function idempotent<T>(options: {
  req: Pick<Request, 'header'>;
  store: LadderStore;
  caller: Caller;
  operation: string;
  body: unknown;
  run: (claim?: IdempotencyClaim) => Promise<{ status: number; body: T }>;
  /** The first result, rebuilt from the promotion a reservation was linked to. */
  resume: (promotionId: string) => Promise<{ status: number; body: T }>;
}): Promise<IdempotentResult<T>> {
  const key = options.req.header(IDEMPOTENCY_KEY_HEADER);
  if (key === undefined) return { ...(await options.run()), replayed: false };
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new InputError('the Idempotency-Key header must be 1 to 255 visible ASCII characters (e.g. a UUID)');
  }
  const id = { scope: options.caller.actor, operation: options.operation, key };
  const requestHash = createHash('sha256').update(stableStringify(options.body ?? null)).digest('hex');
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await options.store.getIdempotencyKey(id);
    if (existing) {
      if (existing.requestHash !== requestHash) {
        throw new UnprocessableEntityError(
          `Idempotency-Key "${key}" was already used for a different ${options.operation} request; use a new key for a new request`,
        );
      }
      if (existing.statusCode === null) {
        const linked = (existing.response as { promotionId?: unknown } | null)?.promotionId;
        if (typeof linked === 'string') {
          const result = await options.resume(linked);
          await options.store.completeIdempotencyKey({ ...id, statusCode: result.status, response: result.body });
          return { ...result, replayed: true };
        }
        if (Date.now() - Date.parse(existing.createdAt) > ABANDONED_RESERVATION_MS) {
          await options.store.releaseIdempotencyKey(id);
          continue;
        }
        throw new ConflictError(
          `a request with Idempotency-Key "${key}" is still being processed; retry shortly (if that request was lost, the key is freed ${
            ABANDONED_RESERVATION_MS / 60000
          } minutes after it began: check the promotion, then retry or use a new key)`,
        );
      }
      return { status: existing.statusCode, body: existing.response as T, replayed: true };
    }
    if (await options.store.reserveIdempotencyKey({ ...id, requestHash })) {
      try {
        const result = await options.run(id);
        await options.store.completeIdempotencyKey({ ...id, statusCode: result.status, response: result.body });
        return { ...result, replayed: false };
      } catch (error) {
        await options.store.releaseIdempotencyKey(id);
        throw error;
      }
    }
  }
  throw new ConflictError(`a request with Idempotency-Key "${key}" is still being processed; retry shortly`);
}
