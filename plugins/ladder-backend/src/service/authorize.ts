import type { PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { Caller } from './Caller';

/** Checks one permission for the caller and throws NotAllowedError (403) when it is denied. */
export type Authorize = (
  caller: Caller,
  permission: BasicPermission | ResourcePermission<'catalog-entity'>,
  entityRef?: string,
) => Promise<void>;

export function createAuthorize(permissions: PermissionsService): Authorize {
  return async (caller, permission, entityRef) => {
    const request =
      permission.type === 'resource'
        ? { permission: permission as ResourcePermission<'catalog-entity'>, resourceRef: entityRef! }
        : { permission: permission as BasicPermission };
    const [decision] = await permissions.authorize([request as any], {
      credentials: caller.credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `${caller.actor} may not ${permission.name}${entityRef ? ` on ${entityRef}` : ''} (denied by the permission policy)`,
      );
    }
  };
}

/** The entity refs among `entityRefs` for which the caller holds a resource permission (one batch call). */
export async function allowedEntityRefs(
  permissions: PermissionsService,
  caller: Caller,
  permission: ResourcePermission<'catalog-entity'>,
  entityRefs: string[],
): Promise<Set<string>> {
  const unique = [...new Set(entityRefs)];
  if (unique.length === 0) return new Set();
  const decisions = await permissions.authorize(
    unique.map(resourceRef => ({ permission, resourceRef })),
    { credentials: caller.credentials },
  );
  return new Set(unique.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW));
}
