import type { AuthService, BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PromiseCache } from '@khal/plugin-ladder-node';
import type { PermissionDecisions } from '../access/PermissionDecisions';
import { Customers } from '../access/Customers';
import {
  LADDER_ANNOTATION,
  LadderConfig,
  LadderDefinition,
  findLadder,
} from '@khal/plugin-ladder-common';

/** Entity refs are case-insensitive; the ladder stores and compares them in lower case. */
export function normalizeEntityRef(ref: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(ref)).toLocaleLowerCase('en-US');
  } catch {
    throw new InputError(`"${ref}" is not an entity ref; it looks like "component:default/orders-api"`);
  }
}

/** An entity on a ladder. */
export interface LadderEntity {
  entity: Entity;
  entityRef: string;
  ladder: LadderDefinition;
}

/** How long the plugin's own reads of an entity are reused (see LadderEntities.load). */
export const OWN_READ_TTL_MS = 5_000;
const OWN_READ_MAX_ENTRIES = 5_000;

/** Catalog entities and the ladder they are on. */
export class LadderEntities {
  private readonly ownReads: PromiseCache<string, Entity | undefined>;
  readonly customers: Customers;

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly config: LadderConfig,
    ownReadTtlMs = OWN_READ_TTL_MS,
    private readonly decisions?: PermissionDecisions,
  ) {
    // Unknown entities and failed reads are not remembered: the next read asks again.
    this.ownReads = new PromiseCache({ ttlMs: ownReadTtlMs, maxEntries: OWN_READ_MAX_ENTRIES, keep: found => !!found });
    this.customers = new Customers({ customers: config.customers ?? [] });
  }

  /**
   * The entity and its ladder; 404 when the entity is unknown, not visible to the caller, or not
   * on a ladder. Without credentials it is the plugin's own read — the engine's, once per step of
   * a promotion — reused for a few seconds: a catalog entity changes at the catalog's processing
   * pace (minutes), so this adds at most OWN_READ_TTL_MS to how soon a change is seen.
   *
   * With a caller's credentials, the catalog's rule applies: the policy's decision on
   * `catalog.entity.read` for the caller. Unconditionally allowed, the plugin's own read answers
   * (the catalog would return the same entity); denied, it is a 404 as from the catalog;
   * conditional, the catalog is asked with the caller's credentials and applies the conditions.
   */
  async load(entityRef: string, credentials?: BackstageCredentials): Promise<LadderEntity> {
    const ref = normalizeEntityRef(entityRef);
    const entity = credentials ? await this.callersRead(ref, credentials) : await this.ownRead(ref);
    if (!entity) {
      throw new NotFoundError(`no entity ${ref} in the catalog`);
    }
    return { entity, entityRef: ref, ladder: this.ladderOf(entity, ref) };
  }

  private async callersRead(ref: string, credentials: BackstageCredentials): Promise<Entity | undefined> {
    const reading = await this.catalogReadFor(credentials);
    if (reading === 'all') return this.ownRead(ref);
    if (reading === 'none') return undefined;
    return this.catalog.getEntityByRef(ref, { credentials });
  }

  /**
   * What the caller may read of the catalog, by the policy's decision on `catalog.entity.read`:
   * every entity (`all`), none, or what the catalog filters for them (`conditional`).
   */
  async catalogReadFor(credentials: BackstageCredentials): Promise<'all' | 'none' | 'conditional'> {
    if (!this.decisions) return 'conditional';
    const decision = await this.decisions.policyDecision(credentials, catalogEntityReadPermission);
    if (decision === AuthorizeResult.ALLOW) return 'all';
    return decision === AuthorizeResult.DENY ? 'none' : 'conditional';
  }

  private ownRead(ref: string): Promise<Entity | undefined> {
    return this.ownReads.get(ref, () =>
      this.auth.getOwnServiceCredentials().then(credentials => this.catalog.getEntityByRef(ref, { credentials })),
    );
  }

  ladderOf(entity: Entity, ref = stringifyEntityRef(entity)): LadderDefinition {
    const annotations = entity.metadata.annotations ?? {};
    const ids = this.config.ladders.map(l => l.id).join(', ');
    if (!(LADDER_ANNOTATION in annotations)) {
      throw new NotFoundError(
        `${ref} is not on a ladder: add \`${LADDER_ANNOTATION}: <ladder id>\` to metadata.annotations (ladders: ${ids})`,
      );
    }
    const ladder = findLadder(this.config, annotations[LADDER_ANNOTATION]);
    if (!ladder) {
      throw new NotFoundError(
        `${ref} names ladder "${annotations[LADDER_ANNOTATION]}", which is not configured: set \`${LADDER_ANNOTATION}\` to one of ${ids}`,
      );
    }
    // A customer's app sees its customer's name and approvers on the customer rungs.
    return this.customers.ladderFor(entity, ladder);
  }

  /**
   * The ladder a promotion was made on, as its entity's customer sees it (approver groups per
   * customer); the configured ladder when the entity is gone from the catalog.
   */
  async ladderOfPromotion(promotion: { entityRef: string; ladderId: string }): Promise<LadderDefinition | undefined> {
    const ladder = this.ladderById(promotion.ladderId);
    const entity = await this.ownRead(normalizeEntityRef(promotion.entityRef)).catch(() => undefined);
    return ladder && entity ? this.customers.ladderFor(entity, ladder) : ladder;
  }

  /** Finds a ladder by id from the config. */
  ladderById(id: string): LadderDefinition | undefined {
    return this.config.ladders.find(l => l.id === id);
  }
}
