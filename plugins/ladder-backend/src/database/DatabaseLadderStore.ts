import { randomUUID } from 'node:crypto';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import type { Approval, PromotionPhase } from '@khal/plugin-ladder-common';
import { isTerminal, nextPhase } from '@khal/plugin-ladder-common';
import type {
  IdempotencyClaim,
  LadderStore,
  LadderStoreTransaction,
} from './LadderStore';
import type {
  AuditInput,
  AuditRecord,
  DriftRecord,
  DriftResolution,
  EvidenceRecord,
  IdempotencyRecord,
  PlacementRecord,
  PromotionRecord,
  ProofStatus,
  StoredGateResult,
} from './records';
import { isUniqueViolation } from './conflicts';
import { auditRow, now } from './auditRows';
import type { BadCommit, LinePause } from '@khal/plugin-ladder-common';
import type { HoldTarget, Holds } from '../policy/holds';
import { holdRefusal } from '../policy/holds';
import {
  PauseInput,
  activePauseOf,
  alreadyBad,
  alreadyPaused,
  deleteBadCommit,
  getBadCommit,
  getBadCommitById,
  getPause,
  holdsOn,
  insertBadCommit,
  insertPause,
  listActivePauses,
  listBadCommits,
  resumePause,
} from './policyTables';

const migrationsDir = resolvePackagePath(
  '@khal/plugin-ladder-backend',
  'migrations',
);

const T = {
  placements: 'ladder_placements',
  promotions: 'ladder_promotions',
  gateResults: 'ladder_gate_results',
  approvals: 'ladder_approvals',
  evidence: 'ladder_evidence',
  audit: 'ladder_audit_events',
  idempotency: 'ladder_idempotency_keys',
  drifts: 'ladder_drifts',
} as const;

/** The audit action that records a ref arriving on a rung; placement history reads it back. */
export const PLACEMENT_AUDIT_ACTION = 'placement.moved';

const openSlot = (entityRef: string, rungId: string) =>
  `${entityRef}|${rungId}`;

function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toPromotion(row: any): PromotionRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    ladderId: row.ladder_id,
    fromRung: row.from_rung ?? null,
    toRung: row.to_rung,
    ref: row.ref,
    kind: row.kind,
    reason: row.reason,
    ...(row.explanation !== null && row.explanation !== undefined
      ? { explanation: row.explanation }
      : {}),
    ...(row.explanation_detail
      ? { explanationDetail: parseJson(row.explanation_detail, undefined) }
      : {}),
    ...(row.requested_ref ? { requestedRef: row.requested_ref } : {}),
    manifestDigest: row.manifest_digest ?? null,
    claim: row.claimed_by
      ? { claimedBy: row.claimed_by, claimedAt: row.claimed_at }
      : null,
    phase: row.phase,
    phaseMessage: row.phase_message,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    phaseEnteredAt: row.phase_entered_at ?? null,
    dueAt: row.due_at ?? null,
    version: Number(row.version),
    ...(row.break_glass_by
      ? {
          breakGlass: {
            reason: row.break_glass_reason,
            by: row.break_glass_by,
            at: row.break_glass_at,
            overridden: parseJson(row.break_glass_overridden, []),
            reviewDueAt: row.break_glass_review_due_at,
            review: row.break_glass_reviewed_by
              ? {
                  by: row.break_glass_reviewed_by,
                  at: row.break_glass_reviewed_at,
                  comment: row.break_glass_review_comment ?? '',
                }
              : null,
          },
        }
      : {}),
  };
}

function toPlacement(row: any): PlacementRecord {
  return {
    entityRef: row.entity_ref,
    ladderId: row.ladder_id,
    rungId: row.rung_id,
    ref: row.ref,
    via: row.via,
    promotionId: row.promotion_id ?? null,
    placedAt: row.placed_at,
    placedBy: row.placed_by,
    proofStatus: row.proof_status ?? null,
    proofCheckedAt: row.proof_checked_at ?? null,
  };
}

function toGateResult(row: any): StoredGateResult {
  const evidenceIds = parseJson<string[] | undefined>(
    row.evidence_ids,
    undefined,
  );
  return {
    promotionId: row.promotion_id ?? null,
    rungId: row.rung_id,
    ref: row.ref,
    mode: row.mode,
    gateId: row.gate_id,
    title: row.title,
    status: row.status,
    summary: row.summary,
    ...(row.how_to_fix ? { howToFix: row.how_to_fix } : {}),
    ...(evidenceIds?.length ? { evidenceIds } : {}),
    ...(row.waiting_for ? { waitingFor: row.waiting_for } : {}),
    checkedAt: row.checked_at,
    ...(row.duration_ms !== null && row.duration_ms !== undefined
      ? { durationMs: Number(row.duration_ms) }
      : {}),
  };
}

function toApproval(row: any): Approval {
  return {
    id: row.id,
    promotionId: row.promotion_id,
    approver: row.approver,
    decision: row.decision,
    comment: row.comment,
    createdAt: row.created_at,
  };
}

