import type { Knex } from 'knex';
import {
  compare,
  PLACEMENT_MOVED,
  rebuild,
  type LivePlacement,
  type LivePromotion,
  type Replayed,
  type ReplayDifference,
} from './rebuild';

/** Audit rows are read in pages of this many, in id order. */
const PAGE = 1000;

/** What a replay check found. */
export interface ReplayReport {
  checkedAt: string;
  /** Audit events replayed (placement moves and phase changes). */
  events: number;
  placements: number;
  promotions: number;
  differences: ReplayDifference[];
}

function parseDetail(raw: unknown): Record<string, unknown> {
  if (raw && typeof raw === 'object') return raw as Record<string, unknown>;
  try {
    const parsed = JSON.parse(String(raw ?? '{}'));
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * Rebuilds placements and promotion phases from the audit trail, in memory, and compares them
 * row by row with the live tables. Reads only; a difference is reported, never repaired.
 */
export class AuditReplay {
  constructor(private readonly db: Knex) {}

  async check(): Promise<ReplayReport> {
    const replayed: Replayed = { placements: new Map(), promotions: new Map() };
    let events = 0;
    for (let after = 0; ; ) {
      const rows = await this.db('ladder_audit_events')
        .where('id', '>', after)
        .andWhere(q =>
          q.where('action', PLACEMENT_MOVED).orWhereNotNull('to_phase'),
        )
        .orderBy('id', 'asc')
        .limit(PAGE);
      rebuild(
        rows.map(r => ({
          id: Number(r.id),
          entityRef: r.entity_ref,
          promotionId: r.promotion_id ?? null,
          rungId: r.rung_id ?? null,
          ref: r.ref ?? null,
          action: r.action,
          actor: r.actor,
          fromPhase: r.from_phase ?? null,
          toPhase: r.to_phase ?? null,
          detail: parseDetail(r.detail),
        })),
        replayed,
      );
      events += rows.length;
      if (rows.length < PAGE) break;
      after = Number(rows[rows.length - 1].id);
    }
    const placements: LivePlacement[] = (
      await this.db('ladder_placements')
    ).map(r => ({
      entityRef: r.entity_ref,
      rungId: r.rung_id,
      ladderId: r.ladder_id,
      ref: r.ref,
      via: r.via,
      promotionId: r.promotion_id ?? null,
      placedBy: r.placed_by,
    }));
    const promotions: LivePromotion[] = (
      await this.db('ladder_promotions')
    ).map(r => ({
      id: r.id,
      entityRef: r.entity_ref,
      ladderId: r.ladder_id,
      toRung: r.to_rung,
      ref: r.ref,
      kind: r.kind,
      phase: r.phase,
      // Open is what the unique slot says; the trail says it by the phase (terminal or not).
      open: r.open_slot !== null && r.open_slot !== undefined,
      requestedBy: r.requested_by,
      version: Number(r.version),
    }));
    return {
      checkedAt: new Date().toISOString(),
      events,
      placements: placements.length,
      promotions: promotions.length,
      differences: compare(replayed, { placements, promotions }),
    };
  }
}
