import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  BadCommit,
  LinePause,
  LinePauseScope,
} from '@khal/plugin-ladder-common';
import type { HoldTarget, Holds } from '../policy/holds';
import { auditRow, now } from './auditRows';

/*
 * The tables of release policy held as state (migration 202612031130_releasePolicy): pauses and
 * bad commits. Functions take a knex (the store's or a transaction's) so the engine can read the
 * holds inside the transaction of the step they guard.
 */

const PAUSES = 'ladder_pauses';
const BAD_COMMITS = 'ladder_bad_commits';
const PROMOTIONS = 'ladder_promotions';
const AUDIT = 'ladder_audit_events';

/**
 * The audit trail is per entity; a pause of a ladder or rung is recorded under the ladder's own
 * ref, `ladder:<ladder id>` (no catalog entity has the kind "ladder").
 */
export const ladderAuditRef = (ladderId: string) => `ladder:${ladderId}`;

export interface PauseInput {
  scope: LinePauseScope;
  ladderId: string | null;
  rungId: string | null;
  entityRef: string | null;
  reason: string;
  actor: string;
}

const slotOf = (p: Pick<PauseInput, 'scope' | 'ladderId' | 'rungId' | 'entityRef'>) =>
  [p.scope, p.ladderId ?? '', p.rungId ?? '', p.entityRef ?? ''].join('|');

function toPause(row: any): LinePause {
  return {
    id: row.id,
    scope: row.scope,
    ladderId: row.ladder_id ?? null,
    rungId: row.rung_id ?? null,
    entityRef: row.entity_ref ?? null,
    reason: row.reason,
    pausedBy: row.paused_by,
    pausedAt: row.paused_at,
    resumedBy: row.resumed_by ?? null,
    resumedAt: row.resumed_at ?? null,
    resumeReason: row.resume_reason ?? null,
  };
}

function toBadCommit(row: any): BadCommit {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    sha: row.sha,
    reason: row.reason,
    markedBy: row.marked_by,
    markedAt: row.marked_at,
  };
}

/** Pauses in force; with a filter, those over these ladders (ladder or rung scope) or entities. */
export async function listActivePauses(
  db: Knex,
  filter?: { ladderIds?: string[]; entityRefs?: string[] },
): Promise<LinePause[]> {
  const q = db(PAUSES).whereNull('resumed_at');
  if (filter) {
    const ladderIds = filter.ladderIds ?? [];
    const entityRefs = filter.entityRefs ?? [];
    q.where(w => {
      w.where(x => x.whereIn('scope', ['ladder', 'rung']).whereIn('ladder_id', ladderIds))
        .orWhere(x => x.where('scope', 'entity').whereIn('entity_ref', entityRefs));
    });
  }
  return (await q.orderBy('paused_at', 'asc').orderBy('id', 'asc')).map(toPause);
}

export async function getPause(db: Knex, id: string): Promise<LinePause | undefined> {
  const row = await db(PAUSES).where({ id }).first();
  return row ? toPause(row) : undefined;
}

/** The pauses and bad mark that hold a promotion of `target` back, as `db` sees them now. */
export async function holdsOn(db: Knex, target: HoldTarget): Promise<Holds> {
  const pauses = (
    await db(PAUSES)
      .whereNull('resumed_at')
      .where(w => {
        w.where(x => x.where({ scope: 'ladder', ladder_id: target.ladderId }))
          .orWhere(x =>
            x.where({ scope: 'rung', ladder_id: target.ladderId, rung_id: target.rungId }),
          )
          .orWhere(x => x.where({ scope: 'entity', entity_ref: target.entityRef }));
      })
      .orderBy('paused_at', 'asc')
      .orderBy('id', 'asc')
  ).map(toPause);
  const bad = await db(BAD_COMMITS)
    .where({ entity_ref: target.entityRef, sha: target.ref })
    .first();
  return { pauses, ...(bad ? { badCommit: toBadCommit(bad) } : {}) };
}

/**
 * Open promotions get a new version, so a writer that decided on a read from before this
 * transaction fails its version check and decides again, now seeing the hold. On PostgreSQL the
 * update also waits for a transition that locked the row first: a pause racing a claim commits
 * either before the claim (which then sees it) or after it (and the claim came first).
 */
async function bumpOpenPromotions(
  tx: Knex.Transaction,
  where: (q: Knex.QueryBuilder) => void,
): Promise<void> {
  const q = tx(PROMOTIONS).whereNotNull('open_slot');
  where(q);
  await q.update({ version: tx.raw('version + 1') });
}

/** Stops the line: a pause with its audit row; 409 when the same scope is paused already. */
export async function insertPause(tx: Knex.Transaction, input: PauseInput): Promise<LinePause> {
  const slot = slotOf(input);
  const existing = await tx(PAUSES).where({ active_slot: slot }).first();
  if (existing) throw alreadyPaused(toPause(existing));
  const row = {
    id: randomUUID(),
    scope: input.scope,
    ladder_id: input.ladderId,
    rung_id: input.rungId,
    entity_ref: input.entityRef,
    reason: input.reason,
    paused_by: input.actor,
    paused_at: now(),
    active_slot: slot,
  };
  await tx(PAUSES).insert(row);
  await bumpOpenPromotions(tx, q => {
    if (input.scope === 'entity') q.where('entity_ref', input.entityRef!);
    else q.where('ladder_id', input.ladderId!);
    if (input.scope === 'rung') q.where('to_rung', input.rungId!);
  });
  await tx(AUDIT).insert(
    auditRow({
      entityRef: input.entityRef ?? ladderAuditRef(input.ladderId!),
      rungId: input.rungId,
      action: 'line.paused',
      actor: input.actor,
      detail: { pauseId: row.id, scope: input.scope, ladderId: input.ladderId, reason: input.reason },
    }),
  );
  return toPause((await tx(PAUSES).where({ id: row.id }).first())!);
}

