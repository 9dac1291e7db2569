import Badge from '@material-ui/core/Badge';
import AssignmentTurnedInIcon from '@material-ui/icons/AssignmentTurnedIn';
import { SidebarItem } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { INBOX_LIMIT, useAwaitingMyApproval } from '../../hooks/useAwaitingMyApproval';
import { approvalsRouteRef } from '../../routes';

function useApprovalsPath(): string {
  try {
    return useRouteRef(approvalsRouteRef)();
  } catch {
    // The ladder page is not bound to a route ref in this app: use its default path.
    return '/ladder/approvals';
  }
}

export interface LadderApprovalsSidebarItemProps {
  /** Sidebar text; "Approvals" by default. */
  text?: string;
}

/**
 * A sidebar item linking to the approvals inbox, with a badge counting the promotions waiting
 * for the signed-in user. Updates live through signals. Works in legacy sidebars and in a new
 * frontend system `NavContentBlueprint`.
 *
 * @public
 */
export function LadderApprovalsSidebarItem(props: LadderApprovalsSidebarItemProps) {
  const { text = 'Approvals' } = props;
  const to = useApprovalsPath();
  const { value } = useAwaitingMyApproval();
  const count = value?.items.length ?? 0;
  const label = count >= INBOX_LIMIT ? '99+' : String(count);
  const Icon = () => (
    <Badge badgeContent={count > 0 ? label : undefined} color="secondary" overlap="rectangular">
      <AssignmentTurnedInIcon />
    </Badge>
  );
  return (
    <SidebarItem
      icon={Icon}
      to={to}
      text={text}
      hasNotifications={count > 0}
      aria-label={count > 0 ? `${text}: ${label} waiting for you` : text}
    />
  );
}
