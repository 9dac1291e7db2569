import type { BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import { PromiseCache } from '@khal/plugin-ladder-node';

/** How long a user's policy decision for a permission is reused, by default (ms). */
export const PERMISSION_DECISION_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * The permission policy's decision for a caller and a permission, reused for a few seconds.
 *
 * A Backstage permission policy decides on the permission and the user, never on a resource: a
 * resource comes in only through the conditions of a CONDITIONAL decision, which the plugin that
 * owns the resource applies. So one decision per user and permission holds for every entity: an
 * unconditional ALLOW or DENY answers the next requests without a round trip to the permission
 * backend, and only CONDITIONAL decisions are still resolved per entity (by the caller of this).
 * A changed policy or group membership takes effect after at most `ttlMs` (0 asks every time).
 * Service principals are not cached (the permission client decides them locally).
 */
export class PermissionDecisions {
  private readonly cache: PromiseCache<string, AuthorizeResult>;

  constructor(
    private readonly permissions: PermissionsService,
    private readonly options: { ttlMs: number; now?: () => number } = { ttlMs: PERMISSION_DECISION_TTL_MS },
  ) {
    this.cache = new PromiseCache({ ttlMs: options.ttlMs, maxEntries: MAX_ENTRIES, now: options.now });
  }

  /** ALLOW, DENY or (for resource permissions) CONDITIONAL. */
  policyDecision(
    credentials: BackstageCredentials,
    permission: BasicPermission | ResourcePermission,
  ): Promise<AuthorizeResult> {
    const principal = credentials.principal as { type?: string; userEntityRef?: string };
    if (this.options.ttlMs <= 0 || principal.type !== 'user' || !principal.userEntityRef) {
      return this.ask(credentials, permission);
    }
    // A failed request is not remembered: the next caller asks again.
    return this.cache.get(`${principal.userEntityRef}\u0000${permission.name}`, () =>
      this.ask(credentials, permission),
    );
  }

  private async ask(
    credentials: BackstageCredentials,
    permission: BasicPermission | ResourcePermission,
  ): Promise<AuthorizeResult> {
    if (isResourcePermission(permission)) {
      const [decision] = await this.permissions.authorizeConditional([{ permission }], { credentials });
      return decision.result;
    }
    const [decision] = await this.permissions.authorize([{ permission }], { credentials });
    return decision.result;
  }
}