function toEvidence(row: any): EvidenceRecord {
  const data = parseJson<Record<string, unknown> | undefined>(
    row.data,
    undefined,
  );
  return {
    id: row.id,
    entityRef: row.entity_ref,
    rungId: row.rung_id,
    ref: row.ref,
    kind: row.kind,
    summary: row.summary,
    ...(row.url ? { url: row.url } : {}),
    ...(row.content !== null && row.content !== undefined ? { content: row.content } : {}),
    ...(row.content_expired_at ? { contentExpiredAt: row.content_expired_at } : {}),
    ...(data ? { data } : {}),
    digest: row.digest,
    sizeBytes: Number(row.size_bytes),
    redactions: Number(row.redactions),
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function toAudit(row: any): AuditRecord {
  return {
    id: String(row.id),
    entityRef: row.entity_ref,
    promotionId: row.promotion_id ?? null,
    action: row.action,
    actor: row.actor,
    fromPhase: row.from_phase ?? null,
    toPhase: row.to_phase ?? null,
    detail: {
      ...(row.rung_id ? { rung: row.rung_id } : {}),
      ...(row.ref ? { ref: row.ref } : {}),
      ...parseJson<Record<string, unknown>>(row.detail, {}),
    },
    createdAt: row.created_at,
    correlationId: row.correlation_id ?? null,
  };
}

function toDrift(row: any): DriftRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    rungId: row.rung_id,
    runningRef: row.running_ref,
    expectedRef: row.expected_ref ?? null,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    notifiedAt: row.notified_at ?? null,
    resolvedAt: row.resolved_at ?? null,
    resolution: row.resolution ?? null,
    resolvedBy: row.resolved_by ?? null,
    resolvedPromotionId: row.resolved_promotion_id ?? null,
  };
}

/** Resolves the open drift of an entity on a rung inside a transaction, with its audit row. */
async function resolveOpenDrift(
  tx: Knex.Transaction,
  options: {
    entityRef: string;
    rungId: string;
    resolution: DriftResolution;
    actor: string;
    promotionId?: string | null;
  },
): Promise<DriftRecord | undefined> {
  const slot = openSlot(options.entityRef, options.rungId);
  const open = await tx(T.drifts).where({ open_slot: slot }).first();
  if (!open) return undefined;
  const at = now();
  const changed = await tx(T.drifts)
    .where({ id: open.id })
    .whereNull('resolved_at')
    .update({
      resolved_at: at,
      resolution: options.resolution,
      resolved_by: options.actor,
      resolved_promotion_id: options.promotionId ?? null,
      open_slot: null,
    });
  if (changed === 0) return undefined;
  await tx(T.audit).insert(
    auditRow({
      entityRef: options.entityRef,
      promotionId: options.promotionId ?? null,
      rungId: options.rungId,
      ref: open.running_ref,
      action: 'drift.resolved',
      actor: options.actor,
      detail: {
        driftId: open.id,
        resolution: options.resolution,
        running: open.running_ref,
        expected: open.expected_ref ?? null,
        since: open.first_seen_at,
      },
    }),
  );
  return toDrift({
    ...open,
    resolved_at: at,
    resolution: options.resolution,
    resolved_by: options.actor,
    resolved_promotion_id: options.promotionId ?? null,
  });
}

/** Phases a newer request may end: nothing has touched the rung yet. */
const SUPERSEDABLE: ReadonlySet<PromotionPhase> = new Set([
  'Checking',
  'Blocked',
  'AwaitingApproval',
  'Approved',
]);

/**
 * Ends the open promotion `open` because a newer one (`by`) is requested for the same entity and
 * rung: a version-checked transition with its audit row, in the caller's transaction. Refuses
 * (409) a request of the same commit and kind (act on the open one) and one that a deploy claimed.
 */
async function supersede(
  tx: Knex.Transaction,
  open: PromotionRecord,
  by: { id: string; ref: string; kind: string },
  actor: string,
): Promise<PromotionRecord> {
  if (open.ref === by.ref && open.kind === by.kind) {
    throw new ConflictError(
      `${open.entityRef} already has an open ${open.kind} of ${open.ref} to ${open.toRung} (${open.id}, "${open.phase}"); act on that one, or cancel it first`,
    );
  }
  const next = nextPhase(open.phase, 'supersede');
  if (!SUPERSEDABLE.has(open.phase) || !next.ok) {
    throw new ConflictError(
      `${open.entityRef} already has an open promotion to ${open.toRung} (${open.id}, ${open.ref}, "${open.phase}") that a deploy is changing the rung for; wait until it finishes`,
    );
  }
  const message = `superseded by ${by.kind} ${by.id} of ${by.ref}: approvals of this one do not carry over`;
  const record = await transition(tx, {
    id: open.id,
    from: open.phase,
    fromVersion: open.version,
    to: next.phase,
    message,
  });
  await tx(T.audit).insert(
    auditRow({
      entityRef: open.entityRef,
      promotionId: open.id,
      rungId: open.toRung,
      ref: open.ref,
      action: `${open.kind}.supersede`,
      actor,
      fromPhase: open.phase,
      toPhase: next.phase,
      detail: {
        message,
        supersededBy: by.id,
        newRef: by.ref,
        version: record.version,
      },
    }),
  );
  return record;
}


