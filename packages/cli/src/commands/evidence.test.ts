import fs from 'node:fs';
import path from 'node:path';
import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

describe('khal evidence push and khal manifest validate (CLI process)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;

  useFakePortal(s => ({ portal, app, env } = s));

  const posted = () =>
    portal.requests.find(
      r => r.method === 'POST' && r.path === '/api/ladder/evidence',
    )?.body;

  it('pushes a file for the rung an alias names', async () => {
    fs.writeFileSync(path.join(app.dir, 'build.log'), 'built in 3s\n');
    const run = await runKhal(
      [
        'evidence',
        'push',
        '--kind',
        'build-output',
        '--target',
        'dev-local',
        '--file',
        'build.log',
        '--ref',
        fixtures.REF,
      ],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Recorded build-output evidence ev-build-output for component:default\/orders-api a1b2c3d on local/,
    );
    expect(posted()).toEqual({
      entityRef: fixtures.ENTITY_REF,
      rung: 'local',
      ref: fixtures.REF,
      kind: 'build-output',
      summary: 'build-output for local at a1b2c3d',
      content: 'built in 3s\n',
    });
  });

  it('reads stdin for "-" and passes --summary and --data', async () => {
    const run = await runKhal(
      [
        'evidence',
        'push',
        '-',
        '--kind',
        'typecheck',
        '--target',
        'local',
        '--ref',
        fixtures.REF,
        '--summary',
        'tsc clean',
        '--data',
        '{"errors":0}',
        '--json',
      ],
      { env, cwd: app.dir, stdin: 'Found 0 errors.' },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      id: 'ev-typecheck',
      kind: 'typecheck',
    });
    expect(posted()).toMatchObject({
      content: 'Found 0 errors.',
      summary: 'tsc clean',
      data: { errors: 0 },
    });
  });

  it('attests the setting names supplied in this shell for env-contract, never their values', async () => {
    const run = await runKhal(
      [
        'evidence',
        'push',
        '--kind',
        'env-contract',
        '--target',
        'local',
        '--ref',
        fixtures.REF,
      ],
      {
        env: { ...env, DATABASE_URL: 'postgres://user:s3cret@db/orders' },
        cwd: app.dir,
      },
    );
    expect(run.code).toBe(0);
    expect(posted()).toMatchObject({
      kind: 'env-contract',
      rung: 'local',
      summary: '1 of 2 settings supplied locally for local',
      data: { supplied: ['DATABASE_URL'], missing: ['LOG_LEVEL'] },
    });
    expect(JSON.stringify(posted())).not.toContain('s3cret');
  });

  it('exits 2 without content, and for an unknown target 5', async () => {
    const none = await runKhal(
      [
        'evidence',
        'push',
        '--kind',
        'logs',
        '--target',
        'dev',
        '--ref',
        fixtures.REF,
      ],
      { env, cwd: app.dir },
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      'khal: give the content: --file <path>, "-" for stdin, or --url <url>\n',
    );
    const unknown = await runKhal(
      [
        'evidence',
        'push',
        '-',
        '--kind',
        'logs',
        '--target',
        'qa',
        '--ref',
        fixtures.REF,
      ],
      { env, cwd: app.dir, stdin: 'x' },
    );
    expect(unknown.code).toBe(5);
  });

  it('manifest validate: exit 0 when valid, 1 with one line per problem when not, 2 when missing', async () => {
    const ok = await runKhal(['manifest', 'validate'], {
      cwd: app.dir,
      env: {},
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/khal-app\.json is valid \(orders-api\)/);

    const bad = path.join(app.dir, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        ...fixtures.validManifest,
        name: 'Orders_API',
        env: [{ name: 'db-url', required: true }],
      }),
    );
    const invalid = await runKhal(['manifest', 'validate', bad], {
      cwd: app.dir,
      env: {},
    });
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(
      /\$\.name: .* — fix: rename it to "orders-api"/,
    );
    expect(invalid.stdout).toMatch(/\$\.env\[0\]\.name: .* — fix: /);
    const json = await runKhal(['manifest', 'validate', bad, '--json'], {
      cwd: app.dir,
      env: {},
    });
    expect(JSON.parse(json.stdout)).toMatchObject({
      file: bad,
      ok: false,
      problems: expect.arrayContaining([
        expect.objectContaining({ path: '$.name' }),
      ]),
    });

    const missing = await runKhal(
      ['manifest', 'validate', path.join(app.dir, 'nope.json')],
      { cwd: app.dir, env: {} },
    );
    expect(missing.code).toBe(2);
  });
});
