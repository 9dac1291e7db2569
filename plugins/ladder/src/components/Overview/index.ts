export { LadderOverviewPage } from './LadderOverviewPage';
