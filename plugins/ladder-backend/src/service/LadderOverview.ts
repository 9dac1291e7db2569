import type {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  LADDER_ANNOTATION,
  LadderConfig,
  OverviewCell,
  OverviewResponse,
  deriveRungStatus,
  findLadder,
  openPhases,
} from '@khal/plugin-ladder-common';
import type { LadderStore } from '../database/LadderStore';
import type { ProofStatus } from '../database/records';
import type { LadderEntities } from './LadderEntities';
import { ladderSummary } from './rungSummary';

function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  try {
    const { offset } = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    );
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw new InputError(
    'cursor is not one this API returned; start again without it',
  );
}

export const encodeCursor = (offset: number) =>
  Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
export { decodeCursor };

const OVERVIEW_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
  'spec.system',
] as const;

/** The overview's cursor wraps the catalog's; `{ offset }` is what earlier versions returned. */
function decodeOverviewCursor(
  cursor: string | undefined,
): { catalog: string } | { offset: number } {
  if (!cursor) return { offset: 0 };
  try {
    const parsed = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    );
    if (
      typeof parsed?.catalog === 'string' &&
      parsed.catalog.length > 0 &&
      parsed.catalog.length <= 8192
    ) {
      return { catalog: parsed.catalog };
    }
  } catch {
    // an offset cursor, or none this API returned
  }
  return { offset: decodeCursor(cursor) };
}

const encodeOverviewCursor = (catalog: string) =>
  Buffer.from(JSON.stringify({ catalog }), 'utf8').toString('base64url');

function qualify(ref: string, defaultKind: string) {
  const withKind = ref.includes(':') ? ref : `${defaultKind}:${ref}`;
  const [kind, rest] = withKind.split(':', 2);
  return `${kind}:${
    rest.includes('/') ? rest : `default/${rest}`
  }`.toLocaleLowerCase('en-US');
}

/**
 * Services × rungs, one page at a time. Entities come from the catalog (only the fields shown);
 * placements and open promotions for the whole page are one query each, so a page costs the
 * same with 50 or 5,000 services on the ladder.
 */
