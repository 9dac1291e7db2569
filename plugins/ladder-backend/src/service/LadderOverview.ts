import type { AuthService, BackstageCredentials } from '@backstage/backend-plugin-api';
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
import { ladderSummary } from './rungSummary';

function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw new InputError('cursor is not one this API returned; start again without it');
}

export const encodeCursor = (offset: number) =>
  Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
export { decodeCursor };

function qualify(ref: string, defaultKind: string) {
  const withKind = ref.includes(':') ? ref : `${defaultKind}:${ref}`;
  const [kind, rest] = withKind.split(':', 2);
  return `${kind}:${rest.includes('/') ? rest : `default/${rest}`}`.toLocaleLowerCase('en-US');
}

/**
 * Services × rungs, one page at a time. Entities come from the catalog (only the fields shown);
 * placements and open promotions for the whole page are one query each, so a page costs the
 * same with 50 or 5,000 services on the ladder.
 */
export class LadderOverview {
  constructor(
    private readonly deps: { catalog: CatalogService; auth: AuthService; store: LadderStore; config: LadderConfig },
  ) {}

  async get(
    credentials: BackstageCredentials,
    query: { ladder?: string; owner?: string; system?: string; q?: string; limit: number; cursor?: string },
  ): Promise<OverviewResponse> {
    const { config, store } = this.deps;
    const offset = decodeCursor(query.cursor);
    const filter: Record<string, string | symbol> = {
      [`metadata.annotations.${LADDER_ANNOTATION}`]: query.ladder ?? CATALOG_FILTER_EXISTS,
    };
    if (query.owner) filter['relations.ownedBy'] = qualify(query.owner, 'group');
    if (query.system) filter['relations.partOf'] = qualify(query.system, 'system');
    const response = await this.deps.catalog.queryEntities(
      {
        filter: filter as any,
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title', 'metadata.annotations', 'spec.owner', 'spec.system'],
        limit: query.limit,
        offset,
        orderFields: { field: 'metadata.name', order: 'asc' },
        ...(query.q ? { fullTextFilter: { term: query.q, fields: ['metadata.name', 'metadata.title'] } } : {}),
      },
      { credentials },
    );
    const entities = response.items;
    const refs = entities.map(e => stringifyEntityRef(e).toLocaleLowerCase('en-US'));
    const [placements, open] = await Promise.all([
      store.listPlacements(refs),
      store.listPromotions({ entityRefs: refs, phases: openPhases(), limit: 10_000, offset: 0 }),
    ]);
    const ladders = query.ladder ? config.ladders.filter(l => l.id === query.ladder) : config.ladders;
    const items = entities.map((entity: Entity, i) => {
      const ref = refs[i];
      const annotation = entity.metadata.annotations?.[LADDER_ANNOTATION];
      const ladder = findLadder(config, annotation);
      const cells: Record<string, OverviewCell> = {};
      for (const rung of ladder?.rungs ?? []) {
        const placement = placements.find(p => p.entityRef === ref && p.rungId === rung.id);
        const promotion = open.find(p => p.entityRef === ref && p.toRung === rung.id);
        const status = deriveRungStatus({
          placedRef: placement?.ref ?? null,
          proofResults:
            placement && placement.proofStatus !== null ? [{ status: placement.proofStatus }] : undefined,
        });
        cells[rung.id] = {
          ref: placement?.ref ?? null,
          status: status.status,
          placedAt: placement?.placedAt ?? null,
          openPromotion: promotion ? { id: promotion.id, phase: promotion.phase, ref: promotion.ref } : null,
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
    const nextOffset = offset + entities.length;
    return {
      ladders: ladders.map(ladderSummary),
      items,
      totalItems: response.totalItems,
      ...(entities.length > 0 && nextOffset < response.totalItems ? { nextCursor: encodeCursor(nextOffset) } : {}),
    };
  }
}
