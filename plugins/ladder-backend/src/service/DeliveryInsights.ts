import type { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  DeliveryInsights as DeliveryInsightsResponse,
  InsightsGroup,
  LadderConfig,
} from '@khal/plugin-ladder-common';
import type { LadderStore } from '../database/LadderStore';
import type { AuditRecord } from '../database/records';

const PLACED = 'placement.moved';

/** `team-a` → `group:default/team-a`; a full ref stays as it is (the catalog's own parsing). */
function qualifyOwner(owner: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    throw new InputError(
      `owner "${owner}" is not an entity ref: give a group name (team-a) or ref (group:default/team-a)`,
    );
  }
}

const DAY_MS = 86_400_000;

/** The samples one group's figures are made of (merged for a team, then summarised). */
interface Samples {
  leadTimes: number[];
  deployments: Map<string, number>;
  changes: number;
  failures: number;
  restores: number[];
  unrestored: number;
  approvalWaits: number[];
}

const emptySamples = (): Samples => ({
  leadTimes: [],
  deployments: new Map(),
  changes: 0,
  failures: 0,
  restores: [],
  unrestored: 0,
  approvalWaits: [],
});

function merge(into: Samples, from: Samples) {
  into.leadTimes.push(...from.leadTimes);
  for (const [rung, n] of from.deployments) {
    into.deployments.set(rung, (into.deployments.get(rung) ?? 0) + n);
  }
  into.changes += from.changes;
  into.failures += from.failures;
  into.restores.push(...from.restores);
  into.unrestored += from.unrestored;
  into.approvalWaits.push(...from.approvalWaits);
}

/** Nearest-rank percentile of seconds; null when there is no sample (never a made-up 0). */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

const summary = (values: number[]) => ({
  count: values.length,
  medianSeconds: percentile(values, 0.5),
  p90Seconds: percentile(values, 0.9),
});

function summarise(
  key: string,
  s: Samples,
  rungOrder: string[],
  days: number,
): InsightsGroup {
  const rungs = [...s.deployments.keys()].sort(
    (a, b) =>
      (rungOrder.indexOf(a) + 1 || 1e9) - (rungOrder.indexOf(b) + 1 || 1e9),
  );
  return {
    key,
    leadTime: summary(s.leadTimes),
    deployments: rungs.map(rungId => {
      const count = s.deployments.get(rungId)!;
      return {
        rungId,
        count,
        perWeek: Math.round((count / days) * 7 * 100) / 100,
      };
    }),
    changes: s.changes,
    failures: s.failures,
    changeFailureRate: s.changes ? s.failures / s.changes : null,
    timeToRestore: { ...summary(s.restores), open: s.unrestored },
    approvalWait: summary(s.approvalWaits),
  };
}

const seconds = (from: string, to: string) =>
  Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/**
 * One entity's figures from its audit rows (oldest first), all in the window:
 * - lead time: from the first placement of a commit on any rung to its placement on the top rung;
 * - deployments: placements per rung (enrolments are not deployments);
 * - change failure rate: failed or errored promotions and rollbacks, over changes (placements by
 *   promotion, rollback or adoption, plus the failed ones);
 * - time to restore: from a failure (a promotion that failed, a rollback requested) to the next
 *   placement on that rung; failures not yet followed by one are counted as open;
 * - approval wait: from entering AwaitingApproval to leaving it.
 */
export function entitySamples(
  rows: AuditRecord[],
  topRung: string | undefined,
  firstPlaced: Map<string, string>,
): Samples {
  const s = emptySamples();
  const waitingSince = new Map<string, string>();
  const openFailures: Array<{ rung: string; at: string }> = [];
  for (const row of rows) {
    const rung =
      typeof row.detail.rung === 'string' ? row.detail.rung : undefined;
    const ref = typeof row.detail.ref === 'string' ? row.detail.ref : undefined;
    if (row.action === PLACED && rung) {
      const via = row.detail.via;
      if (via === 'enrollment') continue;
      s.changes += 1;
      s.deployments.set(rung, (s.deployments.get(rung) ?? 0) + 1);
      if (via === 'rollback') s.failures += 1;
      if (rung === topRung && ref) {
        const first = firstPlaced.get(`${row.entityRef} ${ref}`);
        if (first) s.leadTimes.push(seconds(first, row.createdAt));
      }
      for (let i = openFailures.length - 1; i >= 0; i--) {
        if (openFailures[i].rung === rung) {
          s.restores.push(seconds(openFailures[i].at, row.createdAt));
          openFailures.splice(i, 1);
        }
      }
      continue;
    }
    if (row.action === 'rollback.requested' && rung) {
      openFailures.push({ rung, at: row.createdAt });
      continue;
    }
    if (
      row.promotionId &&
      row.toPhase === 'AwaitingApproval' &&
      row.fromPhase !== 'AwaitingApproval'
    ) {
      waitingSince.set(row.promotionId, row.createdAt);
    } else if (
      row.promotionId &&
      row.fromPhase === 'AwaitingApproval' &&
      row.toPhase !== 'AwaitingApproval'
    ) {
      const since = waitingSince.get(row.promotionId);
      if (since) s.approvalWaits.push(seconds(since, row.createdAt));
      waitingSince.delete(row.promotionId);
    }
    if (
      (row.toPhase === 'Failed' || row.toPhase === 'Errored') &&
      row.fromPhase !== row.toPhase
    ) {
      s.changes += 1;
      s.failures += 1;
      if (rung) openFailures.push({ rung, at: row.createdAt });
    }
  }
  s.unrestored = openFailures.length;
  return s;
}

