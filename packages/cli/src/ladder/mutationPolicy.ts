import type { RungSummary } from '../client/contract';

/** Who may change the rung and when, in a sentence a person reads. */
export function mutationPolicyInWords(rung: RungSummary): string {
  switch (rung.mutationPolicy) {
    case 'self':
      return 'self: you deploy to your own machine whenever you like';
    case 'after-dry-run':
      return 'after-dry-run: any FDE may deploy a ref once a clean dry-run of that ref is recorded for this rung';
    case 'approval': {
      const a = rung.approvers;
      const who = a
        ? `${a.minimum} approval${
            a.minimum === 1 ? '' : 's'
          } from ${a.groups.join(' or ')}`
        : 'approvals';
      return `approval: needs ${who} — never the requester's own`;
    }
    case 'operators':
      return 'operators: only members of the operators group may change this rung';
    default:
      return String(rung.mutationPolicy);
  }
}
