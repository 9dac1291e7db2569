/**
 * One line for where approvals stand, the same in the gate summary, phase messages and audit:
 * "1 of 2 approval(s) from group:default/operators" for one rule, and for several
 * "Customer sign-off: 1 of 1 (done); Second operator: 0 of 1".
 */
export function rulesSummary(
  rules: ReadonlyArray<{ title: string; groups: readonly string[]; minimum: number; approvedBy: readonly string[] }>,
): string {
  if (rules.length === 1) {
    const [r] = rules;
    return `${Math.min(r.approvedBy.length, r.minimum)} of ${r.minimum} approval(s) from ${r.groups.join(', ')}`;
  }
  return rules
    .map(
      r =>
        `${r.title}: ${Math.min(r.approvedBy.length, r.minimum)} of ${r.minimum}${
          r.approvedBy.length >= r.minimum ? ' (done)' : ` from ${r.groups.join(' or ')}`
        }`,
    )
    .join('; ');
}
