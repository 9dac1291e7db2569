import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

const pause = {
  id: 'pause-1',
  scope: 'rung',
  ladderId: 'khal',
  rungId: 'prod',
  entityRef: null,
  reason: 'cluster upgrade',
  pausedBy: 'user:default/olga',
  pausedAt: '2026-12-03T11:00:00.000Z',
  resumedBy: null,
  resumedAt: null,
  resumeReason: null,
};
const bad = {
  id: 'bad-1',
  entityRef: fixtures.ENTITY_REF,
  sha: fixtures.REF,
  reason: 'corrupts orders',
  markedBy: 'user:default/sam',
  markedAt: '2026-12-03T11:05:00.000Z',
};

describe('khal line and khal commit (CLI process against a fake portal)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;
  useFakePortal(s => ({ portal, app, env } = s));

  it('line pause --rung pauses the rung of the app\'s ladder and says how to resume; --json prints the pause', async () => {
    portal.route('POST /api/ladder/pauses', { status: 201, body: pause });
    const run = await runKhal(['line', 'pause', '--rung', 'prod', '--reason', 'cluster upgrade'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Line stopped: rung prod of ladder khal is paused by user:default\/olga since 2026-12-03T11:00:00.000Z: "cluster upgrade"/,
    );
    expect(run.stdout).toMatch(/khal line resume pause-1/);
    expect(portal.requests.find(r => r.method === 'POST')!.body).toEqual({
      scope: 'rung',
      ladderId: 'khal',
      rungId: 'prod',
      reason: 'cluster upgrade',
    });
    const json = await runKhal(['line', 'pause', '--entity', fixtures.ENTITY_REF, '--reason', 'x', '--json'], { env, cwd: app.dir });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(pause);
    expect(portal.requests.filter(r => r.method === 'POST')[1].body).toEqual({
      scope: 'entity',
      entityRef: fixtures.ENTITY_REF,
      reason: 'x',
    });
  });

  it('refuses a pause naming both an app and a rung, and shows a 409 with who paused and since when', async () => {
    const both = await runKhal(['line', 'pause', '--entity', fixtures.ENTITY_REF, '--ladder', 'khal', '--reason', 'x'], { env, cwd: app.dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/pause either an app \(--entity\) or a ladder\/rung/);
    portal.route('POST /api/ladder/pauses', {
      status: 409,
      body: fixtures.errorBody('ConflictError', 'already paused by user:default/olga since 2026-12-03T11:00:00.000Z: "cluster upgrade" (pause pause-1)', 409),
    });
    const again = await runKhal(['line', 'pause', '--ladder', 'khal', '--reason', 'x'], { env, cwd: app.dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/conflict: already paused by user:default\/olga since 2026-12-03T11:00:00.000Z/);
  });

  it('line status and line resume', async () => {
    portal.route('GET /api/ladder/pauses', { body: { items: [pause] } });
    portal.route('POST /api/ladder/pauses/pause-1/resume', {
      body: { ...pause, resumedBy: 'user:default/omar', resumedAt: '2026-12-03T12:00:00.000Z', resumeReason: 'done' },
    });
    const status = await runKhal(['line', 'status', '--ladder', 'khal'], { env, cwd: app.dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/rung prod of ladder khal is paused by user:default\/olga/);
    expect(portal.requests.find(r => r.path === '/api/ladder/pauses')!.query).toEqual({ ladderId: 'khal' });
    const json = await runKhal(['line', 'status', '--json'], { env, cwd: app.dir });
    expect(JSON.parse(json.stdout)).toEqual({ items: [pause] });
    const resumed = await runKhal(['line', 'resume', 'pause-1', '--reason', 'done'], { env, cwd: app.dir });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/Resumed: rung prod of ladder khal .* resumed by user:default\/omar/);
    expect(portal.requests.find(r => r.path.endsWith('/resume'))!.body).toEqual({ reason: 'done' });
  });

  it('commit bad marks the app\'s commit bad and lists the promotions it ended; a short SHA is refused before any call', async () => {
    portal.route('POST /api/ladder/bad-commits', {
      status: 201,
      body: { ...bad, endedPromotions: [{ id: 'prm-1', toRung: 'hml', phase: 'Superseded' }] },
    });
    const short = await runKhal(['commit', 'bad', 'a1b2c3d', '--reason', 'x'], { env, cwd: app.dir });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/not a full commit SHA: pass the 40-hex SHA \(git rev-parse a1b2c3d\)/);
    const run = await runKhal(['commit', 'bad', fixtures.REF, '--reason', 'corrupts orders'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/a1b2c3d BAD — "corrupts orders" \(marked by user:default\/sam/);
    expect(run.stdout).toMatch(/ended promotion prm-1 to hml: Superseded/);
    expect(portal.requests.find(r => r.method === 'POST')!.body).toEqual({
      entityRef: fixtures.ENTITY_REF,
      sha: fixtures.REF,
      reason: 'corrupts orders',
    });
    portal.route('GET /api/ladder/bad-commits', { body: { items: [bad] } });
    const list = await runKhal(['commit', 'list-bad', '--json'], { env, cwd: app.dir });
    expect(JSON.parse(list.stdout)).toEqual({ items: [bad] });
  });

  it('commit unmark finds the mark by its (short) SHA and takes it back; an unknown SHA exits 5 before any write', async () => {
    portal.route('GET /api/ladder/bad-commits', { body: { items: [bad] } });
    portal.route('POST /api/ladder/bad-commits/bad-1/unmark', { body: bad });
    const unknown = await runKhal(['commit', 'unmark', 'ffffff1', '--reason', 'x'], { env, cwd: app.dir });
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toMatch(/no commit of component:default\/orders-api starting with ffffff1 is marked bad/);
    expect(portal.requests.filter(r => r.method === 'POST')).toEqual([]);
    const run = await runKhal(['commit', 'unmark', fixtures.REF.slice(0, 7), '--reason', 'false alarm'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Took back the bad mark of component:default\/orders-api a1b2c3d \("corrupts orders", marked by user:default\/sam\)/);
    expect(portal.requests.find(r => r.method === 'POST')!.body).toEqual({ reason: 'false alarm' });
    const json = await runKhal(['commit', 'unmark', fixtures.REF, '--reason', 'false alarm', '--json'], { env, cwd: app.dir });
    expect(JSON.parse(json.stdout)).toEqual(bad);
  });

  it('status shows the stopped line and the bad commit; promote to a paused rung exits 1 with the reason', async () => {
    portal.route('GET /api/ladder/entities/component/default/orders-api', {
      body: (() => {
        const ladder = fixtures.entityLadder();
        const freeze = { from: '2026-01-01T00:00:00Z', to: '2099-01-04T12:00:00Z', reason: 'year-end freeze', scope: 'rung' };
        return {
          ...ladder,
          rungs: ladder.rungs.map((v, i) => (i === 1 ? { ...v, rung: { ...v.rung, freezes: [freeze] } } : v)),
          pauses: [pause],
          badCommits: [bad],
        };
      })(),
    });
    const status = await runKhal(['status'], { env, cwd: app.dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Frozen: \S+ until 2099-01-04T12:00:00Z \(in \d+ d( \d+ h)?\): year-end freeze/);
    expect(status.stdout).toMatch(/Line stopped: rung prod of ladder khal is paused by user:default\/olga/);
    expect(status.stdout).toMatch(/Bad commits:\n {2}a1b2c3d BAD — "corrupts orders"/);
    portal.route('POST /api/ladder/promotions', {
      status: 409,
      body: fixtures.errorBody(
        'ConflictError',
        'the line is stopped: rung prod of ladder khal was paused by user:default/olga since 2026-12-03T11:00:00.000Z: "cluster upgrade". No promotion to Production can be requested until an operator resumes it (khal line resume pause-1).',
        409,
      ),
    });
    const promote = await runKhal(['promote', '--to', 'dev', '--ref', fixtures.REF], { env, cwd: app.dir });
    expect(promote.code).toBe(1);
    expect(promote.stderr).toMatch(/the line is stopped: .*paused by user:default\/olga since .*"cluster upgrade".*khal line resume pause-1/);
  });
});
