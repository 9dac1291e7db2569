import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

const REASON = 'checkout is down; the hotfix cannot wait for the soak';
const glass = (review: null | { by: string; at: string; comment: string }) => ({
  reason: REASON,
  by: 'user:default/olga',
  at: '2026-11-23T10:00:00.000Z',
  overridden: ['dry-run-clean'],
  reviewDueAt: '2026-11-24T10:00:00.000Z',
  review,
});

describe('khal breakglass and khal review ack (CLI process against a fake portal)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;

  useFakePortal(s => ({ portal, app, env } = s));

  it('breakglass posts the reason and prints the mark, what it overrode and the review it leaves', async () => {
    portal.route('POST /api/ladder/promotions/prm-1/break-glass', {
      body: fixtures.promotion({ phase: 'AwaitingApproval', breakGlass: glass(null) }),
    });
    const run = await runKhal(['breakglass', 'prm-1', '--reason', REASON], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(portal.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/ladder/promotions/prm-1/break-glass',
      body: { reason: REASON },
    });
    expect(run.stdout).toContain(`BREAK-GLASS by user:default/olga: ${REASON}`);
    expect(run.stdout).toMatch(/overrides dry-run-clean \(never approvals\); review waits for someone other than user:default\/olga/);
  });

  it('breakglass --json prints the promotion with its breakGlass field', async () => {
    portal.route('POST /api/ladder/promotions/prm-1/break-glass', {
      body: fixtures.promotion({ phase: 'AwaitingApproval', breakGlass: glass(null) }),
    });
    const run = await runKhal(['breakglass', 'prm-1', '--reason', REASON, '--json'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).breakGlass).toMatchObject({ by: 'user:default/olga', review: null });
  });

  it('breakglass needs a reason (exit 2) and prints the portal refusing an override of approvals as a sentence', async () => {
    const missing = await runKhal(['breakglass', 'prm-1'], { env, cwd: app.dir });
    expect(missing.code).toBe(2);
    expect(portal.requests).toHaveLength(0);
    portal.route('POST /api/ladder/promotions/prm-1/break-glass', {
      status: 409,
      body: fixtures.errorBody(
        'ConflictError',
        'every entry gate of promotion prm-1 but approval passes: there is nothing to override (approvals are never overridden: 0 of 1 approval(s))',
        409,
      ),
    });
    const refused = await runKhal(['breakglass', 'prm-1', '--reason', REASON], { env, cwd: app.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('approvals are never overridden');
  });

  it('approvals marks a break-glass promotion in the inbox', async () => {
    portal.route('GET /api/ladder/promotions', {
      body: { items: [fixtures.promotion({ phase: 'AwaitingApproval', breakGlass: glass(null) })] },
    });
    const run = await runKhal(['approvals'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^prm-1 .*Awaiting approval BREAK-GLASS by user:default\/olga/m);
  });

  it('review ack posts the comment and shows who acknowledged', async () => {
    portal.route('POST /api/ladder/promotions/prm-1/break-glass/review', {
      body: fixtures.promotion({
        phase: 'Approved',
        breakGlass: glass({ by: 'user:default/sam', at: '2026-11-23T11:00:00.000Z', comment: 'justified' }),
      }),
    });
    const run = await runKhal(['review', 'ack', 'prm-1', '--comment', 'justified'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(portal.requests[0].body).toEqual({ comment: 'justified' });
    expect(run.stdout).toContain('review acknowledged by user:default/sam');
  });

  it('review ack by the breaker prints the refusal (exit 1)', async () => {
    portal.route('POST /api/ladder/promotions/prm-1/break-glass/review', {
      status: 403,
      body: fixtures.errorBody(
        'NotAllowedError',
        'you broke the glass on this promotion; its review is acknowledged by someone else (four eyes): ask another operator or an approver of the rung',
        403,
      ),
    });
    const run = await runKhal(['review', 'ack', 'prm-1'], { env, cwd: app.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'khal: not allowed: you broke the glass on this promotion; its review is acknowledged by someone else (four eyes): ask another operator or an approver of the rung\n',
    );
  });
});
