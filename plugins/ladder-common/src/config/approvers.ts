import { z } from 'zod';

/**
 * Who approves promotions into a rung. Two spellings, one meaning:
 *
 * - `{ groups, minimum }`: one rule, `minimum` distinct people from any of `groups`;
 * - `{ rules: [{ groups, minimum, title? }, ...] }`: every rule must hold at once, and one person
 *   counts towards one rule only (a person in two groups is never counted twice).
 *
 * Both parse to the same shape: `rules` (always at least one) plus `groups` (every group of every
 * rule) and `minimum` (the sum of the rules' minimums: the distinct people needed in all), so code
 * that asks "who may approve at all" or "how many people" keeps working.
 */

const groupRefPattern =
  /^group:([a-z0-9][a-z0-9._-]*\/)?[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** At most this many rules per rung: the checklist has to stay readable, the matching small. */
export const MAX_APPROVAL_RULES = 8;

const groupsSchema = z
  .array(
    z
      .string()
      .regex(
        groupRefPattern,
        'approver groups are catalog group refs, e.g. "group:default/operators"',
      ),
  )
  .min(1, 'name at least one approver group');

export const approvalRuleSchema = z.strictObject({
  groups: groupsSchema,
  minimum: z.number().int().min(1).default(1),
  /** What the rule is for, shown on the checklist, e.g. "Customer sign-off". */
  title: z.string().min(1).optional(),
});
/** @public */
export type ApprovalRuleConfig = z.output<typeof approvalRuleSchema>;

/** @public */
export type ApproversConfig = {
  /** Every group of every rule, without duplicates. */
  groups: string[];
  /** Distinct people needed in all: the sum of the rules' minimums. */
  minimum: number;
  /** All must hold; one person counts towards one rule only. */
  rules: Array<{ groups: string[]; minimum: number; title: string }>;
  /** The requester never approves their own promotion. Always on; kept explicit for readers. */
  fourEyes: true;
};

/** The default title of a rule: "1 of group:default/operators". */
export function approvalRuleTitle(rule: { groups: readonly string[]; minimum: number }): string {
  return `${rule.minimum} of ${rule.groups.join(' or ')}`;
}

/** Builds the parsed shape from rules (also used when a customer's groups replace others). */
export function approversFromRules(
  rules: ReadonlyArray<{ groups: readonly string[]; minimum: number; title?: string }>,
): ApproversConfig {
  const normalized = rules.map(r => ({
    groups: [...new Set(r.groups)],
    minimum: r.minimum,
    title: r.title ?? approvalRuleTitle(r),
  }));
  return {
    groups: [...new Set(normalized.flatMap(r => r.groups))],
    minimum: normalized.reduce((sum, r) => sum + r.minimum, 0),
    rules: normalized,
    fourEyes: true,
  };
}

export const approversSchema = z
  .strictObject({
    groups: groupsSchema.optional(),
    minimum: z.number().int().min(1).optional(),
    rules: z
      .array(approvalRuleSchema)
      .min(1, 'name at least one approval rule: { groups, minimum, title? }')
      .max(
        MAX_APPROVAL_RULES,
        `at most ${MAX_APPROVAL_RULES} approval rules per rung; merge rules that name the same groups`,
      )
      .optional(),
    fourEyes: z.literal(true).default(true),
  })
  .superRefine((a, ctx) => {
    if (a.rules && (a.groups || a.minimum !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules'],
        message:
          'approvers has both rules and groups/minimum: move groups and minimum into one of the rules ({ rules: [{ groups, minimum, title? }] })',
      });
    } else if (!a.rules && !a.groups) {
      ctx.addIssue({
        code: 'custom',
        path: ['groups'],
        message:
          'approvers names nobody: add groups (catalog group refs) and minimum, or rules: [{ groups, minimum, title? }]',
      });
    }
  })
  .transform(
    (a): ApproversConfig =>
      approversFromRules(
        a.rules ?? [{ groups: a.groups ?? [], minimum: a.minimum ?? 1 }],
      ),
  );
