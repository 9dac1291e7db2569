import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

const ENTITY_PATH = 'GET /api/ladder/entities/component/default/orders-api';
const PREVIOUS = 'c0ffee0000000000000000000000000000000001';
const RUNNING = 'bada55000000000000000000000000000000beef';

/** The fixture ladder with the dev rung changed by `dev`. */
function ladderWithDev(dev: Partial<ReturnType<typeof fixtures.entityLadder>['rungs'][number]>) {
  const ladder = fixtures.entityLadder();
  return { ...ladder, rungs: ladder.rungs.map((r, i) => (i === 1 ? { ...r, ...dev } : r)) };
}

describe('khal rollback, khal drift and khal evidence rollback-drill (CLI process against a fake portal)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;
  useFakePortal(s => ({ portal, app, env } = s));

  it('rollback requests a rollback promotion to the ref the portal names, with the reason; --json prints it', async () => {
    portal.route(ENTITY_PATH, { body: ladderWithDev({ rollback: { allowed: true, ref: PREVIOUS } }) });
    portal.route('POST /api/ladder/promotions', {
      status: 201,
      body: fixtures.promotion({ kind: 'rollback', ref: PREVIOUS, phase: 'AwaitingApproval' }),
    });
    const run = await runKhal(['rollback', '--target', 'dev', '--reason', 'b breaks login'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Requested prm-1: roll Shared dev back to c0ffee0 \(rollback\)/);
    const posted = portal.requests.find(r => r.method === 'POST')!;
    expect(posted.body).toEqual({
      entityRef: fixtures.ENTITY_REF,
      toRung: 'dev',
      ref: PREVIOUS,
      kind: 'rollback',
      reason: 'b breaks login',
    });
    // The request carries an Idempotency-Key, so a retry is not a second rollback.
    expect(posted.headers['idempotency-key']).toMatch(/\S{8,}/);
    const json = await runKhal(['rollback', '--target', 'dev', '--json'], { env, cwd: app.dir });
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'rollback', ref: PREVIOUS });
  });

  it('rollback on a first release exits 1 with the portal\'s reason and requests nothing', async () => {
    portal.route(ENTITY_PATH, {
      body: ladderWithDev({ rollback: { allowed: false, reason: 'a1b2c3d is the first release on Shared dev: there is no previous ref to roll back to' } }),
    });
    const run = await runKhal(['rollback', '--target', 'dev'], { env, cwd: app.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot roll \S+( \S+)* back: a1b2c3d is the first release on Shared dev/);
    expect(portal.requests.filter(r => r.method === 'POST')).toEqual([]);
  });

  it('drift adopt requests an adoption of what runs; drift rollback a rollback to the placed ref', async () => {
    portal.route(ENTITY_PATH, {
      body: ladderWithDev({
        status: 'drifted',
        statusReason: 'the cluster runs bada550',
        drift: { since: '2026-12-03T10:00:00.000Z', running: RUNNING, expected: fixtures.REF },
      }),
    });
    portal.route('POST /api/ladder/promotions', { status: 201, body: fixtures.promotion({ kind: 'adoption', ref: RUNNING }) });
    const adopt = await runKhal(['drift', 'adopt', '--target', 'dev'], { env, cwd: app.dir });
    expect(adopt.code).toBe(0);
    expect(adopt.stdout).toMatch(/adopt bada550 as what \S+( \S+)* runs \(adoption\)/);
    const back = await runKhal(['drift', 'rollback', '--target', 'dev'], { env, cwd: app.dir });
    expect(back.code).toBe(0);
    const bodies = portal.requests.filter(r => r.method === 'POST').map(r => r.body as Record<string, unknown>);
    expect(bodies.map(b => [b.kind, b.ref])).toEqual([
      ['adoption', RUNNING],
      ['rollback', fixtures.REF],
    ]);
  });

  it('drift on a rung that has not drifted exits 1 saying so', async () => {
    portal.route(ENTITY_PATH, { body: fixtures.entityLadder() });
    const run = await runKhal(['drift', 'adopt', '--target', 'dev'], { env, cwd: app.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/has not drifted/);
    expect(portal.requests.filter(r => r.method === 'POST')).toEqual([]);
  });

  it('evidence rollback-drill runs the rung\'s rollback command and records its output and exit code', async () => {
    const ladder = fixtures.entityLadder();
    const local = ladder.rungs[0];
    portal.route(ENTITY_PATH, {
      body: {
        ...ladder,
        rungs: [{ ...local, rung: { ...local.rung, commands: { ...local.rung.commands, rollback: 'echo rolled back to a1b2c3d' } } }, ...ladder.rungs.slice(1)],
      },
    });
    portal.route('POST /api/ladder/evidence', { status: 201, body: fixtures.evidence({ id: 'ev-drill', kind: 'rollback-drill' }) });
    const run = await runKhal(['evidence', 'rollback-drill', '--target', 'local'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Recorded rollback-drill evidence ev-drill .*: the drill exited 0/);
    expect(portal.requests.find(r => r.method === 'POST')!.body).toMatchObject({
      rung: 'local',
      ref: fixtures.REF,
      kind: 'rollback-drill',
      content: expect.stringContaining('rolled back to a1b2c3d'),
      data: { command: 'echo rolled back to a1b2c3d', exitCode: 0 },
    });
  });

  it('evidence rollback-drill --file records a rehearsal done by hand, claiming no exit code', async () => {
    portal.route(ENTITY_PATH, { body: fixtures.entityLadder() });
    portal.route('POST /api/ladder/evidence', { status: 201, body: fixtures.evidence({ id: 'ev-hand', kind: 'rollback-drill' }) });
    const run = await runKhal(['evidence', 'rollback-drill', '--target', 'local', '--file', '-'], {
      env,
      cwd: app.dir,
      stdin: 'rolled back by hand, then forward again',
    });
    expect(run.code).toBe(0);
    const body = portal.requests.find(r => r.method === 'POST')!.body as Record<string, unknown>;
    expect(body).toMatchObject({ kind: 'rollback-drill', content: 'rolled back by hand, then forward again' });
    expect(body.data).toBeUndefined();
    // Nothing placed on a rung: no rollback to rehearse there, and nothing is recorded.
    const empty = await runKhal(['evidence', 'rollback-drill', '--target', 'dev'], { env, cwd: app.dir });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/nothing is placed on Shared dev, so there is no rollback to rehearse there/);
    expect(portal.requests.filter(r => r.method === 'POST')).toHaveLength(1);
  });

  it('evidence rollback-drill records a failed drill, then exits 1 saying it does not count', async () => {
    const ladder = fixtures.entityLadder();
    const local = ladder.rungs[0];
    portal.route(ENTITY_PATH, {
      body: { ...ladder, rungs: [{ ...local, rung: { ...local.rung, commands: { rollback: 'exit 3' } } }, ...ladder.rungs.slice(1)] },
    });
    portal.route('POST /api/ladder/evidence', { status: 201, body: fixtures.evidence({ id: 'ev-failed', kind: 'rollback-drill' }) });
    const run = await runKhal(['evidence', 'rollback-drill', '--target', 'local'], { env, cwd: app.dir });
    expect(run.code).toBe(1);
    expect((portal.requests.find(r => r.method === 'POST')!.body as any).data).toEqual({ command: 'exit 3', exitCode: 3 });
    expect(run.stderr).toMatch(/the rollback drill on Local failed \(exit code 3\); it is recorded and does not count/);
  });
});
