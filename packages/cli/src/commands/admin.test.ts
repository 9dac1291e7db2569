import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

const clean = {
  checkedAt: '2026-12-03T15:00:00.000Z',
  events: 42,
  placements: 3,
  promotions: 7,
  differences: [],
};

describe('khal admin replay (CLI process against a fake portal)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;
  useFakePortal(s => ({ portal, app, env } = s));

  it('--check reports a clean trail and exits 0; --json prints the report', async () => {
    portal.route('GET /api/ladder/admin/replay', { status: 200, body: clean });
    const run = await runKhal(['admin', 'replay', '--check'], {
      env,
      cwd: app.dir,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Replayed 42 audit events against 3 placements and 7 promotions/,
    );
    expect(run.stdout).toMatch(/no differences/);
    const json = await runKhal(['admin', 'replay', '--check', '--json'], {
      env,
      cwd: app.dir,
    });
    expect(JSON.parse(json.stdout)).toEqual(clean);
  });

  it('names each difference and exits 1 (a corrupted row must fail a script)', async () => {
    portal.route('GET /api/ladder/admin/replay', {
      status: 200,
      body: {
        ...clean,
        differences: [
          {
            table: 'placements',
            key: 'component:default/orders-api|dev',
            field: 'ref',
            live: 'bad',
            replayed: 'good',
            problem:
              'placement component:default/orders-api|dev: ref is bad in the live row but good by its audit trail',
          },
        ],
      },
    });
    const run = await runKhal(['admin', 'replay', '--check'], {
      env,
      cwd: app.dir,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /differs: placement component:default\/orders-api\|dev: ref is bad in the live row but good/,
    );
    expect(run.stderr).toMatch(/1 live row\(s\) differ from the audit trail/);
  });

  it("without --check says how to run it; a non-operator reads the portal's refusal", async () => {
    const usage = await runKhal(['admin', 'replay'], { env, cwd: app.dir });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/run `khal admin replay --check`/);
    portal.route('GET /api/ladder/admin/replay', {
      status: 403,
      body: {
        error: {
          name: 'NotAllowedError',
          message:
            'user:default/alice may not run the replay check: it is for members of group:default/operators (ladder.operatorsGroup)',
        },
        response: { statusCode: 403 },
      },
    });
    const refused = await runKhal(['admin', 'replay', '--check'], {
      env,
      cwd: app.dir,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /may not run the replay check: it is for members of group:default\/operators/,
    );
  });
});