/**
 * Delivery insights per entity and per owning team, from the audit trail only (no second source
 * of truth): what the ladder recorded as it happened.
 */
export class DeliveryInsights {
  constructor(
    private readonly deps: {
      store: LadderStore;
      catalog: CatalogService;
      auth: AuthService;
      config: LadderConfig;
    },
  ) {}

  async compute(options: {
    /** The entities the caller may see insights of (already authorised). */
    entityRefs: string[];
    /** Only the entities this group owns (a group ref, or a name in the default namespace). */
    owner?: string;
    days: number;
    now?: Date;
  }): Promise<DeliveryInsightsResponse> {
    const now = options.now ?? new Date();
    const since = new Date(now.getTime() - options.days * DAY_MS).toISOString();
    const owners = await this.ownersOf(options.entityRefs);
    const owner = options.owner && qualifyOwner(options.owner);
    const entityRefs = owner
      ? options.entityRefs.filter(ref => owners.get(ref) === owner)
      : options.entityRefs;
    const rows = await this.deps.store.listDeliveryEvents({
      since,
      entityRefs,
    });
    const byEntity = new Map<string, AuditRecord[]>();
    for (const row of rows) {
      const list = byEntity.get(row.entityRef) ?? [];
      list.push(row);
      byEntity.set(row.entityRef, list);
    }
    const refs = [...byEntity.keys()];
    const placements = await this.deps.store.listPlacements(refs);
    const ladderOf = new Map(placements.map(p => [p.entityRef, p.ladderId]));
    const ladders = new Map(this.deps.config.ladders.map(l => [l.id, l]));
    const topRungOf = (entityRef: string) => {
      const ladder = ladders.get(ladderOf.get(entityRef) ?? '');
      return ladder?.rungs[ladder.rungs.length - 1]?.id;
    };
    const prodPairs = rows
      .filter(
        r =>
          r.action === PLACED &&
          r.detail.rung === topRungOf(r.entityRef) &&
          typeof r.detail.ref === 'string',
      )
      .map(r => ({ entityRef: r.entityRef, ref: r.detail.ref as string }));
    const firstPlaced = await this.deps.store.firstPlacedAt(prodPairs);

    const rungOrder = this.deps.config.ladders.flatMap(l =>
      l.rungs.map(r => r.id),
    );
    const totals = emptySamples();
    const teams = new Map<string, Samples>();
    const entities: InsightsGroup[] = [];
    for (const [entityRef, list] of byEntity) {
      const samples = entitySamples(list, topRungOf(entityRef), firstPlaced);
      entities.push(summarise(entityRef, samples, rungOrder, options.days));
      merge(totals, samples);
      const teamKey = owners.get(entityRef) ?? 'no owner';
      const team = teams.get(teamKey) ?? emptySamples();
      merge(team, samples);
      teams.set(teamKey, team);
    }
    return {
      from: since,
      to: now.toISOString(),
      days: options.days,
      totals: summarise('all', totals, rungOrder, options.days),
      teams: [...teams]
        .map(([key, s]) => summarise(key, s, rungOrder, options.days))
        .sort((a, b) => a.key.localeCompare(b.key)),
      entities: entities.sort((a, b) => a.key.localeCompare(b.key)),
    };
  }

  /** `spec.owner` of each entity, as an entity ref (the caller may already read these entities). */
  private async ownersOf(entityRefs: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (entityRefs.length === 0) return out;
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const { items } = await this.deps.catalog.getEntitiesByRefs(
      {
        entityRefs,
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec.owner'],
      },
      { credentials },
    );
    for (const entity of items) {
      const owner = (entity?.spec as { owner?: unknown } | undefined)?.owner;
      if (entity && typeof owner === 'string') {
        out.set(stringifyEntityRef(entity), qualifyOwner(owner));
      }
    }
    return out;
  }
}
