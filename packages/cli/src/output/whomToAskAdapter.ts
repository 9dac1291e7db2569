import type { EntityLadderResponse, RungSummary } from '../client/contract';

/*
 * The "whom to ask" line of the step footer. The CLI's shared helper for it
 * (output/whomToAsk.ts, from the environment-modes work) lands separately: once it is merged,
 * this adapter calls `whomToAsk(...)` and keeps the signature below, so no command changes.
 */

/**
 * Who can unblock a step on `rung`: the rung's contacts from the ladder config and its approver
 * groups (with how many approvals it needs); with neither, the owner of the entity.
 */
export function whomToAskLine(
  rung: RungSummary,
  view: Pick<EntityLadderResponse, 'entityRef'>,
): string {
  const contacts = rung.metadata?.contacts ?? [];
  const approvers = rung.approvers?.groups.length
    ? `${rung.approvers.groups.join(' or ')} (${
        rung.approvers.minimum
      } approval${rung.approvers.minimum === 1 ? '' : 's'} needed on ${
        rung.id
      })`
    : undefined;
  if (contacts.length) {
    return `${contacts.join(', ')} (contacts of ${rung.id})${
      approvers ? `; approvers: ${approvers}` : ''
    }`;
  }
  if (approvers) return approvers;
  return `the owner of ${view.entityRef} (\`khal context\` names it); ${rung.id} has no contacts or approvers configured`;
}
