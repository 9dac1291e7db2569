import {
  isPromotionPhase,
  isTerminal,
  phaseLabel,
  promotionApprovePermission,
  promotionBreakGlassPermission,
  promotionCancelPermission,
  promotionRecheckPermission,
  type Promotion,
} from '@khal/plugin-ladder-common';
import { shortEntityRef } from '../format/shortRef';

/** Whether an action may be taken, and if not, a sentence that says why. */
export interface ActionAvailability {
  allowed: boolean;
  /** Present when `allowed` is false: shown next to the disabled control. */
  reason?: string;
}

/** Who is signed in, as the identity API says. */
export interface SignedInUser {
  userEntityRef: string;
  ownershipEntityRefs: string[];
}

/** The permission decisions the UI knows for one entity (undefined: still loading). */
export interface LadderPermissionDecisions {
  approve?: boolean;
  cancel?: boolean;
  recheck?: boolean;
  create?: boolean;
  evidence?: boolean;
  breakGlass?: boolean;
}

const same = (a: string, b: string) => a.toLocaleLowerCase('en-US') === b.toLocaleLowerCase('en-US');
const allowed: ActionAvailability = { allowed: true };
const no = (reason: string): ActionAvailability => ({ allowed: false, reason });

function isOpen(p: Promotion): boolean {
  return !(isPromotionPhase(p.phase) && isTerminal(p.phase));
}

function closedReason(p: Promotion): string {
  const label = isPromotionPhase(p.phase) ? phaseLabel(p.phase) : p.phase;
  return `this promotion is ${label.toLocaleLowerCase('en-US')}; nothing can change it any more`;
}

function listGroups(groups: string[]): string {
  const names = groups.map(shortEntityRef);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * Whether the signed-in user may approve or reject a promotion, and why not. The backend decides
 * in the end; this only spares people a button that is bound to fail. Checked in the order a
 * person would ask: is it still open, is it mine, did I already decide, may I at all, am I one of
 * the approvers.
 */
export function approveAvailability(
  promotion: Promotion,
  user: SignedInUser | undefined,
  permissions: LadderPermissionDecisions,
): ActionAvailability {
  if (!isOpen(promotion)) return no(closedReason(promotion));
  const requirement = promotion.approvalRequirement;
  if (!requirement) return no('this rung needs no approval');
  if (!user) return no('checking who you are…');
  if (same(promotion.requestedBy, user.userEntityRef)) {
    return no('you requested this promotion; another approver is needed');
  }
  if (promotion.approvals.some(a => same(a.approver, user.userEntityRef))) {
    return no('you already decided on this promotion');
  }
  if (permissions.approve === undefined) return no('checking your permissions…');
  if (!permissions.approve) {
    return no(`you lack permission ${promotionApprovePermission.name}`);
  }
  if (!requirement.eligible.some(e => same(e, user.userEntityRef))) {
    return no(`only members of ${listGroups(requirement.groups)} can approve`);
  }
  return allowed;
}

/** Whether the signed-in user may cancel an open promotion. */
export function cancelAvailability(
  promotion: Promotion,
  permissions: LadderPermissionDecisions,
): ActionAvailability {
  if (!isOpen(promotion)) return no(closedReason(promotion));
  if (permissions.cancel === undefined) return no('checking your permissions…');
  if (!permissions.cancel) return no(`you lack permission ${promotionCancelPermission.name}`);
  return allowed;
}

/** Whether the signed-in user may ask for the gates of an open promotion to be checked again. */
export function recheckAvailability(
  promotion: Promotion,
  permissions: LadderPermissionDecisions,
): ActionAvailability {
  if (!isOpen(promotion)) return no(closedReason(promotion));
  if (permissions.recheck === undefined) return no('checking your permissions…');
  if (!permissions.recheck) return no(`you lack permission ${promotionRecheckPermission.name}`);
  return allowed;
}

/** Whether a promotion is still open (not in a terminal phase). */
export { isOpen as isOpenPromotion };

/**
 * Whether the signed-in user may break the glass on a promotion: open and not yet cleared, its
 * gates failing (other than approval), not broken already, and the permission. The backend also
 * requires membership of the operators group and refuses to override approvals.
 */
export function breakGlassAvailability(
  promotion: Promotion,
  permissions: LadderPermissionDecisions,
): ActionAvailability {
  if (!isOpen(promotion)) return no(closedReason(promotion));
  if (promotion.breakGlass) return no(`${promotion.breakGlass.by} already broke the glass on it`);
  if (!['Checking', 'Blocked'].includes(promotion.phase)) {
    return no('its gates already pass; approvals are never overridden');
  }
  if (permissions.breakGlass === undefined) return no('checking your permissions…');
  if (!permissions.breakGlass) return no(`you lack permission ${promotionBreakGlassPermission.name}`);
  return allowed;
}

/** Whether the signed-in user may acknowledge the review of a break-glass (never the breaker). */
export function reviewAvailability(
  promotion: Promotion,
  user: SignedInUser | undefined,
  permissions: LadderPermissionDecisions,
): ActionAvailability {
  const glass = promotion.breakGlass;
  if (!glass) return no('nobody broke the glass on this promotion');
  if (glass.review) return no(`already acknowledged by ${glass.review.by}`);
  if (!user) return no('checking who you are…');
  if (same(glass.by, user.userEntityRef)) return no('you broke the glass; someone else acknowledges the review');
  if (permissions.approve === undefined) return no('checking your permissions…');
  if (!permissions.approve) return no(`you lack permission ${promotionApprovePermission.name}`);
  return allowed;
}
