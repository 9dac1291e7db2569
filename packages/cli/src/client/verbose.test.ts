import * as fixtures from '../testing/fixtures';
import type { FakePortal } from '../testing/fakePortal';
import { runKhal } from '../testing/runKhal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';

jest.setTimeout(60_000);

const TOKEN = 'FAKE-token-do-not-print-9f2c';
const SECRET = 'FAKE-password=hunter2-do-not-print';
const REQUEST_LINE =
  /^khal: (GET|POST) \/api\/ladder\/[^\s?]+ -> (\d{3}|no answer) \(\d+ ms\)$/;

describe('khal --verbose (CLI process)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;
  useFakePortal(session => {
    ({ portal, app } = session);
    env = { ...session.env, KHAL_TOKEN: TOKEN };
  });

  it('prints each request: method, path, status and duration, on stderr only', async () => {
    const quiet = await runKhal(['status', '--json'], { env, cwd: app.dir });
    const run = await runKhal(['status', '--json', '--verbose'], {
      env,
      cwd: app.dir,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(quiet.stdout);
    expect(quiet.stderr).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^khal: GET \/api\/ladder\/entities\/component\/default\/orders-api -> 200 \(\d+ ms\)$/,
      ),
    ]);
  });

  it('works before the command too, and shows a failed request with its status', async () => {
    portal.route('GET /api/ladder/entities/component/default/orders-api', {
      status: 404,
      body: fixtures.errorBody('NotFoundError', 'no such entity', 404),
    });
    const run = await runKhal(['--verbose', 'status'], { env, cwd: app.dir });
    expect(run.code).toBe(5);
    expect(run.stderr.split('\n')[0]).toMatch(
      /^khal: GET \/api\/ladder\/entities\/component\/default\/orders-api -> 404 \(\d+ ms\)$/,
    );
  });

  it('never prints the token, a request body or an answer body', async () => {
    portal.route('POST /api/ladder/evidence', {
      status: 201,
      body: fixtures.evidence({ summary: SECRET, kind: 'typecheck' }),
    });
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
        SECRET,
        '--json',
        '--verbose',
      ],
      { env, cwd: app.dir, stdin: `${SECRET}\n` },
    );
    expect(run.code).toBe(0);
    // The request did carry them, so their absence below means something.
    const post = portal.requests.find(r => r.method === 'POST')!;
    expect(post.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.stringify(post.body)).toContain(SECRET);
    const lines = run.stderr.trim().split('\n');
    expect(lines.length).toBe(portal.requests.length);
    for (const line of lines) expect(line).toMatch(REQUEST_LINE);
    expect(lines).toContainEqual(
      expect.stringMatching(/^khal: POST \/api\/ladder\/evidence -> 201 /),
    );
    expect(run.stderr).not.toContain(TOKEN);
    expect(run.stderr).not.toContain('FAKE-password');
    expect(run.stderr).not.toMatch(/authorization|bearer/i);
  });
});
