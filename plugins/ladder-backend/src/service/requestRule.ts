import type { RungConfig } from '@khal/plugin-ladder-common';
import type { GroupMemberships } from './GroupMemberships';

/**
 * Who may request a promotion onto a rung, beyond the `ladder.promotion.create` permission: on an
 * `operators` rung only members of the operators group. One rule for the request itself
 * (POST /promotions refuses with this reason) and for the entity view, which tells the signed-in
 * user before a click whether a request to each rung would be refused and why.
 * @returns the refusal, or undefined when the user may request.
 */
export async function requestRefusal(
  deps: { memberships: GroupMemberships; operatorsGroup: string },
  user: string | undefined,
  rung: RungConfig,
): Promise<string | undefined> {
  if (rung.mutationPolicy !== 'operators') return undefined;
  if (user && (await deps.memberships.isMember(user, [deps.operatorsGroup]))) return undefined;
  return `only members of ${deps.operatorsGroup} may request promotions to ${rung.title} (mutation policy "operators"); ask an operator`;
}
