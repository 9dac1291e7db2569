/**
 * Khal Ladder for the new frontend system.
 *
 * @packageDocumentation
 */
import { ladderPlugin } from './plugin';

export { ladderPlugin };
export { LadderApprovalsSidebarItem } from '../components/Approvals/LadderApprovalsSidebarItem';
export default ladderPlugin;
