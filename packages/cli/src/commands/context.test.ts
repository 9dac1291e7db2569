import fs from 'node:fs';
import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { makeAppDir, runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

describe('khal context and khal status (CLI process against a fake portal)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;

  useFakePortal(s => ({ portal, app, env } = s));

  it('resolves an alias, reads the entity from khal-app.json and prints JSON', async () => {
    const run = await runKhal(['context', '--target', 'dev', '--json'], {
      env,
      cwd: app.dir,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      entityRef: fixtures.ENTITY_REF,
      ladder: { id: 'khal' },
      target: 'dev',
      rung: { id: 'dev', mutationPolicy: 'after-dry-run' },
      now: { ref: null, status: 'empty' },
      openPromotion: { id: 'prm-1', phase: 'Checking' },
      stillNeeds: [
        {
          gateId: 'dry-run-clean',
          status: 'pending',
          howToFix: 'khal deploy --target dev --dry-run',
        },
      ],
      mutationPolicy: { policy: 'after-dry-run' },
      next: { action: 'fix' },
    });
    expect(out.mutationPolicy.description).toMatch(/clean dry-run/);
    const [req] = portal.requests;
    expect(req).toMatchObject({
      method: 'GET',
      path: '/api/ladder/entities/component/default/orders-api',
    });
    expect(req.headers.authorization).toBe('Bearer good-token');
  });

  it('prints text for people: the rung, what runs there, the open promotion and the policy', async () => {
    const run = await runKhal(['context', '--target', 'dev-local'], {
      env,
      cwd: app.dir,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Target: +dev-local → Local \(local, alias dev-local\)/,
    );
    expect(run.stdout).toMatch(/Runs now: +a1b2c3d since/);
    expect(run.stdout).toMatch(/Policy: +self:/);
    expect(run.stdout).toMatch(/Open promotion: +none/);
    expect(run.stdout).toMatch(/^Next: record a clean dry-run for dev$/m);
    expect(run.stdout).not.toContain('\u001b['); // no colour when not on a TTY
  });

  it('shows the rung boundary, endpoints and lifecycle, and whom to ask about its blocked gates', async () => {
    const base = fixtures.entityLadder();
    const dev = {
      ...base.ladder.rungs[1],
      metadata: { contacts: ['ops@khal.example'], requiresExplanation: false },
      boundary: { useFor: ['integration'], mustProvide: ['a ready rollout'], mustNotBe: ['customer data'] },
      endpoints: [{ name: 'app', url: 'http://orders.dev.example' }],
      lifecycle: { status: [{ title: 'Rollout', run: 'kubectl rollout status deploy/orders-api' }] },
    };
    portal.route('GET /api/ladder/entities/component/default/orders-api', {
      body: {
        ...base,
        ladder: { ...base.ladder, rungs: [base.ladder.rungs[0], dev, base.ladder.rungs[2]] },
        rungs: [base.rungs[0], { ...base.rungs[1], rung: dev }, base.rungs[2]],
      },
    });
    const run = await runKhal(['context', '--target', 'dev'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Use for: +integration/);
    expect(run.stdout).toMatch(/Must provide: +a ready rollout/);
    expect(run.stdout).toMatch(/Must not be: +customer data/);
    expect(run.stdout).toMatch(/Endpoint app: +http:\/\/orders.dev.example/);
    expect(run.stdout).toMatch(/Environment: +khal env status --target dev/);
    // The open promotion waits for a dry-run: the blocked gate ends with whom to ask.
    expect(run.stdout).toContain('Who can unblock this: ops@khal.example (contacts of Shared dev).');
    expect(run.stdout).toContain('Ask for help: khal help-request --target dev');
    const json = await runKhal(['context', '--target', 'dev', '--json'], { env, cwd: app.dir });
    expect(JSON.parse(json.stdout)).toMatchObject({
      rung: { boundary: { useFor: ['integration'] } },
      whomToAsk: { contacts: ['ops@khal.example'], helpCommand: 'khal help-request --target dev' },
    });
  });

  it('uses --entity instead of the manifest', async () => {
    portal.route('GET /api/ladder/entities/component/shop/cart', {
      body: fixtures.entityLadder({ entityRef: 'component:shop/cart' }),
    });
    const run = await runKhal(
      [
        'context',
        '--target',
        'hml',
        '--entity',
        'component:shop/cart',
        '--json',
      ],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).mutationPolicy.description).toMatch(
      /1 approval from group:default\/stakeholders/,
    );
  });

  it('exits 5 for a target the ladder does not have, listing the rungs', async () => {
    const run = await runKhal(['context', '--target', 'staging'], {
      env,
      cwd: app.dir,
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toBe(
      'khal: no rung "staging" on ladder khal of component:default/orders-api — rungs: local (dev-local), dev, hml\n',
    );
  });

  it('exits 5 for an entity the catalog does not know', async () => {
    portal.route('GET /api/ladder/entities/component/default/orders-api', {
      status: 404,
      body: fixtures.errorBody(
        'NotFoundError',
        'No entity component:default/orders-api',
        404,
      ),
    });
    const run = await runKhal(['context', '--target', 'dev'], {
      env,
      cwd: app.dir,
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toBe(
      'khal: not found: No entity component:default/orders-api\n',
    );
  });

  it('exits 2 without a manifest or --entity', async () => {
    const bare = makeAppDir(null);
    const run = await runKhal(['context', '--target', 'dev'], {
      env,
      cwd: bare.dir,
    });
    fs.rmSync(bare.dir, { recursive: true, force: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^khal: no khal-app.json in .* pass --entity/);
  });

  it('status prints the ladder as an aligned table', async () => {
    const run = await runKhal(['status'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const header = lines.find(l => l.startsWith('#'))!;
    const local = lines.find(l => l.startsWith('1 '))!;
    const dev = lines.find(l => l.startsWith('2 '))!;
    expect(header).toMatch(
      /^# +RUNG +RUNTIME +REF +STATUS +SINCE +OPEN PROMOTION +POLICY$/,
    );
    expect(local.indexOf('proven')).toBe(header.indexOf('STATUS'));
    expect(dev).toMatch(/prm-1 a1b2c3d Checking/);
    expect(dev.indexOf('empty')).toBe(header.indexOf('STATUS'));
  });

  it('status --json is the entity ladder response', async () => {
    const run = await runKhal(['status', '--json'], { env, cwd: app.dir });
    expect(JSON.parse(run.stdout)).toEqual(fixtures.entityLadder());
  });
});
