import type { Approval } from '@khal/plugin-ladder-common';

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/** An approval with the verdict of whether it counts toward the quorum now. */
export type JudgedApproval = Approval & { counted?: boolean; why?: string };

/**
 * Decides which approvals count, over ALL approvals of a promotion, at decision time: distinct
 * people, never the requester, and only people who are members of the approver groups NOW (an
 * approval of someone who left the group since no longer counts). Rejections carry no verdict.
 * Pure: the caller supplies the members it read (fresh for a decision, cached for a view).
 */
export function judgeApprovals(
  approvals: Approval[],
  rule: {
    members: readonly string[];
    groups: readonly string[];
    requester: string;
  },
): { judged: JudgedApproval[]; counted: Approval[] } {
  const members = new Set(rule.members.map(lower));
  const seen = new Set<string>();
  const counted: Approval[] = [];
  const judged = approvals.map((a): JudgedApproval => {
    if (a.decision !== 'approve') return a;
    const who = lower(a.approver);
    let why: string | undefined;
    if (who === lower(rule.requester)) {
      why = 'the requester never approves their own promotion (four eyes)';
    } else if (!members.has(who)) {
      why = `${a.approver} is no longer a member of ${rule.groups.join(
        ' or ',
      )}`;
    } else if (seen.has(who)) {
      why = `${a.approver} is already counted once`;
    }
    if (why) return { ...a, counted: false, why };
    seen.add(who);
    counted.push(a);
    return { ...a, counted: true };
  });
  return { judged, counted };
}
