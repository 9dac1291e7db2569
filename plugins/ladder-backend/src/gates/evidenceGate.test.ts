import type { Evidence } from '@khal/plugin-ladder-common';
import type { GateContext } from '@khal/plugin-ladder-node';
import { evidenceGate } from './evidenceGate';

const REF = 'a'.repeat(40);
const rung = { id: 'local', title: 'Local' };

function evidence(
  kind: string,
  id: string,
  data?: Record<string, unknown>,
): Evidence {
  return {
    id,
    entityRef: 'component:default/walk-svc',
    rungId: 'local',
    ref: REF,
    kind,
    summary: `${kind} ${id}`,
    data,
    digest: 'd',
    sizeBytes: 1,
    redactions: 0,
    createdBy: 'user:default/alice',
    createdAt: '2026-12-03T08:00:00.000Z',
  };
}

/** A gate context over `items` (newest first, as the store returns them). */
function context(
  items: Evidence[],
  kinds: string[],
  mode: 'entry' | 'proof' = 'proof',
): GateContext {
  return {
    mode,
    config: { kinds },
    rung,
    previousRungs: [],
    ref: REF,
    evidence: {
      find: async (q: { kinds?: string[] }) =>
        items.filter(e => !q.kinds || q.kinds.includes(e.kind)),
    },
  } as unknown as GateContext;
}

describe('evidence gate', () => {
  it('does not count a failed deploy (deploy-output with exitCode 127) as proof', async () => {
    const result = await evidenceGate.evaluate(
      context(
        [
          evidence('deploy-output', 'ev-failed', {
            exitCode: 127,
            command: 'pm2 startOrReload …',
          }),
        ],
        ['deploy-output'],
      ),
    );
    expect(result.status).toBe('pending');
    expect(result.summary).toContain('deploy-output');
    expect(result.summary).toContain('exited 127');
  });

  it('counts a deploy that exited 0', async () => {
    const result = await evidenceGate.evaluate(
      context(
        [evidence('deploy-output', 'ev-ok', { exitCode: 0 })],
        ['deploy-output'],
      ),
    );
    expect(result).toMatchObject({ status: 'passed', evidenceIds: ['ev-ok'] });
  });

  it('counts a successful deploy recorded after a failed one, and not the failed one', async () => {
    const result = await evidenceGate.evaluate(
      context(
        [
          evidence('deploy-output', 'ev-ok', { exitCode: 0 }),
          evidence('deploy-output', 'ev-failed', { exitCode: 1 }),
        ],
        ['deploy-output'],
      ),
    );
    expect(result).toMatchObject({ status: 'passed', evidenceIds: ['ev-ok'] });
  });

  it('does not let a failed typecheck pushed with data.exitCode count, while evidence without an exit code still does', async () => {
    const result = await evidenceGate.evaluate(
      context(
        [
          evidence('typecheck', 'ev-tc', { exitCode: 2 }),
          evidence('build-output', 'ev-build'),
        ],
        ['build-output', 'typecheck'],
        'entry',
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.evidenceIds).toEqual(['ev-build']);
    expect(result.howToFix).toContain('--kind typecheck');
    expect(result.howToFix).toContain('--file');
  });
});
