import type { PermissionsService } from '@backstage/backend-plugin-api';
import { RELATION_OWNED_BY, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import { ladderEntityReadPermission } from '@khal/plugin-ladder-common';
import type { GroupMemberships } from '../service/GroupMemberships';
import type { LadderEntities, LadderEntity } from '../service/LadderEntities';
import { allowedEntityRefs, createAuthorize } from './authorize';
import type { Caller } from './Caller';
import type { PermissionDecisions } from './PermissionDecisions';

/** The one answer for an entity that is missing or that the caller may not see. */
export function noSuchEntity(entityRef: string): NotFoundError {
  return new NotFoundError(`no entity ${entityRef} in the catalog`);
}

/**
 * Who may see and act on which entity, beyond the permission policy's word:
 *
 * - an entity the caller may not read answers exactly like a missing one (404, same message), on
 *   every route, so that no route tells whether an entity exists;
 * - a customer's stakeholders (members of a `ladder.customers[].stakeholders` group) see the
 *   entities of their own customers only; operators and people who are nobody's stakeholders are
 *   decided by the permission policy alone;
 * - enrolling an entity is for its owners (members of its owner group, or the owner user) and
 *   operators.
 */
export class EntityAccess {
  private readonly authorize;

  constructor(
    private readonly deps: {
      permissions: PermissionsService;
      decisions: PermissionDecisions;
      memberships: GroupMemberships;
      entities: LadderEntities;
      operatorsGroup: string;
    },
  ) {
    this.authorize = createAuthorize(deps.permissions, deps.decisions);
  }

  /** The customer ids a user is a stakeholder of; undefined when the user is not customer-scoped. */
  private async customerScope(caller: Caller): Promise<Set<string> | undefined> {
    const { customers } = this.deps.entities;
    if (!caller.userRef || !customers.configured) return undefined;
    const { memberships } = this.deps;
    const mine = (
      await Promise.all(
        customers.all.map(async c => ((await memberships.isMember(caller.userRef!, c.stakeholders)) ? c.id : undefined)),
      )
    ).filter((id): id is string => !!id);
    if (mine.length === 0) return undefined;
    if (await memberships.isMember(caller.userRef, [this.deps.operatorsGroup])) return undefined;
    return new Set(mine);
  }

  /** Whether a customer-scoped caller may see the entity (its customer is one of theirs). */
  private async inScope(scope: Set<string> | undefined, entityRef: string): Promise<boolean> {
    if (!scope) return true;
    const { entities } = this.deps;
    const target = await entities.load(entityRef).catch(() => undefined);
    const customer = target && entities.customers.customerOf(target.entity, target.ladder);
    return customer !== undefined && scope.has(customer);
  }

  /** The refs among `entityRefs` the caller may see under `permission` (default ladder.entity.read). */
  async readable(
    caller: Caller,
    entityRefs: string[],
    permission: ResourcePermission<'catalog-entity'> = ladderEntityReadPermission,
  ): Promise<Set<string>> {
    const { permissions, decisions } = this.deps;
    const allowed = await allowedEntityRefs(permissions, decisions, caller, permission, entityRefs);
    const scope = await this.customerScope(caller);
    if (!scope) return allowed;
    const kept = await Promise.all([...allowed].map(async ref => ((await this.inScope(scope, ref)) ? ref : undefined)));
    return new Set(kept.filter((r): r is string => !!r));
  }

  /**
   * The entity, read as the caller may read it; 404 with the missing-entity message when the
   * caller may not read it, whatever the reason (policy, catalog visibility, customer).
   */
  async requireReadable(caller: Caller, entityRef: string): Promise<LadderEntity> {
    try {
      await this.authorize(caller, ladderEntityReadPermission, entityRef);
    } catch (error) {
      if (error instanceof NotAllowedError) throw noSuchEntity(entityRef);
      throw error;
    }
    const target = await this.deps.entities.load(entityRef, caller.credentials);
    if (!(await this.inScope(await this.customerScope(caller), entityRef))) throw noSuchEntity(entityRef);
    return target;
  }

  /** Like requireReadable, and then the permission for the action (403 when only that is denied). */
  async requireAllowed(
    caller: Caller,
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
  ): Promise<LadderEntity> {
    const target = await this.requireReadable(caller, entityRef);
    await this.authorize(caller, permission, entityRef);
    return target;
  }

  /**
   * Enrolment is for the entity's owners and operators, on behalf of a person: the scaffolder
   * enrols with the token of whoever ran the template, so a template can place only what that
   * person owns.
   */
  async requireOwnerOrOperator(caller: Caller, target: LadderEntity): Promise<void> {
    if (!caller.userRef) {
      throw new NotAllowedError(
        `enrolling ${target.entityRef} is done on behalf of a person who owns it: a service token cannot enrol (the scaffolder action calls with the credentials of whoever ran the template)`,
      );
    }
    const { entity } = target;
    const owner = typeof entity.spec?.owner === 'string' ? entity.spec.owner : undefined;
    const defaults = { defaultKind: 'group', defaultNamespace: entity.metadata.namespace ?? 'default' };
    const ownerRefs = [
      ...new Set(
        [...(owner ? [owner] : []), ...(entity.relations ?? []).filter(r => r.type === RELATION_OWNED_BY).map(r => r.targetRef)]
          .map(r => stringifyEntityRef(parseEntityRef(r, defaults)).toLocaleLowerCase('en-US')),
      ),
    ];
    if (ownerRefs.includes(caller.userRef)) return;
    const groups = [...new Set([...ownerRefs.filter(r => r.startsWith('group:')), this.deps.operatorsGroup])];
    if (await this.deps.memberships.isMember(caller.userRef, groups)) return;
    throw new NotAllowedError(
      `${caller.userRef} may not enrol ${target.entityRef}: only its owners (${ownerRefs.join(', ') || 'none named'}) and ${this.deps.operatorsGroup} may; ask an owner, or set spec.owner to a group you are a member of`,
    );
  }
}