/** Links a reserved idempotency key to the promotion its request changed, in that change's transaction. */
async function linkIdempotencyKey(
  tx: Knex.Transaction,
  claim: IdempotencyClaim,
  promotionId: string,
) {
  await tx(T.idempotency)
    .where({ scope: claim.scope, operation: claim.operation, key: claim.key })
    .whereNull('status_code')
    .update({ response: JSON.stringify({ promotionId }) });
}

/** Thrown when the version a writer read is no longer current; the engine retries with a fresh read. */
export class StaleVersionError extends ConflictError {}

/**
 * The one conditional update every phase change is: `WHERE id = ? AND phase = ? AND version = ?`.
 * Zero rows changed is a StaleVersionError (a ConflictError), never a silent overwrite.
 */
async function transition(
  tx: Knex.Transaction,
  options: Parameters<LadderStoreTransaction['transitionPromotion']>[0],
): Promise<PromotionRecord> {
  const at = now();
  const changed = await tx(T.promotions)
    .where({
      id: options.id,
      phase: options.from,
      version: options.fromVersion,
    })
    .update({
      phase: options.to,
      phase_message: options.message,
      updated_at: at,
      ...(options.to !== options.from ? { phase_entered_at: at } : {}),
      version: tx.raw('version + 1'),
      ...(isTerminal(options.to) ? { open_slot: null } : {}),
      ...(options.claimedBy
        ? { claimed_by: options.claimedBy, claimed_at: at }
        : {}),
      ...(options.dueAt !== undefined ? { due_at: options.dueAt } : {}),
      ...(isTerminal(options.to) ? { due_at: null } : {}),
      ...(options.breakGlass
        ? {
            break_glass_reason: options.breakGlass.reason,
            break_glass_by: options.breakGlass.by,
            break_glass_at: at,
            break_glass_overridden: JSON.stringify(options.breakGlass.overridden),
            break_glass_review_due_at: options.breakGlass.reviewDueAt,
          }
        : {}),
    });
  if (changed === 0) {
    const current = await tx(T.promotions).where({ id: options.id }).first();
    throw new StaleVersionError(
      current
        ? `promotion ${options.id} changed meanwhile: it is "${current.phase}" (version ${current.version}), not "${options.from}" (version ${options.fromVersion}); reload it and try again`
        : `promotion ${options.id} does not exist`,
    );
  }
  return toPromotion(await tx(T.promotions).where({ id: options.id }).first());
}

class KnexLadderStoreTransaction implements LadderStoreTransaction {
  constructor(private readonly tx: Knex.Transaction) {}

  async transitionPromotion(
    options: Parameters<LadderStoreTransaction['transitionPromotion']>[0],
  ): Promise<PromotionRecord> {
    return transition(this.tx, options);
  }

  async listGateResults(promotionId: string): Promise<StoredGateResult[]> {
    const rows = await this.tx(T.gateResults)
      .where({ promotion_id: promotionId })
      .orderBy(['mode', 'position']);
    return rows.map(toGateResult);
  }

  async deleteApproval(options: { id: string; promotionId: string }) {
    await this.tx(T.approvals)
      .where({ id: options.id, promotion_id: options.promotionId })
      .delete();
  }

  async insertApproval(
    approval: Omit<Approval, 'id' | 'createdAt'>,
  ): Promise<Approval> {
    const record: Approval = {
      ...approval,
      id: randomUUID(),
      createdAt: now(),
    };
    try {
      await this.tx(T.approvals).insert({
        id: record.id,
        promotion_id: record.promotionId,
        approver: record.approver,
        decision: record.decision,
        comment: record.comment,
        created_at: record.createdAt,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          `${approval.approver} already decided on promotion ${approval.promotionId}; one decision per person`,
        );
      }
      throw error;
    }
    return record;
  }

  async listApprovals(promotionId: string): Promise<Approval[]> {
    const rows = await this.tx(T.approvals)
      .where({ promotion_id: promotionId })
      .orderBy(['created_at', 'id']);
    return rows.map(toApproval);
  }

  async replaceGateResults(options: {
    promotionId: string | null;
    entityRef: string;
    rungId: string;
    ref: string;
    mode: StoredGateResult['mode'];
    results: Omit<
      StoredGateResult,
      'promotionId' | 'rungId' | 'ref' | 'mode'
    >[];
  }): Promise<void> {
    const del = this.tx(T.gateResults).where({ mode: options.mode });
    if (options.promotionId) {
      del.andWhere({ promotion_id: options.promotionId });
    } else {
      del
        .andWhere({ entity_ref: options.entityRef, rung_id: options.rungId })
        .whereNull('promotion_id');
    }
    await del.delete();
    if (options.results.length === 0) return;
    await this.tx(T.gateResults).insert(
      options.results.map((r, position) => ({
        promotion_id: options.promotionId,
        entity_ref: options.entityRef,
        rung_id: options.rungId,
        ref: options.ref,
        mode: options.mode,
        position,
        gate_id: r.gateId,
        title: r.title,
        status: r.status,
        summary: r.summary,
        how_to_fix: r.howToFix ?? null,
        evidence_ids: r.evidenceIds?.length
          ? JSON.stringify(r.evidenceIds)
          : null,
        waiting_for: r.waitingFor ?? null,
        checked_at: r.checkedAt,
        duration_ms: r.durationMs ?? null,
      })),
    );
  }

