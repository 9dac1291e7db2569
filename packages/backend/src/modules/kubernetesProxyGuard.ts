import { HttpAuthService } from '@backstage/backend-plugin-api';
import { NotAllowedError, serializeError } from '@backstage/errors';
import { NextFunction, Request, Response } from 'express';

/*
 * The Kubernetes proxy forwards any method and path to a cluster with the portal's own
 * credentials, and the `kubernetes.proxy` permission carries neither. The policy gives the
 * permission to operators only; this guard narrows what a person may send through it to the
 * read-only calls the stock Kubernetes tab makes: an object's events and a pod's logs. Service
 * principals (the ladder's cluster reads) pass unchanged: they never reach the policy either.
 */

// Kubernetes names (RFC 1123 labels and subdomains). Anything else, including percent-encoding
// and `..`, does not match, so a path cannot be dressed up to reach another resource.
const NAME = '[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?';

/** The read-only proxy calls a person may make, and why the tab needs each. */
export const ALLOWED_PROXY_READS: ReadonlyArray<{
  path: RegExp;
  what: string;
}> = [
  {
    path: new RegExp(`^/api/v1/namespaces/${NAME}/events$`),
    what: 'GET /api/v1/namespaces/{namespace}/events (the events of an object)',
  },
  {
    path: new RegExp(`^/api/v1/namespaces/${NAME}/pods/${NAME}/log$`),
    what: 'GET /api/v1/namespaces/{namespace}/pods/{pod}/log (a pod’s logs)',
  },
];

/** Whether a person may send this request through the proxy (path relative to `/proxy`). */
export function isAllowedProxyRead(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return ALLOWED_PROXY_READS.some(r => r.path.test(path));
}

/** Express middleware for `/proxy`; answers 403 with what is allowed instead. */
export function createKubernetesProxyGuard(httpAuth: HttpAuthService) {
  return async (req: Request, res: Response, next: NextFunction) => {
    let isService = false;
    try {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      isService = credentials.principal.type === 'service';
    } catch {
      // Not signed in: the proxy's own authentication answers it.
      next();
      return;
    }
    // The Upgrade header turns a GET into exec/attach/port-forward; a person never gets those.
    const upgrade = req.headers.upgrade !== undefined;
    if (isService || (!upgrade && isAllowedProxyRead(req.method, req.path))) {
      next();
      return;
    }
    const error = new NotAllowedError(
      `The Kubernetes proxy does not forward ${req.method} ${req.path} for people: the portal ` +
        `only reads clusters. Allowed to operators: ${ALLOWED_PROXY_READS.map(
          r => r.what,
        ).join(
          '; ',
        )}. Change clusters through the ladder (promotions) or with your own ` +
        `cluster credentials.`,
    );
    res.status(403).json({ error: serializeError(error) });
  };
}
