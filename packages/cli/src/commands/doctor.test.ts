import fs from 'node:fs';
import { freePort } from '../testing/freePort';
import * as fixtures from '../testing/fixtures';
import {
  FakePortal,
  healthyRoutes,
  startFakePortal,
} from '../testing/fakePortal';
import { makeAppDir, runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

type Setup = (
  p: FakePortal,
  env: Record<string, string>,
) => void | Promise<void>;

const ENTITY_PATH = 'GET /api/ladder/entities/component/default/orders-api';

describe('khal doctor (CLI process against a fake portal)', () => {
  let portal: FakePortal;
  let app: ReturnType<typeof makeAppDir>;

  beforeEach(async () => {
    portal = await startFakePortal(healthyRoutes(fixtures));
    app = makeAppDir();
  });

  afterEach(async () => {
    await portal.close();
    fs.rmSync(app.dir, { recursive: true, force: true });
  });

  async function doctor(
    setup: Setup = () => {},
    args: string[] = ['--target', 'dev'],
  ) {
    const env: Record<string, string> = {
      KHAL_PORTAL: portal.url,
      KHAL_TOKEN: 'good-token',
      KHAL_CONFIG_DIR: app.configDir,
    };
    await setup(portal, env);
    const text = await runKhal(['doctor', ...args], { env, cwd: app.dir });
    const json = await runKhal(['doctor', ...args, '--json'], {
      env,
      cwd: app.dir,
    });
    return { text, json, out: JSON.parse(json.stdout) };
  }

  it('passes every check for a healthy setup: one line per check, exit 0', async () => {
    const { text, out } = await doctor(p =>
      p.route('GET /api/ladder/plan', {
        body: fixtures.deployPlan({ tools: { deploy: ['node'] } }),
      }),
    );
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines.map(l => l.slice(0, 6))).toEqual(Array(9).fill('✔ pass'));
    expect(lines[0]).toMatch(/^✔ pass +Node version +v\d+/);
    expect(lines[6]).toMatch(
      /Settings supplied +1 required setting\(s\) supplied/,
    );
    expect(lines[7]).toMatch(/Tools installed +found node/);
    expect(lines[8]).toMatch(
      /Cluster reachable +kind-dev, namespace khal-orders-api/,
    );
    expect(out).toMatchObject({
      ok: true,
      target: 'dev',
      entityRef: fixtures.ENTITY_REF,
    });
    expect(out.checks.map((c: { id: string }) => c.id)).toEqual([
      'node',
      'manifest',
      'portal',
      'token',
      'entity',
      'rung',
      'settings',
      'tools',
      'cluster',
    ]);
    const plan = portal.requests.find(r => r.path === '/api/ladder/plan')!;
    expect(plan.query).toMatchObject({
      entityRef: fixtures.ENTITY_REF,
      target: 'dev',
    });
  });

  it('skips the cluster check on a non-Kubernetes rung', async () => {
    const { text } = await doctor(undefined, ['--target', 'dev-local']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /- skip +Cluster reachable +local is not a Kubernetes rung \(pm2\)/,
    );
  });

  const failures: Array<[string, string, Setup, RegExp]> = [
    [
      'manifest',
      'an invalid manifest',
      () =>
        fs.writeFileSync(
          `${app.dir}/khal-app.json`,
          JSON.stringify({ ...fixtures.validManifest, colour: 'blue' }),
        ),
      /✘ FAIL +Manifest valid +1 problem\(s\); first: \$\.colour: unknown key "colour" — fix: remove it/,
    ],
    [
      'portal',
      'an unreachable portal',
      async (_p, env) => {
        env.KHAL_PORTAL = `http://127.0.0.1:${await freePort()}`;
      },
      /✘ FAIL +Portal reachable +cannot reach the portal at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    ],
    [
      'token',
      'a rejected token',
      p =>
        p.route('GET /api/ladder/ladders', req =>
          req.headers.authorization
            ? {
                status: 401,
                body: fixtures.errorBody(
                  'AuthenticationError',
                  'Illegal token',
                  401,
                ),
              }
            : { body: { items: [] } },
        ),
      /✘ FAIL +Token valid +the portal at .* rejected the token .* — fix: khal login --portal/,
    ],
    [
      'entity',
      'an entity missing from the catalog',
      p =>
        p.route(ENTITY_PATH, {
          status: 404,
          body: fixtures.errorBody('NotFoundError', 'no such entity', 404),
        }),
      /✘ FAIL +Entity in catalog +not found: no such entity — fix: register the app in the catalog/,
    ],
    [
      'rung',
      'an unknown rung',
      () => {},
      /✘ FAIL +Ladder and rung resolved +no rung "staging" on ladder khal — fix: use one of: local \(dev-local\), dev, hml/,
    ],
    [
      'settings',
      'a required setting not supplied',
      p =>
        p.route('GET /api/ladder/plan', {
          body: fixtures.deployPlan({
            settings: [
              {
                name: 'DATABASE_URL',
                required: true,
                secret: true,
                supplied: false,
              },
            ],
          }),
        }),
      /✘ FAIL +Settings supplied +missing for dev: DATABASE_URL — fix: supply them as App Settings of dev/,
    ],
    [
      'settings',
      'a plan the portal cannot resolve',
      p =>
        p.route('GET /api/ladder/plan', {
          status: 422,
          // The contract's UnresolvedError: the facts sit in `error.unresolved`.
          body: {
            ...fixtures.errorBody('InputError', 'cannot plan', 422),
            error: {
              name: 'InputError',
              message: 'cannot plan',
              unresolved: [
                { fact: 'controlPlane', howToConfigure: 'set rung host' },
              ],
            },
          },
        }),
      /✘ FAIL +Settings supplied +the plan cannot be resolved: controlPlane — fix: set rung host/,
    ],
    [
      'tools',
      'a tool a rung command needs that is not installed',
      p =>
        p.route('GET /api/ladder/plan', {
          body: fixtures.deployPlan({
            tools: {
              deploy: ['kubectl-FAKE-missing'],
              logs: ['kubectl-FAKE-missing'],
            },
          }),
        }),
      /✘ FAIL +Tools installed +missing kubectl-FAKE-missing \(for deploy, logs\) — fix: install kubectl-FAKE-missing: /,
    ],
    [
      'cluster',
      'an unreachable cluster',
      p => {
        const entity = fixtures.entityLadder();
        entity.rungs[1].cluster = {
          ...entity.rungs[1].cluster!,
          reachable: false,
          reason: 'connect ECONNREFUSED 127.0.0.1:6443',
        };
        p.route(ENTITY_PATH, { body: entity });
      },
      /✘ FAIL +Cluster reachable +kind-dev unreachable: connect ECONNREFUSED 127\.0\.0\.1:6443 — fix: start the cluster/,
    ],
  ];

  it.each(failures)(
    'fails the %s check for %s and exits 1',
    async (id, _what, setup, line) => {
      const args =
        _what === 'an unknown rung'
          ? ['--target', 'staging']
          : ['--target', 'dev'];
      const { text, json, out } = await doctor(setup, args);
      expect(text.code).toBe(1);
      expect(json.code).toBe(1);
      expect(text.stdout).toMatch(line);
      expect(out.ok).toBe(false);
      const failed = out.checks.filter(
        (c: { status: string }) => c.status === 'fail',
      );
      expect(failed.map((c: { id: string }) => c.id)).toEqual([id]);
      expect(failed[0].howToFix).toEqual(expect.any(String));
    },
  );
});
