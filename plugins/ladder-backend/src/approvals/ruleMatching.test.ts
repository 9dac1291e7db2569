import { matchApprovalRules } from './ruleMatching';

const groups = (map: Record<string, string[]>) => (p: string) => new Set(map[p] ?? []);
const OPS = 'group:default/operators';
const STAKE = 'group:default/customer-stakeholders';

describe('matchApprovalRules', () => {
  it('bypass "one person, two groups": a member of both groups fills one rule, not both', () => {
    const m = matchApprovalRules(
      [
        { groups: [STAKE], minimum: 1 },
        { groups: [OPS], minimum: 1 },
      ],
      ['user:default/pat'],
      groups({ 'user:default/pat': [STAKE, OPS] }),
    );
    expect(m.met).toBe(false);
    expect(m.counted.flat()).toEqual(['user:default/pat']);
    expect(m.satisfied.filter(Boolean)).toHaveLength(1);
  });

  it('bypass "enough people from one group": two operators do not make up for a missing stakeholder', () => {
    const m = matchApprovalRules(
      [
        { groups: [STAKE], minimum: 1 },
        { groups: [OPS], minimum: 1 },
      ],
      ['user:default/omar', 'user:default/olga'],
      groups({ 'user:default/omar': [OPS], 'user:default/olga': [OPS] }),
    );
    expect(m.met).toBe(false);
    expect(m.satisfied).toEqual([false, true]);
    expect(m.counted).toEqual([[], ['user:default/omar']]);
  });

  it('moves an earlier approver to the rule only they can fill instead of counting first come, first served', () => {
    // pat approved first and could fill either rule; first come, first served would seat pat on
    // the operators rule and leave omar (an operator only) nothing to fill.
    const m = matchApprovalRules(
      [
        { groups: [OPS], minimum: 1 },
        { groups: [STAKE], minimum: 1 },
      ],
      ['user:default/pat', 'user:default/omar'],
      groups({ 'user:default/pat': [STAKE, OPS], 'user:default/omar': [OPS] }),
    );
    expect(m.met).toBe(true);
    expect(m.counted).toEqual([['user:default/omar'], ['user:default/pat']]);
  });

  it('satisfies the most rules rather than filling the most seats', () => {
    // Two people of one group: both for "2 of" holds one rule; one each for the "1 of" rules holds two.
    const g = [OPS];
    const m = matchApprovalRules(
      [
        { groups: g, minimum: 2 },
        { groups: g, minimum: 1 },
        { groups: g, minimum: 1 },
      ],
      ['user:default/omar', 'user:default/olga'],
      groups({ 'user:default/omar': g, 'user:default/olga': g }),
    );
    expect(m.satisfied).toEqual([false, true, true]);
    expect(m.met).toBe(false);
  });

  it('holds every rule once enough distinct people of the right groups approved', () => {
    const m = matchApprovalRules(
      [
        { groups: [STAKE], minimum: 1 },
        { groups: [OPS], minimum: 2 },
      ],
      ['user:default/sam', 'user:default/omar', 'user:default/olga', 'user:default/oscar'],
      groups({
        'user:default/sam': [STAKE],
        'user:default/omar': [OPS],
        'user:default/olga': [OPS],
        'user:default/oscar': [OPS],
      }),
    );
    expect(m.met).toBe(true);
    // A rule takes at most its minimum: the third operator is not assigned.
    expect(m.counted).toEqual([['user:default/sam'], ['user:default/omar', 'user:default/olga']]);
  });

  it('keeps the one-rule form meaning "minimum distinct members of any group"', () => {
    const rule = [{ groups: [OPS, STAKE], minimum: 2 }];
    const map = groups({ 'user:default/sam': [STAKE], 'user:default/omar': [OPS] });
    expect(matchApprovalRules(rule, ['user:default/sam'], map).met).toBe(false);
    expect(matchApprovalRules(rule, ['user:default/sam', 'user:default/omar'], map).met).toBe(true);
  });

  it('counts nobody who is in none of the groups', () => {
    const m = matchApprovalRules([{ groups: [OPS], minimum: 1 }], ['user:default/eve'], groups({}));
    expect(m).toEqual({ counted: [[]], satisfied: [false], met: false });
  });
});
