import type { Evidence } from '@khal/plugin-ladder-common';
import type { GateContext } from '@khal/plugin-ladder-node';
import { createRollbackDrillGate } from './rollbackDrill';

const NOW = Date.parse('2026-12-03T12:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const hml = { id: 'hml', title: 'Customer HML' };
const prod = { id: 'prod', title: 'Production' };

function drill(id: string, daysAgo: number, data?: Record<string, unknown>, ref = 'b'.repeat(40)): Evidence {
  return {
    id,
    entityRef: 'component:default/orders-api',
    rungId: 'hml',
    ref,
    kind: 'rollback-drill',
    summary: `drill ${id}`,
    data,
    digest: 'd',
    sizeBytes: 1,
    redactions: 0,
    createdBy: 'user:default/olga',
    createdAt: new Date(NOW - daysAgo * DAY).toISOString(),
  };
}

function context(items: Evidence[], config: Record<string, unknown> = {}, previousRungs = [hml]) {
  const queries: Array<{ rung: string; ref?: string; kinds?: string[] }> = [];
  const ctx = {
    mode: 'entry',
    config,
    rung: prod,
    previousRungs,
    ref: 'a'.repeat(40),
    evidence: {
      find: async (q: { rung: string; ref?: string; kinds?: string[] }) => {
        queries.push(q);
        return items.filter(e => e.rungId === q.rung && (!q.kinds || q.kinds.includes(e.kind)));
      },
    },
  } as unknown as GateContext;
  return { ctx, queries };
}

const gate = createRollbackDrillGate(() => NOW);

describe('rollback-drill gate', () => {
  it('passes with a successful drill on the rung below within 30 days, of any ref', async () => {
    const { ctx, queries } = context([drill('ev-1', 3, { exitCode: 0 })]);
    const result = await gate.evaluate(ctx);
    expect(result.status).toBe('passed');
    expect(result.evidenceIds).toEqual(['ev-1']);
    // A drill proves the procedure: it is looked up on the rung below, not for the promoted ref.
    expect(queries).toEqual([{ rung: 'hml', kinds: ['rollback-drill'] }]);
  });

  it('bypass: a drill older than the limit does not count (default 30 days)', async () => {
    const result = await gate.evaluate(context([drill('ev-old', 31)]).ctx);
    expect(result.status).toBe('failed');
    expect(result.summary).toContain('31 days old');
    expect(result.howToFix).toContain('khal evidence rollback-drill --target hml');
  });

  it('takes the age limit from config.maxAgeDays', async () => {
    expect((await gate.evaluate(context([drill('ev-1', 10)], { maxAgeDays: 7 }).ctx)).status).toBe('failed');
    expect((await gate.evaluate(context([drill('ev-1', 10)], { maxAgeDays: 14 }).ctx)).status).toBe('passed');
  });

  it('bypass: a failed drill (non-zero exit code) is never proof, even when recent', async () => {
    const result = await gate.evaluate(context([drill('ev-bad', 0, { exitCode: 1 })]).ctx);
    expect(result.status).toBe('failed');
    expect(result.summary).toContain('reports a failure (exit code 1)');
  });

  it('bypass: a drill recorded on the target rung itself does not count for the rung below', async () => {
    const onProd = { ...drill('ev-prod', 1), rungId: 'prod' };
    expect((await gate.evaluate(context([onProd]).ctx)).status).toBe('failed');
  });

  it('says what is wrong with a bad maxAgeDays instead of guessing', async () => {
    const result = await gate.evaluate(context([drill('ev-1', 1)], { maxAgeDays: 'thirty' }).ctx);
    expect(result.status).toBe('error');
    expect(result.howToFix).toContain('maxAgeDays');
  });

  it('is an error on a rung with nothing below it', async () => {
    expect((await gate.evaluate(context([], {}, []).ctx)).status).toBe('error');
  });
});
