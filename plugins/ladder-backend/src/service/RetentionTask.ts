import type { LoggerService } from '@backstage/backend-plugin-api';
import type { LadderStore } from '../database/LadderStore';

/** Idempotency-Key records answer retries for this long (a client retries within minutes). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** Default `ladder.evidence.contentRetention`: 90 days. */
export const DEFAULT_CONTENT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
/** Evidence items expired per transaction batch; a run goes on until none is left. */
const BATCH = 100;
/** A run stops after this many batches, so one run is bounded; the next run continues. */
const MAX_BATCHES = 50;

/**
 * One run of the global retention task: deletes Idempotency-Key records older than 24 hours and
 * removes the content of evidence older than the retention (each removal audited, digest and
 * summary kept). Idempotent: running it twice expires nothing twice. A database error ends this
 * run (logged) and never the schedule: the next run starts over.
 */
export async function runRetention(deps: {
  store: LadderStore;
  logger: LoggerService;
  contentRetentionMs: number;
  now?: () => Date;
}): Promise<{ idempotencyKeys: number; evidence: number }> {
  const now = (deps.now ?? (() => new Date()))().getTime();
  let idempotencyKeys = 0;
  let evidence = 0;
  try {
    idempotencyKeys = await deps.store.deleteIdempotencyKeys({
      createdBefore: new Date(now - IDEMPOTENCY_KEY_TTL_MS).toISOString(),
    });
    const createdBefore = new Date(now - deps.contentRetentionMs).toISOString();
    for (let i = 0; i < MAX_BATCHES; i++) {
      const expired = await deps.store.expireEvidenceContent({
        createdBefore,
        limit: BATCH,
      });
      evidence += expired;
      if (expired < BATCH) break;
    }
  } catch (error) {
    deps.logger.warn(
      `ladder retention run failed, the next run retries: ${error}`,
    );
  }
  if (idempotencyKeys || evidence) {
    deps.logger.info(
      `ladder retention: removed ${idempotencyKeys} idempotency key(s) older than 24 h and the content of ${evidence} evidence item(s)`,
    );
  }
  return { idempotencyKeys, evidence };
}
