import {
  LadderConfigError,
  findLadder,
  missingPlaceholders,
  parseLadderConfig,
  renderTemplate,
  resolveRung,
} from './parse';

const rung = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: id.toUpperCase(),
  runtime: 'pm2',
  mutationPolicy: 'self',
  ...extra,
});

function problemsOf(raw: unknown, knownGateIds?: string[]) {
  try {
    parseLadderConfig(raw, { knownGateIds });
  } catch (e) {
    if (e instanceof LadderConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('parseLadderConfig', () => {
  it('fills defaults and normalises gate refs', () => {
    const config = parseLadderConfig({
      ladders: [{ id: 'l', title: 'L', rungs: [rung('a', { entryGates: ['manifest-valid'] })] }],
    });
    expect(config.operatorsGroup).toBe('group:default/operators');
    expect(config.ladders[0].rungs[0]).toMatchObject({
      aliases: [],
      optional: false,
      entryGates: [{ id: 'manifest-valid' }],
      proofChecks: [],
      commands: {},
    });
  });

  it.each([
    ['no ladders', { ladders: [] }, 'ladder.ladders', 'declare at least one ladder'],
    ['no rungs', { ladders: [{ id: 'l', title: 'L', rungs: [] }] }, 'ladder.ladders[0].rungs', 'a ladder needs at least one rung'],
    [
      'an alias reused across rungs',
      { ladders: [{ id: 'l', title: 'L', rungs: [rung('a', { aliases: ['x'] }), rung('b', { aliases: ['x'] })] }] },
      'ladder.ladders[0].rungs[1].aliases[0]',
      'alias "x" is already used by an alias of rung "a"',
    ],
    [
      'an alias equal to another rung id',
      { ladders: [{ id: 'l', title: 'L', rungs: [rung('a'), rung('b', { aliases: ['a'] })] }] },
      'ladder.ladders[0].rungs[1].aliases[0]',
      'alias "a" is already used by rung "a"',
    ],
    [
      'an approval rung without approvers',
      { ladders: [{ id: 'l', title: 'L', rungs: [rung('a', { mutationPolicy: 'approval' })] }] },
      'ladder.ladders[0].rungs[0].approvers',
      'mutationPolicy "approval" needs approvers',
    ],
    [
      'a malformed approver group',
      { ladders: [{ id: 'l', title: 'L', rungs: [rung('a', { approvers: { groups: ['operators'] } })] }] },
      'ladder.ladders[0].rungs[0].approvers.groups[0]',
      'approver groups are catalog group refs',
    ],
    [
      'a freeze that ends before it starts',
      { ladders: [{ id: 'l', title: 'L', rungs: [rung('a', { freezes: [{ from: '2026-12-20T18:00:00Z', to: '2026-12-20T08:00:00Z', reason: 'x' }] })] }] },
      'ladder.ladders[0].rungs[0].freezes[0].to',
      '"to" must be after "from"',
    ],
    [
      'a freeze time without an offset',
      { ladders: [{ id: 'l', title: 'L', freezes: [{ from: '2026-12-20 18:00', to: '2027-01-04T09:00:00-03:00', reason: 'x' }], rungs: [rung('a')] }] },
      'ladder.ladders[0].freezes[0].from',
      'an ISO 8601 time with an offset',
    ],
    [
      'a freeze without a reason',
      { ladders: [{ id: 'l', title: 'L', freezes: [{ from: '2026-12-20T18:00:00Z', to: '2027-01-04T09:00:00Z', reason: ' ' }], rungs: [rung('a')] }] },
      'ladder.ladders[0].freezes[0].reason',
      'say why',
    ],
    [
      'an unknown key',
      { ladders: [{ id: 'l', title: 'L', rungs: [rung('a', { titel: 'x' })] }] },
      'ladder.ladders[0].rungs[0]',
      'unknown key(s) "titel"',
    ],
    [
      'a default ladder that does not exist',
      { defaultLadder: 'nope', ladders: [{ id: 'l', title: 'L', rungs: [rung('a')] }] },
      'ladder.defaultLadder',
      'defaultLadder "nope" is not one of the declared ladders (l)',
    ],
    [
      'a kubernetes gate without a cluster',
      { ladders: [{ id: 'l', title: 'L', rungs: [rung('a', { proofChecks: ['kubernetes-rollout'] })] }] },
      'ladder.ladders[0].rungs[0].kubernetes',
      'names no cluster',
    ],
  ])('reports %s with its config path', (_, raw, path, message) => {
    const problems = problemsOf(raw);
    expect(problems).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('reports unknown gates only when the known gates are given', () => {
    const raw = { ladders: [{ id: 'l', title: 'L', rungs: [rung('a', { proofChecks: ['nope'] })] }] };
    expect(problemsOf(raw)).toEqual([]);
    expect(problemsOf(raw, ['evidence'])).toEqual([
      {
        path: 'ladder.ladders[0].rungs[0].proofChecks[0]',
        message: expect.stringContaining('unknown gate "nope"; known gates are evidence'),
      },
    ]);
  });
});

describe('ladder lookups and templates', () => {
  const config = parseLadderConfig({
    defaultLadder: 'b',
    ladders: [
      { id: 'a', title: 'A', rungs: [rung('x')] },
      { id: 'b', title: 'B', rungs: [rung('local', { aliases: ['dev-local'] }), rung('dev')] },
    ],
  });

  it('finds the annotated ladder, or the default one when the annotation is empty', () => {
    expect(findLadder(config, 'a')?.id).toBe('a');
    expect(findLadder(config, ' ')?.id).toBe('b');
    expect(findLadder(config, 'missing')).toBeUndefined();
  });

  it('resolves rungs by id or alias', () => {
    const ladder = findLadder(config, 'b')!;
    expect(resolveRung(ladder, 'dev-local')).toMatchObject({ index: 0, rung: { id: 'local' } });
    expect(resolveRung(ladder, 'dev')?.index).toBe(1);
    expect(resolveRung(ladder, 'prod')).toBeUndefined();
  });

  it('renders placeholders and names the ones it cannot fill', () => {
    const values = { 'entity.name': 'orders-api', ref: 'a1b2c3d' };
    expect(renderTemplate('pm2 logs {{ entity.name }} at {{ref}} on {{host}}', values)).toBe(
      'pm2 logs orders-api at a1b2c3d on {{host}}',
    );
    expect(missingPlaceholders('ssh {{host}} {{ref}}', values)).toEqual(['host']);
  });
});
