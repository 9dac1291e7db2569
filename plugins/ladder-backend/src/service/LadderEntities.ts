import type { AuthService, BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
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

/** Catalog entities and the ladder they are on. */
export class LadderEntities {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly config: LadderConfig,
  ) {}

  /** The entity and its ladder; 404 when the entity is unknown or not on a ladder. */
  async load(entityRef: string, credentials?: BackstageCredentials): Promise<LadderEntity> {
    const ref = normalizeEntityRef(entityRef);
    const entity = await this.catalog.getEntityByRef(ref, {
      credentials: credentials ?? (await this.auth.getOwnServiceCredentials()),
    });
    if (!entity) {
      throw new NotFoundError(`no entity ${ref} in the catalog`);
    }
    return { entity, entityRef: ref, ladder: this.ladderOf(entity, ref) };
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
    return ladder;
  }

  /** Finds a ladder by id from the config. */
  ladderById(id: string): LadderDefinition | undefined {
    return this.config.ladders.find(l => l.id === id);
  }
}
