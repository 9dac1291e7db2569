import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type express from 'express';
import type { Redactor } from '../evidence/Redactor';

/** The request header that carries a correlation id in, and out on the answer. */
export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * What a caller's correlation id may look like: a UUID, a W3C trace id, or any other short id of
 * letters, digits and `._:-`. Anything else (spaces, control characters, a 4 KB blob) is replaced.
 */
const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

const context = new AsyncLocalStorage<{ correlationId: string }>();

/** The correlation id of the request (or scheduled run) this code runs for, if any. */
export function currentCorrelationId(): string | undefined {
  return context.getStore()?.correlationId;
}

/** Runs `fn` under `correlationId` (a fresh one if none is given): what it logs, audits and sends carries it. */
export function withCorrelationId<T>(fn: () => T, correlationId: string = randomUUID()): T {
  return context.run({ correlationId }, fn);
}

/**
 * The caller's id when it is well formed and holds nothing the Redactor takes for a secret (a
 * pasted token must not be copied into logs, audit rows and notifications); else a new UUID.
 */
export async function acceptedCorrelationId(
  header: string | string[] | undefined,
  redactor: Pick<Redactor, 'text'>,
): Promise<string> {
  if (typeof header === 'string' && WELL_FORMED.test(header)) {
    const seen = await redactor.text(header);
    if (seen.redactions === 0) return header;
  }
  return randomUUID();
}

/**
 * Middleware, in two steps around the body parsers: `decide` settles the request's correlation id
 * and echoes it on the answer (so a refused body's 413 carries it too); `enter` runs the rest of
 * the request under it. Entering before the parsers would not hold: their stream callbacks run
 * outside the request's async context.
 */
export function correlationMiddleware(redactor: Pick<Redactor, 'text'>): {
  decide: express.RequestHandler;
  enter: express.RequestHandler;
} {
  return {
    decide: (req, res, next) => {
      acceptedCorrelationId(req.headers[CORRELATION_HEADER], redactor).then(correlationId => {
        res.locals.correlationId = correlationId;
        res.setHeader(CORRELATION_HEADER, correlationId);
        next();
      }, next);
    },
    enter: (_req, res, next) => {
      const correlationId = res.locals.correlationId ?? randomUUID();
      context.run({ correlationId }, () => next());
    },
  };
}
