import { LadderConfigError, parseLadderConfig } from './parse';

const OPS = 'group:default/operators';
const STAKE = 'group:default/customer-stakeholders';

function parseApprovers(approvers: unknown) {
  return parseLadderConfig({
    ladders: [
      {
        id: 'l',
        title: 'L',
        rungs: [{ id: 'prod', title: 'Prod', runtime: 'oke', mutationPolicy: 'operators', approvers }],
      },
    ],
  }).ladders[0].rungs[0].approvers;
}

function problemsOf(approvers: unknown) {
  try {
    parseApprovers(approvers);
  } catch (e) {
    if (e instanceof LadderConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('approvers config', () => {
  it('reads today\'s { groups, minimum } form as one rule', () => {
    expect(parseApprovers({ groups: [OPS, STAKE], minimum: 2 })).toEqual({
      groups: [OPS, STAKE],
      minimum: 2,
      rules: [{ groups: [OPS, STAKE], minimum: 2, title: `2 of ${OPS} or ${STAKE}` }],
      fourEyes: true,
    });
  });

  it('reads rules that must all hold: every group, and the people needed in all', () => {
    expect(
      parseApprovers({
        rules: [
          { groups: [STAKE], minimum: 1, title: 'Customer sign-off' },
          { groups: [OPS], minimum: 2 },
        ],
      }),
    ).toEqual({
      groups: [STAKE, OPS],
      minimum: 3,
      rules: [
        { groups: [STAKE], minimum: 1, title: 'Customer sign-off' },
        { groups: [OPS], minimum: 2, title: `2 of ${OPS}` },
      ],
      fourEyes: true,
    });
  });

  it.each([
    [
      'both forms at once',
      { groups: [OPS], rules: [{ groups: [STAKE] }] },
      'ladder.ladders[0].rungs[0].approvers.rules',
      'has both rules and groups/minimum',
    ],
    ['neither form', {}, 'ladder.ladders[0].rungs[0].approvers.groups', 'names nobody'],
    ['an empty rule list', { rules: [] }, 'ladder.ladders[0].rungs[0].approvers.rules', 'at least one approval rule'],
    [
      'a malformed group inside a rule',
      { rules: [{ groups: ['operators'], minimum: 1 }] },
      'ladder.ladders[0].rungs[0].approvers.rules[0].groups[0]',
      'catalog group refs',
    ],
    [
      'a rule minimum of zero (a rule anyone passes)',
      { rules: [{ groups: [OPS], minimum: 0 }] },
      'ladder.ladders[0].rungs[0].approvers.rules[0].minimum',
      '',
    ],
    [
      'too many rules',
      { rules: Array.from({ length: 9 }, () => ({ groups: [OPS] })) },
      'ladder.ladders[0].rungs[0].approvers.rules',
      'at most 8 approval rules',
    ],
    [
      'an unknown key in a rule',
      { rules: [{ groups: [OPS], minimun: 2 }] },
      'ladder.ladders[0].rungs[0].approvers.rules[0]',
      'minimun',
    ],
  ])('reports %s with its config path', (_, approvers, path, message) => {
    expect(problemsOf(approvers)).toContainEqual({ path, message: expect.stringContaining(message) });
  });
});
