import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { type RunningSimulator, loadConfig, startSimulator } from '@khal/kube-simulator';
// The module is tested inside the plugin it extends (see ladderBackend.test.ts).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import ladderPlugin from '@khal/plugin-ladder-backend';
import request from 'supertest';
import { parse, parseAllDocuments } from 'yaml';
import ladderModuleKubernetes from './index';

// Starting backends, clusters and rollouts is slow on a loaded 2-core CI machine.
jest.setTimeout(120_000);

/*
 * The demo as `npm start` seeds it (scripts/seed-demo.mjs), on the demo ladder of app-config.yaml,
 * the demo catalog and the demo clusters' fixtures: the seeded promotions must pass env-contract
 * by the settings the clusters' Deployments wire (an attestation does not count on a Kubernetes
 * rung), kubernetes-reversible by revision history, and dry-run-clean by the plan digest.
 */

const ROOT = resolve(__dirname, '../../..');

/** The demo catalog, with the relations the catalog would compute. */
function demoCatalog(): Entity[] {
  const entities = readdirSync(join(ROOT, 'demo/catalog'))
    .filter(f => f.endsWith('.yaml'))
    .flatMap(f => parseAllDocuments(readFileSync(join(ROOT, 'demo/catalog', f), 'utf8')).map(d => d.toJS() as Entity));
  const members = new Map<string, string[]>();
  for (const e of entities.filter(x => x.kind === 'User')) {
    for (const g of (e.spec?.memberOf as string[]) ?? []) members.set(g, [...(members.get(g) ?? []), e.metadata.name]);
  }
  return entities.map(e => ({
    ...e,
    metadata: { namespace: 'default', ...e.metadata },
    relations: [
      ...(e.kind === 'User'
        ? ((e.spec?.memberOf as string[]) ?? []).map(g => ({ type: 'memberOf', targetRef: `group:default/${g}` }))
        : []),
      ...(e.kind === 'Group'
        ? (members.get(e.metadata.name) ?? []).map(u => ({ type: 'hasMember', targetRef: `user:default/${u}` }))
        : []),
      ...(typeof e.spec?.owner === 'string' ? [{ type: 'ownedBy', targetRef: e.spec.owner as string }] : []),
    ],
  }));
}

/** Creates the demo repositories in a temporary directory; returns it and the short shas. */
function demoRepositories(): { dir: string; refs: Record<string, string[]> } {
  const dir = mkdtempSync(join(tmpdir(), 'ladder-demo-repos-'));
  const out = execFileSync(process.execPath, [join(ROOT, 'scripts/demo-repos.mjs')], {
    env: { ...process.env, KHAL_REPOS_DIR: dir },
    encoding: 'utf8',
  });
  const refs = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map(line => {
        const [name, shas] = line.split(': ');
        return [name, shas.split(' ')];
      }),
  );
  return { dir, refs };
}

