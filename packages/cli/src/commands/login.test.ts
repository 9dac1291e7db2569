import fs from 'node:fs';
import path from 'node:path';
import * as fixtures from '../testing/fixtures';
import {
  FakePortal,
  healthyRoutes,
  startFakePortal,
} from '../testing/fakePortal';
import { makeAppDir, runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

// Looks like a Backstage token: header.payload.signature with a `sub` claim.
const TOKEN = [
  Buffer.from('{"alg":"ES256"}').toString('base64url'),
  Buffer.from('{"sub":"user:default/alice","ent":[]}').toString('base64url'),
  'c2lnbmF0dXJl',
].join('.');

describe('khal login (CLI process against a fake portal)', () => {
  let portal: FakePortal;
  let app: ReturnType<typeof makeAppDir>;

  beforeEach(async () => {
    portal = await startFakePortal({
      ...healthyRoutes(fixtures),
      'GET /api/ladder/ladders': req =>
        req.headers.authorization === `Bearer ${TOKEN}`
          ? { body: { items: [fixtures.ladder] } }
          : {
              status: 401,
              body: fixtures.errorBody(
                'AuthenticationError',
                'Illegal token',
                401,
              ),
            },
      'GET /api/auth/demo/refresh': req =>
        req.headers['x-khal-demo-user'] === 'alice' &&
        req.headers['x-requested-with'] === 'XMLHttpRequest'
          ? { body: { backstageIdentity: { token: TOKEN } } }
          : {
              status: 401,
              body: fixtures.errorBody(
                'AuthenticationError',
                'no such demo user',
                401,
              ),
            },
    });
    app = makeAppDir();
  });

  afterEach(async () => {
    await portal.close();
    fs.rmSync(app.dir, { recursive: true, force: true });
  });

  const configFile = () => path.join(app.configDir, 'config.json');

  it('stores a token from stdin with user-only permissions and never prints it', async () => {
    const run = await runKhal(
      ['login', '--portal', `${portal.url}/`, '--token-stdin'],
      {
        env: { KHAL_CONFIG_DIR: app.configDir },
        stdin: `${TOKEN}\n`,
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Logged in to http:\/\/127\.0\.0\.1:\d+ as user:default\/alice/,
    );
    expect(run.stdout).toContain('Next: `khal doctor --target <rung>`');
    expect(run.stdout).toContain('eval "$(khal env)"');
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
    // eslint-disable-next-line no-bitwise
    expect(fs.statSync(configFile()).mode & 0o777).toBe(0o600);
    // eslint-disable-next-line no-bitwise
    expect(fs.statSync(app.configDir).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(fs.readFileSync(configFile(), 'utf8'));
    expect(saved.currentPortal).toBe(portal.url);
    expect(saved.portals[portal.url]).toMatchObject({
      token: TOKEN,
      user: 'user:default/alice',
    });
    expect(portal.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /api/ladder/ladders',
    ]);

    // The stored portal and token are used by the next command, without flags or env.
    const next = await runKhal(['status', '--json'], {
      env: { KHAL_CONFIG_DIR: app.configDir },
      cwd: app.dir,
    });
    expect(next.code).toBe(0);
    expect(portal.requests[1].headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("gets a demo user's token the way the README shows", async () => {
    const run = await runKhal(
      ['login', '--portal', portal.url, '--demo-user', 'alice', '--json'],
      {
        env: { KHAL_CONFIG_DIR: app.configDir },
      },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      portal: portal.url,
      user: 'user:default/alice',
      configFile: configFile(),
    });
    expect(run.stdout).not.toContain(TOKEN);
    expect(portal.requests[0]).toMatchObject({
      method: 'GET',
      path: '/api/auth/demo/refresh',
    });
  });

  it('exits 4 and stores nothing when the portal rejects the token', async () => {
    const run = await runKhal(
      ['login', '--portal', portal.url, '--token-stdin'],
      {
        env: { KHAL_CONFIG_DIR: app.configDir },
        stdin: 'not-a-token',
      },
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /^khal: the portal at .* rejected the token \(token from login\): Illegal token/,
    );
    expect(run.stderr).not.toContain('not-a-token');
    expect(fs.existsSync(configFile())).toBe(false);
  });

  it('logout forgets the token', async () => {
    await runKhal(['login', '--portal', portal.url, '--token-stdin'], {
      env: { KHAL_CONFIG_DIR: app.configDir },
      stdin: TOKEN,
    });
    const run = await runKhal(['logout'], {
      env: { KHAL_CONFIG_DIR: app.configDir },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(configFile(), 'utf8'))).toEqual({
      portals: {},
    });
    const after = await runKhal(['status', '--portal', portal.url], {
      env: { KHAL_CONFIG_DIR: app.configDir },
      cwd: app.dir,
    });
    expect(after.code).toBe(4);
  });

  it('exits 2 when asked for a token it cannot read', async () => {
    const run = await runKhal(
      ['login', '--portal', portal.url, '--token-stdin'],
      {
        env: { KHAL_CONFIG_DIR: app.configDir },
        stdin: '',
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('khal: no token on stdin\n');
  });
});
