import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { ConflictError, InputError } from '@backstage/errors';
import { IDEMPOTENCY_KEY_HEADER } from '@khal/plugin-ladder-common';
import type { LadderStore } from '../database/LadderStore';
import type { Caller } from '../service/Caller';
import { UnprocessableEntityError } from './httpErrors';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(k => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export interface IdempotentResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * Runs a create or approve once per caller and `Idempotency-Key`: the same key with the same
 * body returns the first result; the same key with another body is a 422. Keys are scoped by
 * caller, so two people can never collide or read each other's results.
 */
export async function idempotent<T>(options: {
  req: Request;
  store: LadderStore;
  caller: Caller;
  operation: string;
  body: unknown;
  run: () => Promise<{ status: number; body: T }>;
}): Promise<IdempotentResult<T>> {
  const key = options.req.header(IDEMPOTENCY_KEY_HEADER);
  if (key === undefined) return { ...(await options.run()), replayed: false };
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new InputError('the Idempotency-Key header must be 1 to 255 visible ASCII characters (e.g. a UUID)');
  }
  const id = { scope: options.caller.actor, operation: options.operation, key };
  const requestHash = createHash('sha256').update(canonical(options.body)).digest('hex');
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await options.store.getIdempotencyKey(id);
    if (existing) {
      if (existing.requestHash !== requestHash) {
        throw new UnprocessableEntityError(
          `Idempotency-Key "${key}" was already used for a different ${options.operation} request; use a new key for a new request`,
        );
      }
      if (existing.statusCode === null) {
        throw new ConflictError(`a request with Idempotency-Key "${key}" is still being processed; retry shortly`);
      }
      return { status: existing.statusCode, body: existing.response as T, replayed: true };
    }
    if (await options.store.reserveIdempotencyKey({ ...id, requestHash })) {
      try {
        const result = await options.run();
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