  async upsertPlacement(
    p: Omit<PlacementRecord, 'proofCheckedAt'>,
  ): Promise<void> {
    await this.tx(T.placements)
      .insert({
        entity_ref: p.entityRef,
        rung_id: p.rungId,
        ladder_id: p.ladderId,
        ref: p.ref,
        via: p.via,
        promotion_id: p.promotionId,
        placed_at: p.placedAt,
        placed_by: p.placedBy,
        proof_status: p.proofStatus,
        proof_checked_at: p.proofStatus ? now() : null,
      })
      .onConflict(['entity_ref', 'rung_id'])
      .merge();
  }

  async setProofStatus(options: {
    entityRef: string;
    rungId: string;
    ref: string;
    status: ProofStatus;
  }): Promise<void> {
    await this.tx(T.placements)
      .where({
        entity_ref: options.entityRef,
        rung_id: options.rungId,
        ref: options.ref,
      })
      .update({ proof_status: options.status, proof_checked_at: now() });
  }

  async linkIdempotencyKey(
    claim: IdempotencyClaim,
    promotionId: string,
  ): Promise<void> {
    await linkIdempotencyKey(this.tx, claim, promotionId);
  }

  async insertAudit(event: AuditInput): Promise<void> {
    await this.tx(T.audit).insert(auditRow(event));
  }

  async acknowledgeBreakGlassReview(options: { id: string; by: string; comment: string }) {
    const at = now();
    const changed = await this.tx(T.promotions)
      .where({ id: options.id })
      .whereNotNull('break_glass_by')
      .whereNull('break_glass_reviewed_by')
      .whereNot('break_glass_by', options.by)
      .update({
        break_glass_reviewed_by: options.by,
        break_glass_reviewed_at: at,
        break_glass_review_comment: options.comment,
        updated_at: at,
        version: this.tx.raw('version + 1'),
      });
    if (changed === 0) return undefined;
    return toPromotion(await this.tx(T.promotions).where({ id: options.id }).first());
  }

  async resolveDrift(
    options: Parameters<LadderStoreTransaction['resolveDrift']>[0],
  ) {
    return resolveOpenDrift(this.tx, options);
  }

  async holdsOn(target: HoldTarget): Promise<Holds> {
    return holdsOn(this.tx, target);
  }
}

