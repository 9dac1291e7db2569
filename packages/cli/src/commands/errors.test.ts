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

describe('errors and exit codes (CLI process)', () => {
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

  it('exits 3 with one line when the portal is unreachable', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await runKhal(['status'], {
      env: {
        KHAL_PORTAL: url,
        KHAL_TOKEN: 't',
        KHAL_CONFIG_DIR: app.configDir,
      },
      cwd: app.dir,
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `khal: cannot reach the portal at ${url} (ECONNREFUSED) — is it running? set --portal or KHAL_PORTAL\n`,
    );
  });

  it('exits 4 when the portal rejects the token (401)', async () => {
    portal.route('GET /api/ladder/entities/component/default/orders-api', {
      status: 401,
      body: fixtures.errorBody('AuthenticationError', 'Illegal token', 401),
    });
    const run = await runKhal(['status'], {
      env: {
        KHAL_PORTAL: portal.url,
        KHAL_TOKEN: 'expired',
        KHAL_CONFIG_DIR: app.configDir,
      },
      cwd: app.dir,
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(
      `khal: the portal at ${portal.url} rejected the token (token from KHAL_TOKEN): Illegal token — run \`khal login --portal ${portal.url}\`\n`,
    );
    expect(run.stderr).not.toContain('expired');
  });

  it('exits 4 without a token, before any request', async () => {
    const run = await runKhal(['status'], {
      env: { KHAL_PORTAL: portal.url, KHAL_CONFIG_DIR: app.configDir },
      cwd: app.dir,
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^khal: not logged in to /);
    expect(portal.requests).toHaveLength(0);
  });

  it('exits 2 for usage errors and prints a JSON error under --json', async () => {
    const missing = await runKhal(['context'], {
      env: { KHAL_CONFIG_DIR: app.configDir },
      cwd: app.dir,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /required option '--target <rung>' not specified/,
    );

    const noPortal = await runKhal(['status', '--json'], {
      env: { KHAL_CONFIG_DIR: app.configDir },
      cwd: app.dir,
    });
    expect(noPortal.code).toBe(2);
    expect(JSON.parse(noPortal.stdout)).toEqual({
      error: {
        exitCode: 2,
        message: expect.stringMatching(/^no portal configured/),
      },
    });
  });

  it('exits 1 when the portal answers outside the contract', async () => {
    portal.route('GET /api/ladder/entities/component/default/orders-api', {
      body: { entityRef: 1 },
    });
    const run = await runKhal(['status'], {
      env: {
        KHAL_PORTAL: portal.url,
        KHAL_TOKEN: 't',
        KHAL_CONFIG_DIR: app.configDir,
      },
      cwd: app.dir,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /does not match the ladder API contract at entityRef: must be string \(and \d+ more; --verbose lists them\)/,
    );

    const verbose = await runKhal(['status', '--verbose'], {
      env: {
        KHAL_PORTAL: portal.url,
        KHAL_TOKEN: 't',
        KHAL_CONFIG_DIR: app.configDir,
      },
      cwd: app.dir,
    });
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(
      /^khal: {3}\(body\): must have required property 'ladder'$/m,
    );
  });
});
