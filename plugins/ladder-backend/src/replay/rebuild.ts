/*
 * Rebuilding placements and promotion phases from the audit trail alone, and comparing what was
 * rebuilt with the live rows field by field. Pure: the rows come in, differences go out.
 */
import { isTerminal, type PromotionPhase } from '@khal/plugin-ladder-common';

/** The audit action that records a ref arriving on a rung (the store's PLACEMENT_AUDIT_ACTION). */
export const PLACEMENT_MOVED = 'placement.moved';

/** One audit row as replay reads it (detail parsed). */
export interface ReplayEvent {
  id: number;
  entityRef: string;
  promotionId: string | null;
  rungId: string | null;
  ref: string | null;
  action: string;
  actor: string;
  fromPhase: string | null;
  toPhase: string | null;
  detail: Record<string, unknown>;
}

/** A placement as the audit trail says it is (the observed proof status is not rebuilt). */
export interface ReplayedPlacement {
  entityRef: string;
  rungId: string;
  ref: string;
  via: string;
  promotionId: string | null;
  /** Written into the audit row since replay exists; absent on older rows (then not compared). */
  placedBy?: string;
  ladderId?: string;
  /** The audit row it was rebuilt from. */
  eventId: number;
}

/** A promotion as the audit trail says it is. */
export interface ReplayedPromotion {
  id: string;
  entityRef: string;
  toRung: string;
  ref: string;
  kind: string;
  phase: string;
  open: boolean;
  requestedBy?: string;
  ladderId?: string;
  /** The version the last phase event left the row at (absent on older rows). */
  version?: number;
  eventId: number;
}

export interface Replayed {
  placements: Map<string, ReplayedPlacement>;
  promotions: Map<string, ReplayedPromotion>;
}

export const placementKey = (entityRef: string, rungId: string) =>
  `${entityRef}|${rungId}`;

const text = (value: unknown) =>
  typeof value === 'string' ? value : undefined;
const count = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined;

/**
 * Folds audit rows (in id order: the order they were committed in, per promotion and rung) into
 * the placements and promotions they describe. A `placement.moved` row sets its entity's rung; a
 * row with a `toPhase` moves its promotion, the first one (`<kind>.requested`) creating it.
 */
export function rebuild(
  events: Iterable<ReplayEvent>,
  into?: Replayed,
): Replayed {
  const state: Replayed = into ?? {
    placements: new Map(),
    promotions: new Map(),
  };
  for (const e of events) {
    if (e.action === PLACEMENT_MOVED && e.rungId && e.ref) {
      state.placements.set(placementKey(e.entityRef, e.rungId), {
        entityRef: e.entityRef,
        rungId: e.rungId,
        ref: e.ref,
        via: text(e.detail.via) ?? 'unknown',
        promotionId: e.promotionId,
        placedBy: text(e.detail.placedBy),
        ladderId: text(e.detail.ladderId),
        eventId: e.id,
      });
      continue;
    }
    if (!e.promotionId || !e.toPhase) continue;
    const known = state.promotions.get(e.promotionId);
    const phase = e.toPhase;
    state.promotions.set(e.promotionId, {
      id: e.promotionId,
      entityRef: known?.entityRef ?? e.entityRef,
      toRung: known?.toRung ?? e.rungId ?? '',
      ref: known?.ref ?? e.ref ?? '',
      kind: known?.kind ?? e.action.split('.')[0],
      phase,
      open: !isTerminal(phase as PromotionPhase),
      requestedBy: known?.requestedBy ?? text(e.detail.requestedBy),
      ladderId: known?.ladderId ?? text(e.detail.ladderId),
      version: count(e.detail.version),
      eventId: e.id,
    });
  }
  return state;
}

/** A live row as replay compares it. */
export interface LivePlacement {
  entityRef: string;
  rungId: string;
  ladderId: string;
  ref: string;
  via: string;
  promotionId: string | null;
  placedBy: string;
}

