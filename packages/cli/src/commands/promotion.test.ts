import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

const NOW = '2026-11-23T10:05:00.000Z';
const passed = (gateId: string) => ({
  gateId,
  title: gateId,
  status: 'passed' as const,
  summary: 'ok',
  checkedAt: NOW,
});

describe('khal promote and khal approve (CLI process against a fake portal)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;

  useFakePortal(s => ({ portal, app, env } = s));

  /** GET /promotions/prm-1 answers each phase in turn, then stays on the last. */
  function phases(
    ...list: Array<Partial<ReturnType<typeof fixtures.promotion>>>
  ) {
    let i = 0;
    portal.route('GET /api/ladder/promotions/prm-1', () => ({
      body: fixtures.promotion(list[Math.min(i++, list.length - 1)]),
    }));
  }

  it('promote --wait polls and shows gate progress until Promoted, exit 0', async () => {
    portal.route('POST /api/ladder/promotions', {
      status: 201,
      body: fixtures.promotion(),
    });
    phases(
      { phase: 'Blocked', phaseMessage: 'waiting for a dry-run' },
      {
        phase: 'AwaitingApproval',
        gates: [passed('previous-rung-proven'), passed('dry-run-clean')],
        approvalRequirement: {
          groups: ['group:default/fdes'],
          minimum: 1,
          given: 0,
          eligible: ['user:default/frank'],
          rules: [
            {
              title: '1 of group:default/fdes',
              groups: ['group:default/fdes'],
              minimum: 1,
              approvedBy: [],
              eligible: ['user:default/frank'],
              satisfied: false,
            },
          ],
        },
      },
      {
        phase: 'Verifying',
        gates: [passed('previous-rung-proven'), passed('dry-run-clean')],
      },
      {
        phase: 'Promoted',
        gates: [passed('previous-rung-proven'), passed('dry-run-clean')],
      },
    );
    const run = await runKhal(
      [
        'promote',
        '--to',
        'dev',
        '--ref',
        fixtures.REF,
        '--reason',
        'ship it',
        '--wait',
      ],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    const progress = run.stderr.trim().split('\n');
    expect(progress).toEqual([
      'prm-1: Checking — 1/2 gates pass',
      'prm-1: Blocked — 1/2 gates pass — waiting for a dry-run',
      'prm-1: Awaiting approval — 2/2 gates pass, approvals 0/1',
      'prm-1: Verifying — 2/2 gates pass',
      'prm-1: Promoted — 2/2 gates pass',
    ]);
    expect(run.stdout).toMatch(
      /^Requested prm-1: component:default\/orders-api a1b2c3d → dev$/m,
    );
    expect(run.stdout).toMatch(
      /prm-1 +promotion of component:default\/orders-api a1b2c3d → dev: Promoted/,
    );

    const create = portal.requests.find(r => r.method === 'POST')!;
    expect(create.path).toBe('/api/ladder/promotions');
    expect(create.body).toEqual({
      entityRef: fixtures.ENTITY_REF,
      toRung: 'dev',
      ref: fixtures.REF,
      kind: 'promotion',
      reason: 'ship it',
    });
    expect(create.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      portal.requests.filter(r => r.path === '/api/ladder/promotions/prm-1'),
    ).toHaveLength(4);
  });

  it('promote --wait --json prints the terminal promotion and exits 1 when it is not Promoted', async () => {
    portal.route('POST /api/ladder/promotions', {
      status: 201,
      body: fixtures.promotion(),
    });
    phases({
      phase: 'Rejected',
      phaseMessage: 'rejected by user:default/olivia',
    });
    const run = await runKhal(
      ['promote', '--to', 'dev', '--ref', fixtures.REF, '--wait', '--json'],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      id: 'prm-1',
      phase: 'Rejected',
    });
  });

  it('promote without --wait returns after the request', async () => {
    portal.route('POST /api/ladder/promotions', {
      status: 201,
      body: fixtures.promotion(),
    });
    const run = await runKhal(
      ['promote', '--to', 'dev', '--ref', fixtures.REF, '--json'],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(fixtures.promotion());
    expect(
      portal.requests.filter(r => r.path.startsWith('/api/ladder/promotions/')),
    ).toHaveLength(0);
  });

  it('promote to a rung the ladder does not have exits 5 without requesting anything', async () => {
    const run = await runKhal(
      ['promote', '--to', 'staging', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/^khal: no rung "staging" on ladder khal/);
    expect(portal.requests.filter(r => r.method === 'POST')).toHaveLength(0);
  });

  it('approve posts the decision and comment; who approves comes from the token', async () => {
    portal.route('POST /api/ladder/promotions/prm-1/approvals', {
      status: 201,
      body: fixtures.promotion({
        phase: 'Approved',
        approvals: [
          {
            id: 'ap-1',
            promotionId: 'prm-1',
            approver: 'user:default/frank',
            decision: 'approve',
            comment: 'checked the dry-run',
            createdAt: NOW,
          },
        ],
      }),
    });
    const run = await runKhal(
      ['approve', 'prm-1', '--comment', 'checked the dry-run'],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Approved prm-1\.$/m);
    expect(run.stdout).toMatch(
      /approved by user:default\/frank: checked the dry-run/,
    );
    const [req] = portal.requests;
    expect(req).toMatchObject({
      method: 'POST',
      path: '/api/ladder/promotions/prm-1/approvals',
      body: { decision: 'approve', comment: 'checked the dry-run' },
    });
    expect(req.headers.authorization).toBe('Bearer good-token');
    expect(req.headers['idempotency-key']).toEqual(expect.any(String));
  });

  it('approve shows each approval rule with who counted and who still may approve', async () => {
    const OPS = 'group:default/operators';
    const STAKE = 'group:default/customer-stakeholders';
    portal.route('POST /api/ladder/promotions/prm-1/approvals', {
      status: 201,
      body: fixtures.promotion({
        phase: 'AwaitingApproval',
        approvalRequirement: {
          groups: [STAKE, OPS],
          minimum: 2,
          given: 1,
          eligible: ['user:default/sam'],
          rules: [
            { title: 'Customer sign-off', groups: [STAKE], minimum: 1, approvedBy: [], eligible: ['user:default/sam'], satisfied: false },
            { title: `1 of ${OPS}`, groups: [OPS], minimum: 1, approvedBy: ['user:default/omar'], eligible: [], satisfied: true },
          ],
        },
      }),
    });
    const run = await runKhal(['approve', 'prm-1', '--comment', 'go'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('approvals 1/2: every rule must hold, one person counts towards one rule');
    expect(run.stdout).toMatch(/Customer sign-off: 0\/1 from group:default\/customer-stakeholders — may approve: user:default\/sam/);
    expect(run.stdout).toMatch(/1 of group:default\/operators: 1\/1 from group:default\/operators by user:default\/omar$/m);
  });

  it('approve --reject sends a reject decision', async () => {
    portal.route('POST /api/ladder/promotions/prm-1/approvals', {
      status: 201,
      body: fixtures.promotion({ phase: 'Rejected' }),
    });
    const run = await runKhal(
      [
        'approve',
        'prm-1',
        '--reject',
        '--comment',
        'no rollback plan',
        '--json',
      ],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).phase).toBe('Rejected');
    expect(portal.requests[0].body).toEqual({
      decision: 'reject',
      comment: 'no rollback plan',
    });
  });

  it('prints the portal refusing a self-approval and exits 1', async () => {
    portal.route('POST /api/ladder/promotions/prm-1/approvals', {
      status: 403,
      body: fixtures.errorBody(
        'NotAllowedError',
        'user:default/alice requested prm-1 and may not approve it (four-eyes)',
        403,
      ),
    });
    const run = await runKhal(['approve', 'prm-1', '--comment', 'lgtm'], {
      env,
      cwd: app.dir,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'khal: not allowed: user:default/alice requested prm-1 and may not approve it (four-eyes)\n',
    );
  });

  it('approvals lists the promotions waiting for me', async () => {
    portal.route('GET /api/ladder/promotions', {
      body: {
        items: [
          fixtures.promotion({
            phase: 'AwaitingApproval',
            approvalRequirement: {
              groups: ['group:default/fdes'],
              minimum: 2,
              given: 1,
              eligible: [],
              rules: [
                {
                  title: '2 of group:default/fdes',
                  groups: ['group:default/fdes'],
                  minimum: 2,
                  approvedBy: ['user:default/frank'],
                  eligible: [],
                  satisfied: false,
                },
              ],
            },
          }),
        ],
      },
    });
    const run = await runKhal(['approvals'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(portal.requests[0].query).toEqual({ awaitingMyApproval: 'true' });
    expect(run.stdout).toMatch(
      /^ID +APP +REF +TO +REQUESTED BY +PHASE +APPROVALS$/m,
    );
    expect(run.stdout).toMatch(
      /^prm-1 +component:default\/orders-api +a1b2c3d +dev +user:default\/alice +Awaiting approval +1\/2$/m,
    );
  });

  it('promote --wait retries a poll the network dropped', async () => {
    portal.route('POST /api/ladder/promotions', {
      status: 201,
      body: fixtures.promotion(),
    });
    let polls = 0;
    portal.route('GET /api/ladder/promotions/prm-1', () =>
      ++polls === 1
        ? { drop: true }
        : { body: fixtures.promotion({ phase: 'Promoted' }) },
    );
    const run = await runKhal(
      ['promote', '--to', 'dev', '--ref', fixtures.REF, '--wait'],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    expect(polls).toBe(2);
  });

  it('promote --wait gives up after --timeout, saying what it waits for (exit 1)', async () => {
    portal.route('POST /api/ladder/promotions', {
      status: 201,
      body: fixtures.promotion(),
    });
    phases({ phase: 'Blocked' });
    const run = await runKhal(
      [
        'promote',
        '--to',
        'dev',
        '--ref',
        fixtures.REF,
        '--wait',
        '--timeout',
        '0.1',
      ],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^khal: still Blocked after 0.1s — `khal context --target dev` shows what it waits for$/m,
    );
  });

  it('approve needs a comment (exit 2)', async () => {
    const run = await runKhal(['approve', 'prm-1'], { env, cwd: app.dir });
    expect(run.code).toBe(2);
    expect(portal.requests).toHaveLength(0);
  });
});
