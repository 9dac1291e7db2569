import type { Approval, ApproversConfig } from '@khal/plugin-ladder-common';
import { judgeApprovals, type JudgedApproval } from '../service/approvalEligibility';
import type { GroupMemberships } from '../service/GroupMemberships';
import { matchApprovalRules } from './ruleMatching';

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/** One approval rule as it stands: who counts towards it and who still can approve for it. */
export type RuleStanding = {
  title: string;
  groups: string[];
  minimum: number;
  /** People counted towards this rule (each person towards one rule only). */
  approvedBy: string[];
  /** Members of the rule's groups who have not decided and are not the requester. */
  eligible: string[];
  satisfied: boolean;
};

/** Where a promotion's approvals stand against all rules of its rung. */
export type ApprovalStanding = {
  /** Every decision, each approval with whether it counts and why not. */
  judged: JudgedApproval[];
  /** Approvals assigned to a rule (at most the sum of the minimums). */
  matched: Approval[];
  rules: RuleStanding[];
  /** Every rule holds. */
  met: boolean;
};

/** Members of each approver group (lower-case refs), read fresh for decisions. */
export async function membersByGroup(
  memberships: GroupMemberships,
  groups: readonly string[],
  options: { fresh?: boolean } = {},
): Promise<Map<string, string[]>> {
  const lists = await Promise.all(
    groups.map(async g => [lower(g), await memberships.membersOf(g, options)] as const),
  );
  return new Map(lists);
}

/**
 * Judges approvals against the rung's rules at decision time: eligibility first (distinct
 * people, never the requester, members of an approver group now), then an assignment of the
 * eligible people to rules in which each person counts once (see matchApprovalRules).
 */
export function approvalStanding(
  approvals: Approval[],
  input: {
    approvers: ApproversConfig;
    members: ReadonlyMap<string, readonly string[]>;
    requester: string;
  },
): ApprovalStanding {
  const { approvers, members, requester } = input;
  const everyone = [...new Set([...members.values()].flat().map(lower))].sort();
  const { judged, counted } = judgeApprovals(approvals, {
    members: everyone,
    groups: approvers.groups,
    requester,
  });
  const groupsOf = new Map<string, Set<string>>();
  for (const [group, list] of members) {
    for (const m of list) {
      const key = lower(m);
      groupsOf.set(key, (groupsOf.get(key) ?? new Set()).add(group));
    }
  }
  const people = counted.map(a => lower(a.approver));
  const match = matchApprovalRules(approvers.rules, people, p => groupsOf.get(p) ?? new Set());
  const assigned = new Set(match.counted.flat());
  const deciders = new Set(approvals.map(a => lower(a.approver)));
  const rules = approvers.rules.map((rule, i): RuleStanding => {
    const ruleMembers = [
      ...new Set(rule.groups.flatMap(g => members.get(lower(g)) ?? []).map(lower)),
    ].sort();
    return {
      title: rule.title,
      groups: rule.groups,
      minimum: rule.minimum,
      approvedBy: counted
        .filter(a => match.counted[i].includes(lower(a.approver)))
        .map(a => a.approver),
      eligible: ruleMembers.filter(m => m !== lower(requester) && !deciders.has(m)),
      satisfied: match.satisfied[i],
    };
  });
  return {
    judged,
    matched: counted.filter(a => assigned.has(lower(a.approver))),
    rules,
    met: match.met,
  };
}
