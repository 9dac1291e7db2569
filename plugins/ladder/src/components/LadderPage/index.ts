export { LadderPage } from './LadderPage';
export { LegacyLadderPage, LegacyLadderApprovalsPage } from './LegacyLadderPage';
