import { NotAllowedError } from '@backstage/errors';
import { ServicePrincipalConfig, ServiceRoute, serviceRoutes } from '@khal/plugin-ladder-common';
import type { Caller } from './Caller';

/**
 * The service principals allowed to call the ladder, per route (`ladder.servicePrincipals`).
 *
 * A Backstage service token proves which plugin or external caller sent the request, but the
 * permission policy rarely tells services apart (the default policies allow every service), so
 * the ladder keeps its own short list: a service not named here, or calling a route it is not
 * named for, is refused before the route runs. People are not affected: the permission policy
 * decides for them.
 */
export class ServicePrincipals {
  private readonly allowed: Map<string, Set<ServiceRoute>>;

  constructor(principals: ServicePrincipalConfig[]) {
    this.allowed = new Map(principals.map(p => [p.subject, new Set(p.routes)]));
  }

  /** Whether `caller` may call `route`; users always pass here (their policy decides later). */
  allows(caller: Caller, route: ServiceRoute): boolean {
    if (caller.kind === 'user') return true;
    return this.allowed.get(caller.subject ?? '')?.has(route) ?? false;
  }

  /** Throws NotAllowedError (403) naming the config that would allow the call. */
  require(caller: Caller, route: ServiceRoute): void {
    if (this.allows(caller, route)) return;
    const subject = caller.subject ?? 'unknown';
    const granted = [...(this.allowed.get(subject) ?? [])];
    throw new NotAllowedError(
      `service principal ${subject} may not call ${serviceRoutes[route]} (route "${route}"): ${
        granted.length ? `it is allowed ${granted.join(', ')} only` : 'it is not in ladder.servicePrincipals'
      }; an admin can add { subject: ${subject}, routes: [${route}] } to ladder.servicePrincipals`,
    );
  }
}
