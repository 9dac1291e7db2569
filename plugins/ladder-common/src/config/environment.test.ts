import { LadderConfigError, parseLadderConfig } from './parse';
import { uncoveredValidationChecks } from './environment';

const ladderWith = (extra: Record<string, unknown>) => ({
  ladders: [
    {
      id: 'l',
      title: 'L',
      rungs: [{ id: 'a', title: 'A', runtime: 'compose', mutationPolicy: 'self', ...extra }],
    },
  ],
});

function problemsOf(raw: unknown): string[] {
  try {
    parseLadderConfig(raw);
  } catch (e) {
    if (e instanceof LadderConfigError) return e.problems.map(p => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('rung lifecycle, endpoints and boundary', () => {
  it('normalises a one-command action into one step titled by its command', () => {
    const config = parseLadderConfig(
      ladderWith({
        lifecycle: {
          status: 'docker compose ps',
          up: [{ title: 'Docker reachable', run: 'docker info', howToFix: 'start Docker' }, 'docker compose up -d'],
        },
        boundary: { useFor: ['parity checks'] },
      }),
    );
    const rung = config.ladders[0].rungs[0];
    expect(rung.lifecycle?.status).toEqual([{ title: 'docker compose ps', run: 'docker compose ps' }]);
    expect(rung.lifecycle?.up).toEqual([
      { title: 'Docker reachable', run: 'docker info', howToFix: 'start Docker' },
      { title: 'docker compose up -d', run: 'docker compose up -d' },
    ]);
    expect(rung.boundary).toEqual({ useFor: ['parity checks'], mustProvide: [], mustNotBe: [] });
  });

  it.each([
    [
      'a validate step that does not say what it proves',
      { lifecycle: { validate: ['curl -f http://localhost:8080'] } },
      'ladder.ladders[0].rungs[0].lifecycle.validate[0].checks: validate step "curl -f http://localhost:8080" must say what it proves',
    ],
    ['an unknown action', { lifecycle: { restart: 'x' } }, 'ladder.ladders[0].rungs[0].lifecycle'],
    ['an unknown check', { lifecycle: { validate: [{ title: 't', run: 'x', checks: 'dns' }] } }, 'lifecycle.validate'],
    ['an empty step list', { lifecycle: { up: [] } }, 'lifecycle.up'],
    ['a step without a command', { lifecycle: { up: [{ title: 'Start' }] } }, 'lifecycle.up'],
    ['an unknown boundary key', { boundary: { useFor: [], mustBe: ['x'] } }, 'boundary'],
  ])('refuses %s, naming the path', (_, extra, expected) => {
    expect(problemsOf(ladderWith(extra)).join('\n')).toContain(expected);
  });

  it('names every validation check no step covers, with what to add (validate fails closed)', () => {
    expect(uncoveredValidationChecks(undefined).map(c => c.check)).toEqual(['ingress', 'config', 'readiness']);
    const missing = uncoveredValidationChecks([{ checks: 'readiness' }, { checks: 'config' }]);
    expect(missing).toEqual([
      { check: 'ingress', howToFix: expect.stringContaining('add a lifecycle.validate step with "checks: ingress"') },
    ]);
    expect(uncoveredValidationChecks([{ checks: 'ingress' }, { checks: 'config' }, { checks: 'readiness' }])).toEqual([]);
  });
});
