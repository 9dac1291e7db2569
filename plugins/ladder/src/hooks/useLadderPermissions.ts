import { usePermission } from '@backstage/plugin-permission-react';
import {
  evidenceCreatePermission,
  promotionApprovePermission,
  promotionBreakGlassPermission,
  promotionCancelPermission,
  promotionCreatePermission,
  promotionRecheckPermission,
} from '@khal/plugin-ladder-common';
import type { LadderPermissionDecisions } from '../promotions/actionAvailability';

/**
 * What the signed-in user may do to one entity's ladder. Used to disable controls with a reason;
 * the backend checks the same permissions on every write.
 */
export function useLadderPermissions(entityRef: string): LadderPermissionDecisions {
  const decide = (r: { loading: boolean; allowed: boolean }) => (r.loading ? undefined : r.allowed);
  const approve = usePermission({ permission: promotionApprovePermission, resourceRef: entityRef });
  const cancel = usePermission({ permission: promotionCancelPermission, resourceRef: entityRef });
  const recheck = usePermission({ permission: promotionRecheckPermission, resourceRef: entityRef });
  const create = usePermission({ permission: promotionCreatePermission, resourceRef: entityRef });
  const evidence = usePermission({ permission: evidenceCreatePermission, resourceRef: entityRef });
  const breakGlass = usePermission({ permission: promotionBreakGlassPermission, resourceRef: entityRef });
  return {
    approve: decide(approve),
    cancel: decide(cancel),
    recheck: decide(recheck),
    create: decide(create),
    evidence: decide(evidence),
    breakGlass: decide(breakGlass),
  };
}