/** The ladder store on the plugin's database (SQLite or PostgreSQL). */
export class DatabaseLadderStore implements LadderStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseLadderStore> {
    const client = await options.database.getClient();
    if (!options.skipMigrations && !options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseLadderStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async transaction<T>(
    fn: (tx: LadderStoreTransaction) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction(tx => fn(new KnexLadderStoreTransaction(tx)));
  }

  async createPromotion(
    p: Parameters<LadderStore['createPromotion']>[0],
    audit: Parameters<LadderStore['createPromotion']>[1],
    idempotency?: IdempotencyClaim,
  ): Promise<{ promotion: PromotionRecord; superseded?: PromotionRecord }> {
    const id = randomUUID();
    const phase: PromotionPhase = 'Checking';
    const slot = openSlot(p.entityRef, p.toRung);
    // Two requests racing for a free slot: the loser's insert hits the unique index and it tries
    // again, now superseding the winner (the newer request wins, as if they had come in turn).
    for (let attempt = 0; ; attempt++) {
      try {
        const superseded = await this.db.transaction(async tx => {
          // Stop the line and bad commits, decided in the transaction that creates the promotion.
          const refusal = holdRefusal(
            await holdsOn(tx, {
              entityRef: p.entityRef,
              ladderId: p.ladderId,
              rungId: p.toRung,
              ref: p.ref,
            }),
            'requested',
            { entityRef: p.entityRef, ladderId: p.ladderId, rungId: p.toRung, ref: p.ref },
          );
          if (refusal) throw new ConflictError(refusal);
          const open = await tx(T.promotions)
            .where({ open_slot: slot })
            .first();
          let replaced: PromotionRecord | undefined;
          if (open)
            replaced = await supersede(
              tx,
              toPromotion(open),
              { ...p, id },
              audit.actor,
            );
          const at = now();
          await tx(T.promotions).insert({
            id,
            entity_ref: p.entityRef,
            ladder_id: p.ladderId,
            from_rung: p.fromRung,
            to_rung: p.toRung,
            ref: p.ref,
            requested_ref: p.requestedRef ?? null,
            manifest_digest: p.manifestDigest,
            kind: p.kind,
            reason: p.reason,
            explanation: p.explanation ?? null,
            explanation_detail: p.explanationDetail
              ? JSON.stringify(p.explanationDetail)
              : null,
            phase,
            phase_message: p.phaseMessage,
            requested_by: p.requestedBy,
            created_at: at,
            updated_at: at,
            phase_entered_at: at,
            version: 1,
            open_slot: slot,
          });
          await tx(T.audit).insert(
            auditRow({
              ...audit,
              entityRef: p.entityRef,
              promotionId: id,
              toPhase: phase,
              // Who asked, on which ladder, at version 1: what a replay needs to rebuild the row.
              detail: {
                ...audit.detail,
                requestedBy: p.requestedBy,
                ladderId: p.ladderId,
                version: 1,
                ...(replaced ? { supersedes: replaced.id } : {}),
              },
            }),
          );
          if (idempotency) await linkIdempotencyKey(tx, idempotency, id);
          return replaced;
        });
        return {
          promotion: (await this.getPromotion(id))!,
          ...(superseded ? { superseded } : {}),
        };
      } catch (error) {
        const raced =
          isUniqueViolation(error) || error instanceof StaleVersionError;
        if (!raced || attempt >= 4) {
          if (raced) {
            throw new ConflictError(
              `${p.entityRef} → ${p.toRung} is being requested concurrently by others; try again in a moment`,
            );
          }
          throw error;
        }
      }
    }
  }

  async getPromotion(id: string): Promise<PromotionRecord | undefined> {
    const row = await this.db(T.promotions).where({ id }).first();
    return row ? toPromotion(row) : undefined;
  }

  async listPromotions(filter: {
    entityRef?: string;
    entityRefs?: string[];
    phases?: PromotionPhase[];
    /** Only break-glass promotions whose review waits, the earliest due first. */
    breakGlassReviewPending?: boolean;
    limit: number;
    offset: number;
  }): Promise<PromotionRecord[]> {
    const q = this.db(T.promotions);
    if (filter.entityRef) q.where('entity_ref', filter.entityRef);
    if (filter.entityRefs) q.whereIn('entity_ref', filter.entityRefs);
    if (filter.phases) q.whereIn('phase', filter.phases);
    if (filter.breakGlassReviewPending) {
      q.whereNotNull('break_glass_by').whereNull('break_glass_reviewed_by').orderBy('break_glass_review_due_at', 'asc');
    }
    const rows = await q
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(filter.limit)
      .offset(filter.offset);
    return rows.map(toPromotion);
  }

  async listPromotionsToRecheck(options: {
    phases: PromotionPhase[];
    updatedBefore?: string;
    dueBy?: string;
    limit: number;
  }): Promise<PromotionRecord[]> {
    const q = this.db(T.promotions).whereIn('phase', options.phases);
    if (options.updatedBefore)
      q.where('updated_at', '<', options.updatedBefore);
    if (options.dueBy) {
      // Due first (a soak ended, a window opened): a long queue must not delay what time released.
      q.orderByRaw(
        'CASE WHEN due_at IS NOT NULL AND due_at <= ? THEN 0 ELSE 1 END',
        [options.dueBy],
      );
    }
    const rows = await q.orderBy('updated_at', 'asc').limit(options.limit);
    return rows.map(toPromotion);
  }

  async listPromotionsToRemind(options: {
    before: string;
    limit: number;
  }): Promise<Array<{ promotion: PromotionRecord; remindedAt: string | null }>> {
    const rows = await this.db(T.promotions)
      .where('phase', 'AwaitingApproval')
      .where(q =>
        q
          .where('phase_entered_at', '<=', options.before)
          .orWhere(q2 =>
            q2.whereNull('phase_entered_at').where('created_at', '<=', options.before),
          ),
      )
      .where(q => q.whereNull('reminded_at').orWhere('reminded_at', '<=', options.before))
      .orderBy('updated_at', 'asc')
      .limit(options.limit);
    return rows.map(row => ({ promotion: toPromotion(row), remindedAt: row.reminded_at ?? null }));
  }

  async claimReminder(options: {
    id: string;
    previous: string | null;
    at: string;
    audit: AuditInput;
  }): Promise<boolean> {
    return this.db.transaction(async tx => {
      const q = tx(T.promotions).where({ id: options.id, phase: 'AwaitingApproval' });
      if (options.previous === null) q.whereNull('reminded_at');
      else q.where('reminded_at', options.previous);
      const changed = await q.update({ reminded_at: options.at });
      if (changed === 0) return false;
      await tx(T.audit).insert(auditRow(options.audit));
      return true;
    });
  }

  async listGateResults(promotionIds: string[]): Promise<StoredGateResult[]> {
    if (promotionIds.length === 0) return [];
    const rows = await this.db(T.gateResults)
      .whereIn('promotion_id', promotionIds)
      .orderBy(['promotion_id', 'mode', 'position']);
    return rows.map(toGateResult);
  }

  async listApprovals(promotionIds: string[]): Promise<Approval[]> {
    if (promotionIds.length === 0) return [];
    const rows = await this.db(T.approvals)
      .whereIn('promotion_id', promotionIds)
      .orderBy(['created_at', 'id']);
    return rows.map(toApproval);
  }

  async listPlacements(entityRefs: string[]): Promise<PlacementRecord[]> {
    if (entityRefs.length === 0) return [];
    const rows = await this.db(T.placements).whereIn('entity_ref', entityRefs);
    return rows.map(toPlacement);
  }

  async placementHistory(entityRef: string, rungId: string): Promise<string[]> {
    const rows = await this.db(T.audit)
      .where({
        entity_ref: entityRef,
        rung_id: rungId,
        action: PLACEMENT_AUDIT_ACTION,
      })
      .orderBy('id', 'desc')
      .select('ref');
    return [...new Set(rows.map(r => r.ref as string))];
  }

  async listProofResults(entityRefs: string[]): Promise<StoredGateResult[]> {
    if (entityRefs.length === 0) return [];
    const rows = await this.db(T.gateResults)
      .whereIn('entity_ref', entityRefs)
      .where('mode', 'proof')
      .whereNull('promotion_id')
      .orderBy(['entity_ref', 'rung_id', 'position']);
    return rows.map(toGateResult);
  }

  async listPlacementsToProve(limit: number): Promise<PlacementRecord[]> {
    const rows = await this.db(T.placements)
      .whereNull('proof_status')
      .orWhere('proof_status', 'pending')
      // Never checked first on every database (PostgreSQL sorts NULL last by default, SQLite first),
      // so placements re-checked every run cannot starve a new one.
      .orderBy([
        { column: 'proof_checked_at', order: 'asc', nulls: 'first' },
        { column: 'entity_ref' },
        { column: 'rung_id' },
      ])
      .limit(limit);
    return rows.map(toPlacement);
  }

  async enroll(
    p: Omit<PlacementRecord, 'proofStatus' | 'proofCheckedAt'>,
  ): Promise<PlacementRecord> {
    try {
      await this.db.transaction(async tx => {
        const existing = await tx(T.placements)
          .where({ entity_ref: p.entityRef })
          .first();
        if (existing) {
          throw new ConflictError(
            `${p.entityRef} is already enrolled: ${existing.ref} is on ${existing.rung_id}`,
          );
        }
        await tx(T.placements).insert({
          entity_ref: p.entityRef,
          rung_id: p.rungId,
          ladder_id: p.ladderId,
          ref: p.ref,
          via: p.via,
          promotion_id: p.promotionId,
          placed_at: p.placedAt,
          placed_by: p.placedBy,
          proof_status: null,
          proof_checked_at: null,
        });
        await tx(T.audit).insert(
          auditRow({
            entityRef: p.entityRef,
            rungId: p.rungId,
            ref: p.ref,
            action: PLACEMENT_AUDIT_ACTION,
            actor: p.placedBy,
            detail: {
              via: 'enrollment',
              placedBy: p.placedBy,
              ladderId: p.ladderId,
            },
          }),
        );
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          `${p.entityRef} is already enrolled on ${p.rungId}`,
        );
      }
      throw error;
    }
    return { ...p, proofStatus: null, proofCheckedAt: null };
  }

  async listOpenDrifts(entityRefs: string[]): Promise<DriftRecord[]> {
    if (entityRefs.length === 0) return [];
    const rows = await this.db(T.drifts)
      .whereIn('entity_ref', entityRefs)
      .whereNotNull('open_slot');
    return rows.map(toDrift);
  }

  async listDeliveryEvents(filter: {
    since: string;
    entityRefs?: string[];
  }): Promise<AuditRecord[]> {
    if (filter.entityRefs && filter.entityRefs.length === 0) return [];
    const q = this.db(T.audit)
      .where('created_at', '>=', filter.since)
      .andWhere(w =>
        w
          .where('action', PLACEMENT_AUDIT_ACTION)
          .orWhere('action', 'rollback.requested')
          .orWhereIn('to_phase', ['AwaitingApproval', 'Failed', 'Errored'])
          .orWhere('from_phase', 'AwaitingApproval'),
      );
    if (filter.entityRefs) {
      // SQLite allows ~32k bound parameters; larger sets are read whole and filtered here.
      if (filter.entityRefs.length <= 1000)
        q.whereIn('entity_ref', filter.entityRefs);
    }
    const rows = (await q.orderBy('id', 'asc')).map(toAudit);
    if (!filter.entityRefs || filter.entityRefs.length <= 1000) return rows;
    const wanted = new Set(filter.entityRefs);
    return rows.filter(r => wanted.has(r.entityRef));
  }

  async listPlacedEntityRefs(): Promise<string[]> {
    const rows: Array<{ entity_ref: string }> = await this.db(T.placements)
      .distinct('entity_ref')
      .orderBy('entity_ref');
    return rows.map(r => r.entity_ref);
  }

  async firstPlacedAt(
    pairs: Array<{ entityRef: string; ref: string }>,
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const refs = [...new Set(pairs.map(p => p.ref))];
    for (let i = 0; i < refs.length; i += 500) {
      const rows: Array<{ entity_ref: string; ref: string; first: string }> =
        await this.db(T.audit)
          .where('action', PLACEMENT_AUDIT_ACTION)
          .whereIn('ref', refs.slice(i, i + 500))
          .select('entity_ref', 'ref')
          .min({ first: 'created_at' })
          .groupBy('entity_ref', 'ref');
      for (const r of rows) out.set(`${r.entity_ref} ${r.ref}`, r.first);
    }
    return out;
  }

  async countPromotionsByPhase(): Promise<
    Array<{ phase: string; count: number }>
  > {
    const rows: Array<{ phase: string; count: string | number }> =
      await this.db(T.promotions)
        .select('phase')
        .count({ count: '*' })
        .groupBy('phase');
    return rows.map(r => ({ phase: r.phase, count: Number(r.count) }));
  }

  async countOpenDrifts(): Promise<number> {
    const [row] = await this.db(T.drifts)
      .whereNotNull('open_slot')
      .count({ count: '*' });
    return Number(row?.count ?? 0);
  }

  async observeDrift(o: {
    entityRef: string;
    rungId: string;
    runningRef: string;
    expectedRef: string | null;
    actor: string;
  }): Promise<{ drift: DriftRecord; created: boolean }> {
    const slot = openSlot(o.entityRef, o.rungId);
    const at = now();
    const open = await this.db(T.drifts).where({ open_slot: slot }).first();
    if (open) {
      const update = {
        running_ref: o.runningRef,
        expected_ref: o.expectedRef,
        last_seen_at: at,
      };
      await this.db(T.drifts)
        .where({ id: open.id })
        .whereNotNull('open_slot')
        .update(update);
      return { drift: toDrift({ ...open, ...update }), created: false };
    }
    const row = {
      id: randomUUID(),
      entity_ref: o.entityRef,
      rung_id: o.rungId,
      running_ref: o.runningRef,
      expected_ref: o.expectedRef,
      first_seen_at: at,
      last_seen_at: at,
      notified_at: null,
      resolved_at: null,
      resolution: null,
      resolved_by: null,
      resolved_promotion_id: null,
      open_slot: slot,
    };
    try {
      await this.db.transaction(async tx => {
        await tx(T.drifts).insert(row);
        await tx(T.audit).insert(
          auditRow({
            entityRef: o.entityRef,
            rungId: o.rungId,
            ref: o.runningRef,
            action: 'drift.detected',
            actor: o.actor,
            detail: {
              driftId: row.id,
              running: o.runningRef,
              expected: o.expectedRef,
            },
          }),
        );
      });
    } catch (error) {
      // Another replica saw it first: theirs is the drift.
      if (!isUniqueViolation(error)) throw error;
      const theirs = await this.db(T.drifts).where({ open_slot: slot }).first();
      if (!theirs) throw error;
      return { drift: toDrift(theirs), created: false };
    }
    return { drift: toDrift(row), created: true };
  }

  async markDriftNotified(id: string): Promise<boolean> {
    const changed = await this.db(T.drifts)
      .where({ id })
      .whereNull('notified_at')
      .update({ notified_at: now() });
    return changed > 0;
  }

  async resolveDrift(
    options: Parameters<LadderStoreTransaction['resolveDrift']>[0],
  ): Promise<DriftRecord | undefined> {
    return this.db.transaction(tx => resolveOpenDrift(tx, options));
  }

  async listEntityRefsToObserve(
    limit: number,
    after?: string,
  ): Promise<{ placed: string[]; drifting: string[] }> {
    const placedQuery = this.db(T.placements)
      .distinct('entity_ref')
      .orderBy('entity_ref')
      .limit(limit);
    if (after !== undefined) placedQuery.where('entity_ref', '>', after);
    const [placed, drifting] = await Promise.all([
      placedQuery,
      this.db(T.drifts)
        .whereNotNull('open_slot')
        .distinct('entity_ref')
        .orderBy('entity_ref')
        .limit(limit),
    ]);
    return {
      placed: placed.map(r => r.entity_ref as string),
      drifting: drifting.map(r => r.entity_ref as string),
    };
  }

  async addEvidence(e: EvidenceRecord): Promise<EvidenceRecord> {
    await this.db.transaction(async tx => {
      await tx(T.evidence).insert({
        id: e.id,
        entity_ref: e.entityRef,
        rung_id: e.rungId,
        ref: e.ref,
        kind: e.kind,
        summary: e.summary,
        url: e.url ?? null,
        content: e.content ?? null,
        data: e.data ? JSON.stringify(e.data) : null,
        digest: e.digest,
        size_bytes: e.sizeBytes,
        redactions: e.redactions,
        created_by: e.createdBy,
        created_at: e.createdAt,
      });
      await tx(T.audit).insert(
        auditRow({
          entityRef: e.entityRef,
          rungId: e.rungId,
          ref: e.ref,
          action: 'evidence.created',
          actor: e.createdBy,
          detail: {
            evidenceId: e.id,
            kind: e.kind,
            digest: e.digest,
            redactions: e.redactions,
          },
        }),
      );
    });
    return e;
  }

  async findEvidence(filter: {
    entityRef: string;
    rungId?: string;
    ref?: string;
    kinds?: string[];
    limit: number;
    before?: { createdAt: string; id: string };
  }): Promise<EvidenceRecord[]> {
    const q = this.db(T.evidence).where('entity_ref', filter.entityRef);
    if (filter.rungId) q.where('rung_id', filter.rungId);
    if (filter.ref) q.where('ref', filter.ref);
    if (filter.kinds) q.whereIn('kind', filter.kinds);
    const before = filter.before;
    if (before) {
      q.where(w =>
        w
          .where('created_at', '<', before.createdAt)
          .orWhere(w2 => w2.where('created_at', before.createdAt).andWhere('id', '<', before.id)),
      );
    }
    const rows = await q
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(filter.limit);
    return rows.map(toEvidence);
  }

  async getEvidence(id: string): Promise<EvidenceRecord | undefined> {
    const row = await this.db(T.evidence).where('id', id).first();
    return row ? toEvidence(row) : undefined;
  }

  async expireEvidenceContent(options: { createdBefore: string; limit: number }): Promise<number> {
    const candidates = await this.db(T.evidence)
      .select('id')
      .where('created_at', '<', options.createdBefore)
      .whereNotNull('content')
      .orderBy('created_at', 'asc')
      .limit(options.limit);
    let expired = 0;
    for (const { id } of candidates) {
      const done = await this.db.transaction(async tx => {
        // `content is not null` makes a concurrent run (another replica) expire each item once
        const changed = await tx(T.evidence)
          .where('id', id)
          .whereNotNull('content')
          .update({ content: null, content_expired_at: now() });
        if (!changed) return false;
        const e = toEvidence(await tx(T.evidence).where('id', id).first());
        await tx(T.audit).insert(
          auditRow({
            entityRef: e.entityRef,
            rungId: e.rungId,
            ref: e.ref,
            action: 'evidence.content-expired',
            actor: 'service:ladder-retention',
            detail: { evidenceId: e.id, kind: e.kind, digest: e.digest, summary: e.summary, createdAt: e.createdAt },
          }),
        );
        return true;
      });
      if (done) expired += 1;
    }
    return expired;
  }

  async deleteIdempotencyKeys(options: { createdBefore: string }): Promise<number> {
    return await this.db(T.idempotency).where('created_at', '<', options.createdBefore).delete();
  }

  async listAudit(filter: {
    entityRef?: string;
    promotionId?: string;
    limit: number;
    afterId?: number;
  }): Promise<AuditRecord[]> {
    const q = this.db(T.audit);
    if (filter.entityRef) q.where('entity_ref', filter.entityRef);
    if (filter.promotionId) q.where('promotion_id', filter.promotionId);
    if (filter.afterId !== undefined) q.where('id', '<', filter.afterId);
    const rows = await q.orderBy('id', 'desc').limit(filter.limit);
    return rows.map(toAudit);
  }

  async getIdempotencyKey(o: {
    scope: string;
    operation: string;
    key: string;
  }): Promise<IdempotencyRecord | undefined> {
    const row = await this.db(T.idempotency).where(o).first();
    if (!row) return undefined;
    return {
      requestHash: row.request_hash,
      statusCode: row.status_code === null ? null : Number(row.status_code),
      response: parseJson(row.response, null),
      createdAt: row.created_at,
    };
  }

  async reserveIdempotencyKey(o: {
    scope: string;
    operation: string;
    key: string;
    requestHash: string;
  }): Promise<boolean> {
    try {
      await this.db(T.idempotency).insert({
        scope: o.scope,
        operation: o.operation,
        key: o.key,
        request_hash: o.requestHash,
        status_code: null,
        response: null,
        created_at: now(),
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async completeIdempotencyKey(o: {
    scope: string;
    operation: string;
    key: string;
    statusCode: number;
    response: unknown;
  }): Promise<void> {
    await this.db(T.idempotency)
      .where({ scope: o.scope, operation: o.operation, key: o.key })
      .update({
        status_code: o.statusCode,
        response: JSON.stringify(o.response),
      });
  }

  async releaseIdempotencyKey(o: {
    scope: string;
    operation: string;
    key: string;
  }): Promise<void> {
    // A linked reservation (its change committed) is kept: a retry answers with that change.
    await this.db(T.idempotency)
      .where(o)
      .whereNull('status_code')
      .whereNull('response')
      .delete();
  }

  async pauseLine(input: PauseInput): Promise<LinePause> {
    try {
      return await this.db.transaction(tx => insertPause(tx, input));
    } catch (error) {
      // Two pauses of one scope racing: the loser's insert hits the unique index.
      if (!isUniqueViolation(error)) throw error;
      const winner = await activePauseOf(this.db, input);
      if (!winner) throw error;
      throw alreadyPaused(winner);
    }
  }

  async resumeLine(input: { id: string; actor: string; reason?: string }): Promise<LinePause> {
    return this.db.transaction(tx => resumePause(tx, input));
  }

  async getPause(id: string): Promise<LinePause | undefined> {
    return getPause(this.db, id);
  }

  async listPauses(filter?: { ladderIds?: string[]; entityRefs?: string[] }): Promise<LinePause[]> {
    return listActivePauses(this.db, filter);
  }

  async holdsOn(target: HoldTarget): Promise<Holds> {
    return holdsOn(this.db, target);
  }

  async markBadCommit(input: { entityRef: string; sha: string; reason: string; actor: string }): Promise<BadCommit> {
    try {
      return await this.db.transaction(tx => insertBadCommit(tx, input));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await getBadCommit(this.db, input.entityRef, input.sha);
      if (!winner) throw error;
      throw alreadyBad(winner);
    }
  }

  async unmarkBadCommit(input: { id: string; actor: string; reason: string }): Promise<BadCommit> {
    return this.db.transaction(tx => deleteBadCommit(tx, input));
  }

  async getBadCommitById(id: string): Promise<BadCommit | undefined> {
    return getBadCommitById(this.db, id);
  }

  async listBadCommits(entityRefs: string[]): Promise<BadCommit[]> {
    return listBadCommits(this.db, entityRefs);
  }
}