describe('the demo ladder, seeded as npm start seeds it', () => {
  let sim: RunningSimulator;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const repos = demoRepositories();

  beforeAll(async () => {
    const demo = loadConfig(join(ROOT, 'packages/kube-simulator/fixtures/demo.yaml'));
    sim = await startSimulator({ clusters: demo.clusters.map(c => ({ ...c, port: 0, rolloutDurationMs: 200 })) });
    const { ladder } = parse(readFileSync(join(ROOT, 'app-config.yaml'), 'utf8'));
    backend = await startTestBackend({
      features: [
        kubernetesPlugin,
        ladderPlugin,
        ladderModuleKubernetes,
        catalogServiceMock.factory({ entities: demoCatalog() }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: sim.clusters.map(c => ({
                    name: c.name,
                    url: c.url,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: c.token,
                    skipMetricsLookup: true,
                  })),
                },
              ],
            },
            ladder: { ...ladder, localRepositoriesRoot: repos.dir },
            ladderKubernetes: { requestTimeoutMs: 15000, cacheTtlMs: 0 },
          },
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.stop();
    rmSync(repos.dir, { recursive: true, force: true });
  });

  const as = (user: string) => mockCredentials.user.header(`user:default/${user}`);
  const entity = (app: string) => `component:default/${app}`;
  const call = async (user: string, method: 'get' | 'post', path: string, body?: object) => {
    const res = await request(backend.server)[method](`/api/ladder${path}`).set('Authorization', as(user)).send(body);
    if (res.status >= 300) throw new Error(`${method} ${path} as ${user}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const evidence = (app: string, rung: string, ref: string, kind: string, data?: object) =>
    call('alice', 'post', '/evidence', {
      entityRef: entity(app),
      rung,
      ref,
      kind,
      summary: `${kind} for ${ref} on ${rung}`,
      content: `demo ${kind}`,
      ...(data ? { data } : {}),
    });
  /** What the seed does before a promotion: a dry-run for the plan digest the portal computes. */
  const prepare = async (app: string, rung: string, ref: string) => {
    const plan = await call('alice', 'get', `/plan?entityRef=${entity(app)}&target=${rung}&ref=${ref}`);
    await evidence(app, rung, ref, 'dry-run', {
      exitCode: 0,
      command: plan.commands.dryRun,
      commit: ref,
      target: rung,
      planDigest: plan.planDigest,
    });
  };
  const promote = async (app: string, rung: string, ref: string, options: { requester?: string; approvers?: string[] } = {}) => {
    const requester = options.requester ?? 'alice';
    let p = await call(requester, 'post', '/promotions', {
      entityRef: entity(app),
      toRung: rung,
      ref,
      reason: 'demo',
      ...(rung === 'hml' ? { explanation: `${app} ${ref} for Acme Retail` } : {}),
    });
    for (const user of options.approvers ?? []) {
      if (p.phase === 'AwaitingApproval') p = await call(user, 'post', `/promotions/${p.id}/approvals`, { decision: 'approve' });
    }
    for (let i = 0; i < 40 && p.phase === 'Verifying'; i++) {
      await new Promise(r => setTimeout(r, 250));
      p = await call(requester, 'post', `/promotions/${p.id}/recheck`);
    }
    return p;
  };
  const gate = (p: any, id: string) => p.gates.find((g: any) => g.gateId === id);

  it('walks payments-gateway to production on observed settings, revision history and clean dry-runs', async () => {
    const ref = repos.refs['payments-gateway'][2];
    await call('alice', 'post', '/enrollments', { entityRef: entity('payments-gateway'), ref });
    for (const kind of ['build-output', 'typecheck', 'status']) await evidence('payments-gateway', 'local', ref, kind);
    // On the local rung nothing observes settings: the attestation is what there is.
    await evidence('payments-gateway', 'local', ref, 'env-contract', { supplied: ['DATABASE_URL', 'PAYMENT_PROVIDER_KEY'] });

    await prepare('payments-gateway', 'dev', ref);
    const dev = await promote('payments-gateway', 'dev', ref);
    expect(gate(dev, 'env-contract')).toMatchObject({
      status: 'passed',
      summary: 'all 2 required setting(s) are supplied (kubernetes)',
    });
    expect(dev.phase).toBe('Promoted');

    await prepare('payments-gateway', 'hml', ref);
    const hml = await promote('payments-gateway', 'hml', ref, { approvers: ['sam'] });
    expect(gate(hml, 'env-contract')).toMatchObject({ status: 'passed' });
    expect(hml.phase).toBe('Promoted');

    await prepare('payments-gateway', 'prod', ref);
    await evidence('payments-gateway', 'prod', ref, 'rollback-plan', { firstPlacement: true });
    const prod = await promote('payments-gateway', 'prod', ref, { requester: 'olga', approvers: ['omar', 'sam'] });
    expect(gate(prod, 'previous-rung-proven')).toMatchObject({ status: 'passed' });
    expect(prod.phase).toBe('Promoted');

    const view = await call('alice', 'get', '/entities/component/default/payments-gateway');
    const statuses = Object.fromEntries(view.rungs.map((r: any) => [r.rung.id, r.status]));
    expect(statuses).toMatchObject({ local: 'proven', dev: 'proven', hml: 'proven', prod: 'proven' });
    const reversible = view.rungs.find((r: any) => r.rung.id === 'prod').proof.find((g: any) => g.gateId === 'kubernetes-reversible');
    expect(reversible.summary).toContain(`revision 1 (${repos.refs['payments-gateway'][1]}`);
  });

  it('walks billing-worker to shared dev on the DATABASE_URL its Deployment wires', async () => {
    const ref = repos.refs['billing-worker'][2];
    await call('alice', 'post', '/enrollments', { entityRef: entity('billing-worker'), ref });
    for (const kind of ['build-output', 'typecheck', 'status']) await evidence('billing-worker', 'local', ref, kind);
    await evidence('billing-worker', 'local', ref, 'env-contract', { supplied: ['DATABASE_URL'] });
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
    await call('alice', 'post', '/enrollments', { entityRef: entity('customer-portal'), ref });
    for (const kind of ['build-output', 'typecheck', 'status']) await evidence('customer-portal', 'local', ref, kind);
    await evidence('customer-portal', 'local', ref, 'env-contract', { supplied: [] });
    await prepare('customer-portal', 'dev', ref);
    expect((await promote('customer-portal', 'dev', ref)).phase).toBe('Promoted');
    await prepare('customer-portal', 'hml', ref);
    const hml = await promote('customer-portal', 'hml', ref);
    expect(hml.phase).toBe('AwaitingApproval');
    expect(gate(hml, 'env-contract')).toMatchObject({ status: 'passed' });
    // Nothing required is missing in the explanation either; nothing is claimed as supplied.
    expect(hml.explanationDetail.settingsMissing).toEqual([]);
    expect(hml.explanationDetail.settingsSupplied ?? []).toEqual([]);
  });
});
