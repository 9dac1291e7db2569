/**
 * Assigns approvers to approval rules: each person counts towards one rule only, a rule takes at
 * most `minimum` people, and a person may fill a rule only if they are a member of one of its
 * groups. Among all assignments it picks one that satisfies the most rules (ties: the earlier
 * rules in config order), then fills what it can of the rest. Pure and small: a rung has at most
 * MAX_APPROVAL_RULES rules, so trying subsets of rules with a bipartite matching each is cheap.
 */

export type RuleToMatch = { minimum: number; groups: readonly string[] };

export type RuleMatch = {
  /** Per rule (config order): the people counted towards it, in the order given. */
  counted: string[][];
  /** Per rule: whether `minimum` people are counted towards it. */
  satisfied: boolean[];
  /** Whether every rule holds. */
  met: boolean;
};

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/**
 * Kuhn's augmenting paths over rule slots. `slots` lists, per slot, the rule it belongs to;
 * `allowed` says which slots are in play. Returns the slot held by each person (or -1).
 * An augmenting path never frees a slot once filled, so slots filled by a first call on a subset
 * stay filled when more slots are opened in a second call with the same `held`.
 */
function augment(
  canFill: boolean[][],
  slotRule: number[],
  allowed: (rule: number) => boolean,
  held: number[],
): number[] {
  const holder = new Array<number>(slotRule.length).fill(-1);
  held.forEach((slot, person) => {
    if (slot >= 0) holder[slot] = person;
  });
  const tryPerson = (person: number, visited: boolean[]): boolean => {
    for (let slot = 0; slot < slotRule.length; slot++) {
      const rule = slotRule[slot];
      if (visited[slot] || !allowed(rule) || !canFill[person][rule]) continue;
      visited[slot] = true;
      if (holder[slot] < 0 || tryPerson(holder[slot], visited)) {
        holder[slot] = person;
        held[person] = slot;
        return true;
      }
    }
    return false;
  };
  for (let person = 0; person < canFill.length; person++) {
    if (held[person] < 0) tryPerson(person, new Array(slotRule.length).fill(false));
  }
  // Rebuild from holders: a person moved along a path holds the slot recorded last.
  const result = new Array<number>(canFill.length).fill(-1);
  holder.forEach((person, slot) => {
    if (person >= 0) result[person] = slot;
  });
  return result;
}

/** Rule subsets, largest first; among equal sizes, those with earlier rules first. */
function subsetsLargestFirst(n: number): number[] {
  const masks = Array.from({ length: 1 << n }, (_, m) => m);
  const size = (m: number) => m.toString(2).replace(/0/g, '').length;
  // Reverse the bits so that a mask holding rule 0 sorts before one holding rule 1 at equal size.
  const key = (m: number) => parseInt(m.toString(2).padStart(n, '0').split('').reverse().join('') || '0', 2);
  return masks.sort((a, b) => size(b) - size(a) || key(b) - key(a));
}

/**
 * Matches people (distinct, already judged eligible) to rules. `groupsOf(person)` gives the
 * groups the person is a member of (refs compared case-insensitively).
 */
export function matchApprovalRules(
  rules: readonly RuleToMatch[],
  people: readonly string[],
  groupsOf: (person: string) => ReadonlySet<string>,
): RuleMatch {
  const canFill = people.map(p => {
    const mine = groupsOf(p);
    return rules.map(r => r.groups.some(g => mine.has(lower(g))));
  });
  const slotRule = rules.flatMap((r, i) => new Array<number>(r.minimum).fill(i));
  const fills = (held: number[], rule: number) =>
    held.filter(slot => slot >= 0 && slotRule[slot] === rule).length;

  let best: number[] = new Array<number>(people.length).fill(-1);
  for (const mask of subsetsLargestFirst(rules.length)) {
    const inSubset = (rule: number) => (mask & (1 << rule)) !== 0;
    const held = augment(canFill, slotRule, inSubset, new Array<number>(people.length).fill(-1));
    if (rules.every((r, i) => !inSubset(i) || fills(held, i) === r.minimum)) {
      best = augment(canFill, slotRule, () => true, held);
      break;
    }
  }
  const counted = rules.map((_, i) =>
    people.filter((__, person) => best[person] >= 0 && slotRule[best[person]] === i),
  );
  const satisfied = rules.map((r, i) => counted[i].length >= r.minimum);
  return { counted, satisfied, met: satisfied.every(Boolean) };
}
