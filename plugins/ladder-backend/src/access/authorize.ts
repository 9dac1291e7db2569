import type { PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { Caller } from './Caller';
import type { PermissionDecisions } from './PermissionDecisions';

/** Checks one permission for the caller and throws NotAllowedError (403) when it is denied. */
export type Authorize = (
  caller: Caller,
  permission: BasicPermission | ResourcePermission<'catalog-entity'>,
  entityRef?: string,
) => Promise<void>;

/**
 * The user's policy decision comes from {@link PermissionDecisions} (reused for a few seconds); a
 * CONDITIONAL one is resolved for the entity by the permission backend, every time.
 */
export function createAuthorize(permissions: PermissionsService, decisions: PermissionDecisions): Authorize {
  return async (caller, permission, entityRef) => {
    let result = await decisions.policyDecision(caller.credentials, permission);
    if (result === AuthorizeResult.CONDITIONAL && permission.type === 'resource' && entityRef) {
      const request = { permission: permission as ResourcePermission<'catalog-entity'>, resourceRef: entityRef };
      const [decision] = await permissions.authorize([request], { credentials: caller.credentials });
      result = decision.result;
    }
    if (result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `${caller.actor} may not ${permission.name}${entityRef ? ` on ${entityRef}` : ''} (denied by the permission policy)`,
      );
    }
  };
}

/** The entity refs among `entityRefs` for which the caller holds a resource permission (one batch call). */
export async function allowedEntityRefs(
  permissions: PermissionsService,
  decisions: PermissionDecisions,
  caller: Caller,
  permission: ResourcePermission<'catalog-entity'>,
  entityRefs: string[],
): Promise<Set<string>> {
  const unique = [...new Set(entityRefs)];
  if (unique.length === 0) return new Set();
  const policy = await decisions.policyDecision(caller.credentials, permission);
  if (policy === AuthorizeResult.ALLOW) return new Set(unique);
  if (policy === AuthorizeResult.DENY) return new Set();
  const perEntity = await permissions.authorize(
    unique.map(resourceRef => ({ permission, resourceRef })),
    { credentials: caller.credentials },
  );
  return new Set(unique.filter((_, i) => perEntity[i].result === AuthorizeResult.ALLOW));
}