export interface LivePromotion {
  id: string;
  entityRef: string;
  ladderId: string;
  toRung: string;
  ref: string;
  kind: string;
  phase: string;
  open: boolean;
  requestedBy: string;
  version: number;
}

/** One way a live row differs from what its audit trail says. */
export interface ReplayDifference {
  table: 'placements' | 'promotions';
  /** `<entity ref>|<rung>` for a placement, the promotion id for a promotion. */
  key: string;
  field: string;
  live: string | null;
  replayed: string | null;
  /** What the difference means, as a sentence. */
  problem: string;
}

const show = (value: unknown) =>
  value === undefined || value === null ? null : String(value);

function fields<T extends object>(
  table: ReplayDifference['table'],
  key: string,
  live: T,
  replayed: Partial<T>,
  names: Array<keyof T & string>,
): ReplayDifference[] {
  const out: ReplayDifference[] = [];
  for (const name of names) {
    // A field older audit rows do not carry is not compared (undefined), null is.
    if (replayed[name] === undefined) continue;
    if (show(live[name]) !== show(replayed[name])) {
      out.push({
        table,
        key,
        field: name,
        live: show(live[name]),
        replayed: show(replayed[name]),
        problem: `${table.slice(0, -1)} ${key}: ${name} is ${show(
          live[name],
        )} in the live row but ${show(replayed[name])} by its audit trail`,
      });
    }
  }
  return out;
}

/**
 * Every difference between the live rows and the rows rebuilt from the audit trail: a row on one
 * side only, a field that differs, and a version marker that is behind the last audit event of
 * its promotion (the drift check: a live row older than what the trail says was committed).
 */
export function compare(
  replayed: Replayed,
  live: { placements: LivePlacement[]; promotions: LivePromotion[] },
): ReplayDifference[] {
  const differences: ReplayDifference[] = [];
  const missing = (
    table: ReplayDifference['table'],
    key: string,
    side: 'live' | 'audit',
  ) =>
    differences.push({
      table,
      key,
      field: '(row)',
      live: side === 'live' ? null : 'present',
      replayed: side === 'live' ? 'present' : null,
      problem:
        side === 'live'
          ? `${table.slice(
              0,
              -1,
            )} ${key} is in the audit trail but has no live row`
          : `${table.slice(
              0,
              -1,
            )} ${key} has a live row that no audit event accounts for`,
    });

  const livePlacements = new Map(
    live.placements.map(p => [placementKey(p.entityRef, p.rungId), p]),
  );
  for (const [key, p] of livePlacements) {
    const r = replayed.placements.get(key);
    if (!r) missing('placements', key, 'audit');
    else
      differences.push(
        ...fields('placements', key, p, r, [
          'ref',
          'via',
          'promotionId',
          'placedBy',
          'ladderId',
        ]),
      );
  }
  for (const key of replayed.placements.keys()) {
    if (!livePlacements.has(key)) missing('placements', key, 'live');
  }

  const livePromotions = new Map(live.promotions.map(p => [p.id, p]));
  for (const [id, p] of livePromotions) {
    const r = replayed.promotions.get(id);
    if (!r) {
      missing('promotions', id, 'audit');
      continue;
    }
    const { version, ...rest } = r;
    differences.push(
      ...fields('promotions', id, p, rest, [
        'entityRef',
        'toRung',
        'ref',
        'kind',
        'phase',
        'open',
        'requestedBy',
        'ladderId',
      ]),
    );
    // Steps that change nothing but gate results raise the version without an audit row, so the
    // live version may be ahead of the trail; it is never behind it.
    if (version !== undefined && p.version < version) {
      differences.push({
        table: 'promotions',
        key: id,
        field: 'version',
        live: String(p.version),
        replayed: String(version),
        problem: `promotion ${id}: the live row is at version ${p.version}, behind version ${version} of its last audit event (#${r.eventId}): the row was changed outside the engine or restored from an older copy`,
      });
    }
  }
  for (const id of replayed.promotions.keys()) {
    if (!livePromotions.has(id)) missing('promotions', id, 'live');
  }
  return differences;
}
