import { useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteParams, entityRouteRef } from '@backstage/plugin-catalog-react';

/** The path of the entity tab, relative to the entity page (the NFS default and the README's). */
type EntityRouteParams = { kind: string; namespace: string; name: string };

export const LADDER_TAB_PATH = 'ladder';

/**
 * Returns a function that builds the link to an entity's Ladder tab. Works wherever the catalog's
 * entity page is mounted; falls back to a catalog-shaped path when it is not (e.g. in isolation).
 */
export function useEntityLadderLink(): (entityRef: string) => string {
  let entityRoute: ((params: EntityRouteParams) => string) | undefined;
  try {
    // Always called, in the same order; only its "route not bound" error is caught, and the
    // binding of a route ref never changes while the app runs.
    // eslint-disable-next-line react-hooks/rules-of-hooks
    entityRoute = useRouteRef(entityRouteRef);
  } catch {
    entityRoute = undefined;
  }
  return (entityRef: string) => {
    const params = entityRouteParams(entityRef, { encodeParams: true });
    const base = entityRoute
      ? entityRoute(params)
      : `/catalog/${params.namespace}/${params.kind}/${params.name}`;
    return `${base.replace(/\/$/, '')}/${LADDER_TAB_PATH}`;
  };
}