/** The 409 of pausing what is paused already. */
export function alreadyPaused(p: LinePause): ConflictError {
  return new ConflictError(
    `already paused by ${p.pausedBy} since ${p.pausedAt}: "${p.reason}" (pause ${p.id}); resume that one first if the reason changed`,
  );
}

/** The slot key of a pause input, to find the pause that won a race for it. */
export async function activePauseOf(
  db: Knex,
  input: Pick<PauseInput, 'scope' | 'ladderId' | 'rungId' | 'entityRef'>,
): Promise<LinePause | undefined> {
  const row = await db(PAUSES).where({ active_slot: slotOf(input) }).first();
  return row ? toPause(row) : undefined;
}

/** Resumes a pause in force, with its audit row; 409 when it was resumed already. */
export async function resumePause(
  tx: Knex.Transaction,
  input: { id: string; actor: string; reason?: string },
): Promise<LinePause> {
  const changed = await tx(PAUSES)
    .where({ id: input.id })
    .whereNull('resumed_at')
    .update({
      resumed_by: input.actor,
      resumed_at: now(),
      resume_reason: input.reason ?? null,
      active_slot: null,
    });
  const pause = await getPause(tx, input.id);
  if (!pause) throw new NotFoundError(`no pause ${input.id}; list the pauses in force with GET /pauses (khal line status)`);
  if (changed === 0) {
    throw new ConflictError(
      `pause ${input.id} was already resumed by ${pause.resumedBy} at ${pause.resumedAt}`,
    );
  }
  await tx(AUDIT).insert(
    auditRow({
      entityRef: pause.entityRef ?? ladderAuditRef(pause.ladderId!),
      rungId: pause.rungId,
      action: 'line.resumed',
      actor: input.actor,
      detail: {
        pauseId: pause.id,
        scope: pause.scope,
        ladderId: pause.ladderId,
        reason: input.reason ?? '',
        pausedBy: pause.pausedBy,
        pausedAt: pause.pausedAt,
      },
    }),
  );
  return pause;
}

/** Marks a commit bad, with its audit row; 409 when it is marked already. */
export async function insertBadCommit(
  tx: Knex.Transaction,
  input: { entityRef: string; sha: string; reason: string; actor: string },
): Promise<BadCommit> {
  const existing = await tx(BAD_COMMITS)
    .where({ entity_ref: input.entityRef, sha: input.sha })
    .first();
  if (existing) throw alreadyBad(toBadCommit(existing));
  const row = {
    id: randomUUID(),
    entity_ref: input.entityRef,
    sha: input.sha,
    reason: input.reason,
    marked_by: input.actor,
    marked_at: now(),
  };
  await tx(BAD_COMMITS).insert(row);
  await bumpOpenPromotions(tx, q => q.where({ entity_ref: input.entityRef, ref: input.sha }));
  await tx(AUDIT).insert(
    auditRow({
      entityRef: input.entityRef,
      ref: input.sha,
      action: 'commit.marked-bad',
      actor: input.actor,
      detail: { badCommitId: row.id, reason: input.reason },
    }),
  );
  return toBadCommit(row);
}

export function alreadyBad(b: BadCommit): ConflictError {
  return new ConflictError(
    `commit ${b.sha} of ${b.entityRef} was already marked bad by ${b.markedBy} at ${b.markedAt}: "${b.reason}"`,
  );
}

export async function getBadCommit(
  db: Knex,
  entityRef: string,
  sha: string,
): Promise<BadCommit | undefined> {
  const row = await db(BAD_COMMITS).where({ entity_ref: entityRef, sha }).first();
  return row ? toBadCommit(row) : undefined;
}

export async function listBadCommits(db: Knex, entityRefs: string[]): Promise<BadCommit[]> {
  if (entityRefs.length === 0) return [];
  const rows = await db(BAD_COMMITS)
    .whereIn('entity_ref', entityRefs)
    .orderBy('marked_at', 'desc');
  return rows.map(toBadCommit);
}

/** The 404 of a bad mark that does not exist (any more). */
export function noBadMark(id: string): NotFoundError {
  return new NotFoundError(
    `no bad mark ${JSON.stringify(id)} (or it was taken back already); list the marks with GET /bad-commits?entityRef=… (khal commit list-bad)`,
  );
}

export async function getBadCommitById(db: Knex, id: string): Promise<BadCommit | undefined> {
  const row = await db(BAD_COMMITS).where({ id }).first();
  return row ? toBadCommit(row) : undefined;
}

/**
 * Takes a bad mark back, with its audit row (which keeps what the mark said, since the mark
 * itself is gone): one conditional delete, so of two people taking it back one wins and the
 * other gets the 404. Promotions the mark ended stay ended.
 */
export async function deleteBadCommit(
  tx: Knex.Transaction,
  input: { id: string; actor: string; reason: string },
): Promise<BadCommit> {
  const mark = await getBadCommitById(tx, input.id);
  const deleted = mark ? await tx(BAD_COMMITS).where({ id: input.id }).delete() : 0;
  if (!mark || deleted === 0) {
    throw noBadMark(input.id);
  }
  await tx(AUDIT).insert(
    auditRow({
      entityRef: mark.entityRef,
      ref: mark.sha,
      action: 'commit.unmarked-bad',
      actor: input.actor,
      detail: {
        badCommitId: mark.id,
        reason: input.reason,
        markedBy: mark.markedBy,
        markedAt: mark.markedAt,
        markReason: mark.reason,
      },
    }),
  );
  return mark;
}
