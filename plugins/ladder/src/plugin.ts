import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { LADDER_ANNOTATION } from '@khal/plugin-ladder-common';
import { LadderClient, ladderApiRef } from './api';
import { approvalsPageRouteRef, rootRouteRef } from './routes';

/**
 * The Khal Ladder frontend plugin for legacy Backstage apps. Apps on the new frontend system
 * use the default export of `@khal/plugin-ladder/alpha` instead.
 *
 * @public
 */
export const ladderPlugin = createPlugin({
  id: 'ladder',
  apis: [
    createApiFactory({
      api: ladderApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new LadderClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef, approvals: approvalsPageRouteRef },
});

/**
 * Whether an entity is on a ladder (carries the `khal.ai/ladder` annotation); use it with
 * `EntitySwitch` to show the card and tab only where they mean something.
 *
 * @public
 */
export function isLadderAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[LADDER_ANNOTATION]);
}

/** The ladder at a glance, for an entity's overview tab. @public */
export const EntityLadderCard = ladderPlugin.provide(
  createComponentExtension({
    name: 'EntityLadderCard',
    component: {
      lazy: () => import('./components/EntityLadderCard').then(m => m.EntityLadderCard),
    },
  }),
);

/** The entity's Ladder tab: rungs, the open promotion, actions and the audit trail. @public */
export const EntityLadderContent = ladderPlugin.provide(
  createComponentExtension({
    name: 'EntityLadderContent',
    component: {
      lazy: () =>
        import('./components/EntityLadderContent').then(m => m.EntityLadderContent),
    },
  }),
);

/**
 * The ladder page: the services × rungs overview at its root and the approvals inbox at
 * `approvals` below it. Mount it at `/ladder`.
 *
 * @public
 */
export const LadderOverviewPage = ladderPlugin.provide(
  createRoutableExtension({
    name: 'LadderOverviewPage',
    component: () =>
      import('./components/LadderPage').then(m => m.LegacyLadderPage),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The approvals inbox alone, for apps that want it at a path of their own. `LadderOverviewPage`
 * already serves it at `/ladder/approvals`.
 *
 * @public
 */
export const LadderApprovalsPage = ladderPlugin.provide(
  createRoutableExtension({
    name: 'LadderApprovalsPage',
    component: () =>
      import('./components/LadderPage').then(m => m.LegacyLadderApprovalsPage),
    mountPoint: approvalsPageRouteRef,
  }),
);
