/**
 * Khal Ladder frontend: the ladder on entity pages, the services × rungs overview and the
 * approvals inbox. Apps on the new frontend system use `@khal/plugin-ladder/alpha`.
 *
 * @packageDocumentation
 */
export {
  ladderPlugin,
  isLadderAvailable,
  EntityLadderCard,
  EntityLadderContent,
  LadderOverviewPage,
  LadderApprovalsPage,
} from './plugin';
export { LadderApprovalsSidebarItem } from './components/Approvals/LadderApprovalsSidebarItem';
export { ManifestProblemPanel as EntityManifestProblemPanel, hasManifestProblem } from './components/ManifestProblem';
export * from './api';
export { rootRouteRef as ladderRouteRef } from './routes';
