import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startDemoBackend } from './__testUtils__/demoBackend';
// The seed's own runner: the rung's rendered command in a checkout of the commit, with kubectl.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { runRungCommand } from '../../../scripts/lib/rungCommands.mjs';

// Starting backends, clusters and rollouts is slow on a loaded 2-core CI machine.
jest.setTimeout(120_000);

/*
 * The demo as `npm start` seeds it (scripts/seed-demo.mjs), on the demo ladder of app-config.yaml,
 * the demo catalog and the demo clusters' fixtures: the seeded promotions must pass env-contract
 * by the settings the clusters' Deployments wire (an attestation does not count on a Kubernetes
 * rung), kubernetes-reversible by revision history, and dry-run-clean by the plan digest.
 */

describe('the demo ladder, seeded as npm start seeds it', () => {
  let demo: Awaited<ReturnType<typeof startDemoBackend>>;
  let backend: {
    server: Awaited<ReturnType<typeof startDemoBackend>>['server'];
  };
  let repos: Awaited<ReturnType<typeof startDemoBackend>>['repos'];
  let kubeconfig: string;

  beforeAll(async () => {
    demo = await startDemoBackend();
    backend = demo;
    repos = demo.repos;
    kubeconfig = demo.kubeconfig;
  });

  afterAll(async () => {
    await demo?.stop();
  });

  const as = (user: string) =>
    mockCredentials.user.header(`user:default/${user}`);
  const entity = (app: string) => `component:default/${app}`;
  const call = async (
    user: string,
    method: 'get' | 'post',
    path: string,
    body?: object,
  ) => {
    const res = await request(backend.server)
      [method](`/api/ladder${path}`)
      .set('Authorization', as(user))
      .send(body);
    if (res.status >= 300)
      throw new Error(
        `${method} ${path} as ${user}: ${res.status} ${JSON.stringify(
          res.body,
        )}`,
      );
    return res.body;
  };
  const evidence = (
    app: string,
    rung: string,
    ref: string,
    kind: string,
    data?: object,
  ) =>
    call('alice', 'post', '/evidence', {
      entityRef: entity(app),
      rung,
      ref,
      kind,
      summary: `${kind} for ${ref} on ${rung}`,
      content: `demo ${kind}`,
      ...(data ? { data } : {}),
    });
  const planFor = (app: string, rung: string, ref: string) =>
    call(
      'alice',
      'get',
      `/plan?entityRef=${entity(app)}&target=${rung}&ref=${ref}`,
    );
  const run = (app: string, sha: string, command: string) =>
    runRungCommand({
      reposDir: repos.dir,
      kubeconfig,
      app,
      sha,
      command,
    }) as Promise<{ exitCode: number; output: string }>;
  /** What the seed does before a promotion: the rung's real dry-run, with the portal's plan digest. */
  const prepare = async (app: string, rung: string, ref: string) => {
    const plan = await planFor(app, rung, ref);
    const result = await run(app, ref, plan.commands.dryRun);
    expect(result).toMatchObject({ exitCode: 0 });
    await evidence(app, rung, ref, 'dry-run', {
      exitCode: result.exitCode,
      command: plan.commands.dryRun,
      commit: ref,
      target: rung,
      planDigest: plan.planDigest,
    });
  };
  /** The deploy as the seed runs it: claim on approval/operators rungs, then the rung's deploy command. */
  const deploy = async (
    app: string,
    rung: string,
    ref: string,
    p: any,
    deployer: string,
    claim: boolean,
  ) => {
    if (claim)
      await call(deployer, 'post', `/promotions/${p.id}/claim`, {
        toRung: rung,
        sha: ref,
      });
    const plan = await planFor(app, rung, ref);
    const result = await run(app, ref, plan.commands.deploy);
    expect(result).toMatchObject({ exitCode: 0 });
    const summary = `deploy of ${app} ${ref.slice(0, 7)} to ${rung} exited 0`;
    if (claim) {
      await call(deployer, 'post', `/promotions/${p.id}/deploy-result`, {
        exitCode: 0,
        summary,
        output: result.output || '(no output)',
      });
    } else {
      await call(deployer, 'post', '/evidence', {
        entityRef: entity(app),
        rung,
        ref,
        kind: 'deploy-output',
        summary,
        content: result.output || '(no output)',
        data: {
          exitCode: 0,
          target: rung,
          command: plan.commands.deploy,
          planDigest: plan.planDigest,
        },
      });
    }
  };
  /** Rungs whose deploys claim the approved promotion first. */
  const claimedRungs = new Set(['hml', 'prod']);
  const promote = async (
    app: string,
    rung: string,
    ref: string,
    options: { requester?: string; approvers?: string[] } = {},
  ) => {
    const requester = options.requester ?? 'alice';
    let p = await call(requester, 'post', '/promotions', {
      entityRef: entity(app),
      toRung: rung,
      ref,
      reason: 'demo',
      ...(rung === 'hml'
        ? { explanation: `${app} ${ref} for Acme Retail` }
        : {}),
    });
    for (const user of options.approvers ?? []) {
      if (p.phase === 'AwaitingApproval')
        p = await call(user, 'post', `/promotions/${p.id}/approvals`, {
          decision: 'approve',
        });
    }
    const claim = claimedRungs.has(rung);
    if (
      (claim && p.phase === 'Approved') ||
      (!claim && p.phase === 'Verifying')
    ) {
      await deploy(app, rung, ref, p, requester, claim);
      // The deploy's report may already have completed it (the rollout finished before it).
      p = await call(requester, 'get', `/promotions/${p.id}`);
    }
    for (
      let i = 0;
      i < 40 && ['Verifying', 'Deploying'].includes(p.phase);
      i++
    ) {
      await new Promise(r => setTimeout(r, 250));
      p = await call(requester, 'post', `/promotions/${p.id}/recheck`);
    }
    return p;
  };
  const gate = (p: any, id: string) =>
    p.gates.find((g: any) => g.gateId === id);

  it('walks payments-gateway to production on observed settings, revision history and clean dry-runs', async () => {
    const ref = repos.refs['payments-gateway'][2];
    await call('alice', 'post', '/enrollments', {
      entityRef: entity('payments-gateway'),
      ref,
    });
    for (const kind of ['build-output', 'typecheck', 'status'])
      await evidence('payments-gateway', 'local', ref, kind);
    // On the local rung nothing observes settings: the attestation is what there is.
    await evidence('payments-gateway', 'local', ref, 'env-contract', {
      supplied: ['DATABASE_URL', 'PAYMENT_PROVIDER_KEY'],
    });

    await prepare('payments-gateway', 'dev', ref);
    const dev = await promote('payments-gateway', 'dev', ref);
    expect(gate(dev, 'env-contract')).toMatchObject({
      status: 'passed',
      summary: 'all 2 required setting(s) are supplied (kubernetes)',
    });
    expect(dev.phase).toBe('Promoted');

    await prepare('payments-gateway', 'hml', ref);
    const hml = await promote('payments-gateway', 'hml', ref, {
      approvers: ['sam'],
    });
    expect(gate(hml, 'env-contract')).toMatchObject({ status: 'passed' });
    expect(hml.phase).toBe('Promoted');

    await prepare('payments-gateway', 'prod', ref);
    await evidence('payments-gateway', 'prod', ref, 'rollback-plan', {
      firstPlacement: true,
    });
    const prod = await promote('payments-gateway', 'prod', ref, {
      requester: 'olga',
      approvers: ['omar', 'sam'],
    });
    expect(gate(prod, 'previous-rung-proven')).toMatchObject({
      status: 'passed',
    });
    expect(prod.phase).toBe('Promoted');

    const view = await call(
      'alice',
      'get',
      '/entities/component/default/payments-gateway',
    );
    const statuses = Object.fromEntries(
      view.rungs.map((r: any) => [r.rung.id, r.status]),
    );
    expect(statuses).toMatchObject({
      local: 'proven',
      dev: 'proven',
      hml: 'proven',
      prod: 'proven',
    });
    const reversible = view.rungs
      .find((r: any) => r.rung.id === 'prod')
      .proof.find((g: any) => g.gateId === 'kubernetes-reversible');
    // prod-oke's fixture runs the previous commit as revision 2; the deploy made revision 3.
    expect(reversible.summary).toContain(
      `revision 2 (${repos.refs['payments-gateway'][1]},`,
    );
  });

  it('walks billing-worker to shared dev on the DATABASE_URL its Deployment wires', async () => {
    const ref = repos.refs['billing-worker'][2];
    await call('alice', 'post', '/enrollments', {
      entityRef: entity('billing-worker'),
      ref,
    });
    for (const kind of ['build-output', 'typecheck', 'status'])
      await evidence('billing-worker', 'local', ref, kind);
    await evidence('billing-worker', 'local', ref, 'env-contract', {
      supplied: ['DATABASE_URL'],
    });
    await prepare('billing-worker', 'dev', ref);
    const dev = await promote('billing-worker', 'dev', ref);
    expect(gate(dev, 'env-contract')).toMatchObject({
      status: 'passed',
      summary: 'all 1 required setting(s) are supplied (kubernetes)',
    });
    expect(dev.phase).toBe('Promoted');
  });

  it('walks customer-portal to shared dev, and its HML promotion waits for the stakeholder with an explanation that agrees with the checklist', async () => {
    const ref = repos.refs['customer-portal'][2];
    await call('alice', 'post', '/enrollments', {
      entityRef: entity('customer-portal'),
      ref,
    });
    for (const kind of ['build-output', 'typecheck', 'status'])
      await evidence('customer-portal', 'local', ref, kind);
    await evidence('customer-portal', 'local', ref, 'env-contract', {
      supplied: [],
    });
    await prepare('customer-portal', 'dev', ref);
    expect((await promote('customer-portal', 'dev', ref)).phase).toBe(
      'Promoted',
    );
    await prepare('customer-portal', 'hml', ref);
    const hml = await promote('customer-portal', 'hml', ref);
    expect(hml.phase).toBe('AwaitingApproval');
    expect(gate(hml, 'env-contract')).toMatchObject({ status: 'passed' });
    // Nothing required is missing in the explanation either; nothing is claimed as supplied.
    expect(hml.explanationDetail.settingsMissing).toEqual([]);
    expect(hml.explanationDetail.settingsSupplied ?? []).toEqual([]);
  });
});
