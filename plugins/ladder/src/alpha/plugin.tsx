import LinearScaleIcon from '@material-ui/icons/LinearScale';
import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { compatWrapper, convertLegacyRouteRef } from '@backstage/core-compat-api';
import { LADDER_ANNOTATION, MANIFEST_PROBLEM_ANNOTATION } from '@khal/plugin-ladder-common';
import { LadderClient, ladderApiRef } from '../api';
import { approvalsRouteRef, rootRouteRef } from '../routes';

/**
 * Entities that are on a ladder. A predicate rather than a function, so an app can override it
 * in app-config (`app.extensions[].entity-card:ladder.config.filter`).
 */
const onALadder = { [`metadata.annotations.${LADDER_ANNOTATION}`]: { $exists: true } };

export const ladderApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: ladderApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new LadderClient({ discoveryApi, fetchApi }),
    }),
});

export const ladderEntityCard = EntityCardBlueprint.make({
  name: 'ladder',
  params: {
    filter: onALadder,
    loader: () =>
      import('../components/EntityLadderCard').then(m =>
        compatWrapper(<m.EntityLadderCard />),
      ),
  },
});

/**
 * The catalog's finding about a missing or invalid khal-app.json, at the top of the overview
 * (`entity-card:ladder/manifest-problem`): the catalog keeps such an entity and records the problem
 * as an annotation, so the stock processing-errors panel does not show it.
 */
export const manifestProblemEntityCard = EntityCardBlueprint.make({
  name: 'manifest-problem',
  params: {
    filter: { [`metadata.annotations.${MANIFEST_PROBLEM_ANNOTATION}`]: { $exists: true } },
    loader: () =>
      import('../components/ManifestProblem').then(m =>
        compatWrapper(<m.ManifestProblemPanel />),
      ),
  },
});

export const ladderEntityContent = EntityContentBlueprint.make({
  name: 'ladder',
  params: {
    path: 'ladder',
    title: 'Ladder',
    filter: onALadder,
    loader: () =>
      import('../components/EntityLadderContent').then(m =>
        compatWrapper(<m.EntityLadderContent />),
      ),
  },
});

/** `/ladder`: the overview matrix; `/ladder/approvals`: the approvals inbox. Also the nav item. */
export const ladderPage = PageBlueprint.make({
  params: {
    path: '/ladder',
    title: 'Ladder',
    icon: <LinearScaleIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('../components/LadderPage').then(m => compatWrapper(<m.LadderPage />)),
  },
});

/**
 * The Khal Ladder plugin for apps on the new frontend system: the ladder API, the entity card
 * and tab (on entities with the `khal.ai/ladder` annotation) and the ladder page with its nav item.
 *
 * @alpha
 */
export const ladderPlugin = createFrontendPlugin({
  pluginId: 'ladder',
  title: 'Ladder',
  icon: <LinearScaleIcon />,
  info: { packageJson: () => import('../../package.json') },
  routes: {
    root: convertLegacyRouteRef(rootRouteRef),
    approvals: convertLegacyRouteRef(approvalsRouteRef),
  },
  extensions: [ladderApi, manifestProblemEntityCard, ladderEntityCard, ladderEntityContent, ladderPage],
});