export class LadderOverview {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      store: LadderStore;
      config: LadderConfig;
      /** Decides whose credentials query the catalog (see LadderEntities.catalogReadFor). */
      entities?: Pick<LadderEntities, 'catalogReadFor'>;
    },
  ) {}

  async get(
    credentials: BackstageCredentials,
    query: {
      ladder?: string;
      owner?: string;
      system?: string;
      q?: string;
      limit: number;
      cursor?: string;
    },
  ): Promise<OverviewResponse> {
    const { config, store } = this.deps;
    const position = decodeOverviewCursor(query.cursor);
    // A caller the policy lets read every entity sees what the plugin's own query sees (without
    // the catalog's per-request permission round trip); a conditional one is filtered by the
    // catalog with their own credentials; one denied sees an empty page, as from the catalog.
    const reading = this.deps.entities ? await this.deps.entities.catalogReadFor(credentials) : 'conditional';
    const ladders = query.ladder
      ? config.ladders.filter(l => l.id === query.ladder)
      : config.ladders;
    if (reading === 'none') return { ladders: ladders.map(ladderSummary), items: [], totalItems: 0 };
    const catalogCredentials = reading === 'all' ? await this.deps.auth.getOwnServiceCredentials() : credentials;
    const filter: Record<string, string | symbol> = {
      [`metadata.annotations.${LADDER_ANNOTATION}`]:
        query.ladder ?? CATALOG_FILTER_EXISTS,
    };
    if (query.owner)
      filter['relations.ownedBy'] = qualify(query.owner, 'group');
    if (query.system)
      filter['relations.partOf'] = qualify(query.system, 'system');
    // Later pages go by the catalog's own cursor (it carries the filter, order and fields), so a
    // deep page costs what the first does; an offset cursor from an older response still works.
    const response = await this.deps.catalog
      .queryEntities(
        'catalog' in position
          ? {
              cursor: position.catalog,
              limit: query.limit,
              fields: [...OVERVIEW_FIELDS],
            }
          : {
              filter: filter as any,
              fields: [...OVERVIEW_FIELDS],
              limit: query.limit,
              ...(position.offset ? { offset: position.offset } : {}),
              orderFields: { field: 'metadata.name', order: 'asc' },
              ...(query.q
                ? {
                    fullTextFilter: {
                      term: query.q,
                      fields: ['metadata.name', 'metadata.title'],
                    },
                  }
                : {}),
            },
        { credentials: catalogCredentials },
      )
      .catch(error => {
        // A cursor that decodes but that the catalog rejects was not one of its own (or has expired).
        if (
          'catalog' in position &&
          (error as { statusCode?: number })?.statusCode === 400
        ) {
          throw new InputError(
            'cursor is not one this API returned; start again without it',
          );
        }
        throw error;
      });
    const entities = response.items;
    const refs = entities.map(e =>
      stringifyEntityRef(e).toLocaleLowerCase('en-US'),
    );
    const [placementRows, openRows, driftRows] = await Promise.all([
      refs.length ? store.listPlacements(refs) : [],
      refs.length
        ? store.listPromotions({
            entityRefs: refs,
            phases: openPhases(),
            limit: 10_000,
            offset: 0,
          })
        : [],
      // Drift as last observed by the scheduled check (or an entity read); the overview reads no cluster.
      refs.length ? store.listOpenDrifts(refs) : [],
    ]);
    // Keyed by entity and rung: the page's cells are lookups, not scans of the page's rows.
    const key = (ref: string, rungId: string) => `${ref}\u0000${rungId}`;
    const placements = new Map(
      placementRows.map(p => [key(p.entityRef, p.rungId), p] as const),
    );
    const drifts = new Map(
      driftRows.map(d => [key(d.entityRef, d.rungId), d] as const),
    );
    const open = new Map<string, (typeof openRows)[number]>();
    // Newest first from the store; at most one is open per entity and rung anyway.
    for (const p of openRows)
      if (!open.has(key(p.entityRef, p.toRung)))
        open.set(key(p.entityRef, p.toRung), p);
    const items = entities.map((entity: Entity, i) => {
      const ref = refs[i];
      const annotation = entity.metadata.annotations?.[LADDER_ANNOTATION];
      const ladder = findLadder(config, annotation);
      const cells: Record<string, OverviewCell> = {};
      for (const rung of ladder?.rungs ?? []) {
        const placement = placements.get(key(ref, rung.id));
        const promotion = open.get(key(ref, rung.id));
        const drift = drifts.get(key(ref, rung.id));
        const status = deriveRungStatus({
          placedRef: placement?.ref ?? null,
          runningRef: drift?.runningRef,
          proofResults: proofSummary(placement?.proofStatus),
        });
        cells[rung.id] = {
          ref: placement?.ref ?? null,
          status: status.status,
          placedAt: placement?.placedAt ?? null,
          openPromotion: promotion
            ? {
                id: promotion.id,
                phase: promotion.phase,
                ref: promotion.ref,
                ...(promotion.breakGlass ? { breakGlass: true } : {}),
              }
            : null,
          ...(drift && status.status === 'drifted'
            ? {
                drift: {
                  since: drift.firstSeenAt,
                  running: drift.runningRef,
                  expected: drift.expectedRef,
                },
              }
            : {}),
        };
      }
      const spec = (entity.spec ?? {}) as { owner?: string; system?: string };
      return {
        entityRef: ref,
        title: entity.metadata.title ?? entity.metadata.name,
        owner: spec.owner ?? null,
        system: spec.system ?? null,
        ladderId: ladder?.id ?? annotation ?? '',
        cells,
      };
    });
    const next = response.pageInfo?.nextCursor;
    const pauses = await store.listPauses({
      ladderIds: ladders.map(l => l.id),
      entityRefs: items.map(i => i.entityRef),
    });
    return {
      ladders: ladders.map(ladderSummary),
      items,
      totalItems: response.totalItems,
      pauses,
      ...(entities.length > 0 && next
        ? { nextCursor: encodeOverviewCursor(next) }
        : {}),
    };
  }
}

/** A stored proof summary as proof results: `unverified` means the rung has no proof checks. */
function proofSummary(status: ProofStatus | null | undefined) {
  if (status === null || status === undefined) return undefined;
  return status === 'unverified' ? [] : [{ status }];
}
