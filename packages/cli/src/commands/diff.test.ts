import fs from 'node:fs';
import type { ChangesResponse } from '@khal/plugin-ladder-common';
import { changesResponseSchema } from '@khal/plugin-ladder-common';
import * as fixtures from '../testing/fixtures';
import {
  FakePortal,
  healthyRoutes,
  startFakePortal,
} from '../testing/fakePortal';
import { makeAppDir, runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

const NEW = 'b2c3d4e5f60718293a4b5c6d7e8f9012345678a1';

const changes: ChangesResponse = {
  entityRef: fixtures.ENTITY_REF,
  from: { rung: 'dev', ref: fixtures.REF },
  to: { rung: 'hml', ref: NEW },
  target: 'hml',
  commits: [
    {
      sha: NEW,
      subject: 'feat: pay with PAYMENT_API_KEY',
      author: 'Ada',
      date: '2026-11-23T10:00:00Z',
    },
  ],
  manifestDiff: {
    settingsAdded: [{ name: 'PAYMENT_API_KEY', required: true, secret: true }],
    settingsRemoved: [{ name: 'OLD_FLAG', required: false, secret: false }],
    settingsChanged: [
      {
        name: 'REGION',
        changes: [{ field: 'required', from: false, to: true }],
      },
    ],
    runtimeChanges: [{ field: 'port', from: 8080, to: 9090 }],
    identityChanges: [],
    deployChanges: [],
  },
  settingsForTarget: [
    {
      name: 'DATABASE_URL',
      required: true,
      secret: true,
      newlyRequired: false,
      supplied: true,
    },
    {
      name: 'PAYMENT_API_KEY',
      required: true,
      secret: true,
      newlyRequired: true,
      supplied: false,
    },
  ],
};

describe('khal diff (CLI process)', () => {
  let portal: FakePortal;
  let app: ReturnType<typeof makeAppDir>;
  let env: Record<string, string>;

  beforeEach(async () => {
    portal = await startFakePortal({
      ...healthyRoutes(fixtures),
      'GET /api/ladder/changes': { body: changes },
    });
    app = makeAppDir();
    env = {
      KHAL_PORTAL: portal.url,
      KHAL_TOKEN: 'good-token',
      KHAL_CONFIG_DIR: app.configDir,
      NO_COLOR: '1',
    };
  });

  afterEach(async () => {
    await portal.close();
    fs.rmSync(app.dir, { recursive: true, force: true });
  });

  it('the fixture follows the contract', () => {
    expect(changesResponseSchema.parse(changes)).toEqual(changes);
  });

  it('prints commits, the manifest diff and the settings the target needs', async () => {
    const run = await runKhal(['diff', '--from', 'dev', '--to', 'hml'], {
      env,
      cwd: app.dir,
    });
    expect(run.code).toBe(0);
    expect(
      portal.requests.find(r => r.path === '/api/ladder/changes')?.query,
    ).toEqual({
      entityRef: fixtures.ENTITY_REF,
      from: 'dev',
      to: 'hml',
    });
    expect(run.stdout).toContain(
      'component:default/orders-api: dev (a1b2c3d) → hml (b2c3d4e)',
    );
    expect(run.stdout).toContain('Commits (1):');
    expect(run.stdout).toContain('b2c3d4e  feat: pay with PAYMENT_API_KEY');
    expect(run.stdout).toContain('+ PAYMENT_API_KEY (required, secret)');
    expect(run.stdout).toContain('- OLD_FLAG');
    expect(run.stdout).toContain('~ REGION: required false → true');
    expect(run.stdout).toContain('~ runtime port: 8080 → 9090');
    expect(run.stdout).toMatch(/PAYMENT_API_KEY\s+yes\s+yes\s+new\s+no/);
  });

  it('prints the response as JSON with --json', async () => {
    const run = await runKhal(
      ['diff', '--from', 'dev', '--to', 'hml', '--json'],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(changes);
  });

  it('exits 2 without --to, and 2 when the portal rejects the query', async () => {
    expect(
      (await runKhal(['diff', '--from', 'dev'], { env, cwd: app.dir })).code,
    ).toBe(2);
    portal.route('GET /api/ladder/changes', {
      status: 400,
      body: fixtures.errorBody(
        'InputError',
        'nothing is placed on Customer HML',
        400,
      ),
    });
    const run = await runKhal(['diff', '--from', 'dev', '--to', 'hml'], {
      env,
      cwd: app.dir,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nothing is placed on Customer HML');
  });
});
