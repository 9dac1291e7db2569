import type { LadderGate } from '@khal/plugin-ladder-node';

/**
 * The rung's approvers agreed: every approval rule holds (`minimum` distinct people from its
 * `groups`, one person towards one rule), never the requester. Eligibility is checked when an approval is recorded; this gate counts them.
 */
export const approvalGate: LadderGate = {
  id: 'approval',
  title: 'Approved',
  description: 'A quorum of distinct members of the rung approver groups approved; the requester never counts.',
  async evaluate(ctx) {
    const approvers = ctx.rung.approvers;
    if (!approvers) {
      return {
        status: 'error',
        summary: `${ctx.rung.title} requires approval but names no approvers`,
        howToFix: `add approvers.groups and approvers.minimum to rung "${ctx.rung.id}" in the ladder config`,
      };
    }
    const groups = approvers.groups.join(', ');
    const rejection = ctx.approvals.find(a => a.decision === 'reject');
    if (rejection) {
      return { status: 'failed', summary: `rejected by ${rejection.approver}` };
    }
    const requester = ctx.promotion?.requestedBy;
    const people = [
      ...new Set(ctx.approvals.filter(a => a.decision === 'approve' && a.approver !== requester).map(a => a.approver)),
    ];
    // The engine hands over only approvals assigned to a rule (each person to one rule, a rule
    // to at most its minimum), so their number reaches the sum of minimums only when all hold.
    if (people.length >= approvers.minimum) {
      return { status: 'passed', summary: `approved by ${people.join(', ')}` };
    }
    const rules = approvers.rules.map(r => r.title).join(' AND ');
    return {
      status: 'pending',
      summary:
        approvers.rules.length > 1
          ? `${people.length} of ${approvers.minimum} approval(s): ${rules} (one person counts towards one rule)`
          : `${people.length} of ${approvers.minimum} approval(s) from ${groups}`,
      howToFix: `ask a member of ${groups} (not the requester) to approve`,
      waitingFor: `approval from ${groups}`,
    };
  },
};
