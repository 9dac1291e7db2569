import { unblockersText, whoCanUnblock } from '@khal/plugin-ladder-common';
import type { EntityLadderResponse, RungSummary } from '../client/contract';

/**
 * The "whom to ask" line of the step footer, from the same ladder-common definition as the
 * portal's and `khal help-request`'s: the rung's contacts and approver groups (with how many
 * approvals it needs) and the help-request command; with neither, the owner of the entity.
 */
export function whomToAskLine(
  rung: RungSummary,
  view: Pick<EntityLadderResponse, 'entityRef'>,
): string {
  const who = whoCanUnblock(rung, { target: rung.id, entityRef: view.entityRef });
  const people = unblockersText(who, rung.title);
  return people
    ? `${people}; ${who.helpCommand}`
    : `the owner of ${view.entityRef} (\`khal context\` names it); ${rung.id} has no contacts or approvers configured`;
}
