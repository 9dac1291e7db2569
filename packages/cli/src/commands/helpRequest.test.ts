import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';
import { whomToAsk } from '../output/whomToAsk';

jest.setTimeout(60_000);

describe('whomToAsk', () => {
  it('names contacts and approver groups with the quorum, and the help-request command', () => {
    const help = whomToAsk(
      {
        id: 'hml',
        title: 'Customer HML',
        approvers: { groups: ['group:default/stakeholders', 'group:default/operators'], minimum: 2 },
        metadata: { contacts: ['sam@acme.example'] },
      },
      { target: 'customer-dev', entityRef: 'component:default/orders api' },
    );
    expect(help.lines).toEqual([
      'Who can unblock this: sam@acme.example (contacts of Customer HML); group:default/stakeholders or group:default/operators (approvers; 2 approvals needed).',
      "Ask for help: khal help-request --target customer-dev --entity 'component:default/orders api' (prints a ready message: entity, rung, SHA, failing gates, evidence ids, plan digest)",
    ]);
  });

  it('says so, and whom to ask to fix the config, when a rung names nobody', () => {
    expect(whomToAsk({ id: 'local', title: 'Local', mutationPolicy: 'self' }).lines[0]).toBe(
      'Who can unblock this: Local names no contacts or approvers; ask the owners of the ladder configuration to add metadata.contacts.',
    );
    expect(whomToAsk({ id: 'prod', title: 'Prod', mutationPolicy: 'operators' }).lines[0]).toMatch(/the operators/);
  });
});

describe('khal help-request (CLI process)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;

  useFakePortal(s => ({ portal, app, env } = s));

  beforeEach(() => {
    portal.route('GET /api/ladder/evidence', {
      body: { items: [fixtures.evidence({ id: 'ev-41', rungId: 'dev' }), fixtures.evidence({ id: 'ev-40', rungId: 'dev' })] },
    });
  });

  it('prints a ready message: entity, rung, SHA, failing gates, evidence ids, plan digest, whom to send it to', async () => {
    const run = await runKhal(['help-request', '--target', 'dev', '--ref', fixtures.REF], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Help needed: ${fixtures.ENTITY_REF} on Shared dev (dev, ladder khal)`);
    expect(run.stdout).toContain(`SHA: ${fixtures.REF}`);
    expect(run.stdout).toContain('Promotion: prm-1 (Checking)');
    expect(run.stdout).toContain(
      '  - dry-run-clean (pending): no clean dry-run for this ref — fix: khal deploy --target dev --dry-run',
    );
    // A passing gate is not a reason to ask for help.
    expect(run.stdout).not.toContain('previous-rung-proven');
    expect(run.stdout).toContain('Evidence: ev-41, ev-40');
    expect(run.stdout).toContain(`Plan digest: ${fixtures.deployPlan().planDigest}`);
    expect(run.stderr).toContain('Send it to:');
    const evidenceQuery = portal.requests.find(r => r.path === '/api/ladder/evidence')?.query;
    expect(evidenceQuery).toMatchObject({ entityRef: fixtures.ENTITY_REF, rung: 'dev', ref: fixtures.REF });
  });

  it('--json carries the same facts, and says why there is no plan digest when the plan cannot be resolved', async () => {
    portal.route('GET /api/ladder/plan', {
      status: 422,
      body: {
        error: {
          name: 'UnresolvedFactsError',
          message: 'the plan for dev has 1 unresolved fact',
          unresolved: [{ fact: 'deploy command', howToConfigure: 'set commands.deploy on rung dev' }],
        },
        response: { statusCode: 422 },
      },
    });
    const run = await runKhal(['help-request', '--target', 'dev', '--ref', fixtures.REF, '--json'], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({
      entityRef: fixtures.ENTITY_REF,
      ladderId: 'khal',
      rung: { id: 'dev', title: 'Shared dev' },
      ref: fixtures.REF,
      promotion: { id: 'prm-1', phase: 'Checking' },
      failingGates: [{ gateId: 'dry-run-clean', status: 'pending' }],
      evidenceIds: ['ev-41', 'ev-40'],
      planDigest: null,
      planProblem: 'unresolved: deploy command',
      whomToAsk: { rung: 'dev', helpCommand: 'khal help-request --target dev' },
    });
    expect(json.message).toContain('Plan digest: none (unresolved: deploy command)');
  });

  it('never carries a secret value: the token it used is nowhere in the message', async () => {
    const run = await runKhal(['help-request', '--target', 'dev', '--ref', fixtures.REF, '--json'], {
      env: { ...env, KHAL_TOKEN: 'tok-SECRET-123' },
      cwd: app.dir,
    });
    expect(run.stdout).not.toContain('tok-SECRET-123');
    expect(run.stderr).not.toContain('tok-SECRET-123');
  });

  it('khal promote ends a blocked promotion with who can unblock the rung', async () => {
    portal.route('POST /api/ladder/promotions', { status: 201, body: fixtures.promotion() });
    const run = await runKhal(['promote', '--to', 'dev', '--ref', fixtures.REF], { env, cwd: app.dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Who can unblock this: Shared dev names no contacts or approvers');
    expect(run.stderr).toContain('Ask for help: khal help-request --target dev');
  });

  it('a refused promote (403) ends with the help-request footer for the rung it named', async () => {
    portal.route('POST /api/ladder/promotions', {
      status: 403,
      body: fixtures.errorBody('NotAllowedError', 'only members of group:default/operators may request promotions onto hml', 403),
    });
    const run = await runKhal(['promote', '--to', 'hml', '--ref', fixtures.REF], { env, cwd: app.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Ask for help: khal help-request --target hml');
  });

  it('exits 5 for a rung the ladder does not have, listing the rungs', async () => {
    const run = await runKhal(['help-request', '--target', 'nope', '--ref', fixtures.REF], { env, cwd: app.dir });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('no rung "nope" on ladder khal');
    // A failed help-request does not point at itself.
    expect(run.stderr).not.toContain('Ask for help');
  });
});
