export { LadderApprovalsPage } from './LadderApprovalsPage';
export { LadderApprovalsSidebarItem } from './LadderApprovalsSidebarItem';
