/*
 * Fault: a cluster stops answering in the middle of a rollout. The simulated cluster keeps its
 * sockets open and never answers (the hardest case: no error, only silence). Re-checks — asked
 * for over the API and run by the scheduled task — must answer in bounded time with a gate that
 * says what is wrong, must not mark the promotion Promoted (nor fail it: a silent cluster is a
 * technical fault, not a verdict), and once the cluster answers again the next scheduled re-check
 * completes the promotion. The same then holds for a cluster whose server is gone (refused).
 */
import { resolve } from 'node:path';
import {
  coreServices,
  createBackendModule,
  type SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { type RunningSimulator, startSimulator } from '@khal/kube-simulator';
// The module is tested inside the plugin it extends.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import ladderPlugin from '@khal/plugin-ladder-backend';
import request from 'supertest';
import ladderModuleKubernetes from '../index';

jest.setTimeout(60_000);

const REQUEST_TIMEOUT_MS = 1500;
const GATE_TIMEOUT_MS = 4000;
/** A re-check may wait for one timed-out cluster read per gate, never for the silent cluster. */
const BOUND_MS = GATE_TIMEOUT_MS + 4000;
const ENTITY = 'component:default/payments';
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Hands out the scheduler the ladder plugin registered its re-check task with. */
function schedulerProbe() {
  let scheduler: SchedulerService | undefined;
  const module = createBackendModule({
    pluginId: 'ladder',
    moduleId: 'fault-scheduler-probe',
    register(env) {
      env.registerInit({
        deps: { s: coreServices.scheduler },
        async init({ s }) {
          scheduler = s;
        },
      });
    },
  });
  return { module, get: () => scheduler! };
}

describe.each(databases.eachSupportedId())(
  'a cluster that stops answering mid-rollout, on %p',
  databaseId => {
    let sim: RunningSimulator;
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    let knex: Awaited<ReturnType<typeof databases.init>>;
    const probe = schedulerProbe();
    const user = mockCredentials.user.header('user:default/alice');

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      sim = await startSimulator({
        clusters: [
          {
            name: 'dev',
            token: 'dev-token',
            fixtureFiles: [
              resolve(__dirname, '../__fixtures__/dev-cluster.yaml'),
            ],
            manualRollouts: true,
          },
        ],
      });
      backend = await startTestBackend({
        features: [
          kubernetesPlugin,
          ladderPlugin,
          ladderModuleKubernetes,
          probe.module,
          mockServices.database.factory({ knex }),
          // Runs nothing by itself; the test triggers the scheduled re-check task.
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
          catalogServiceMock.factory({
            entities: [
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Component',
                metadata: {
                  name: 'payments',
                  namespace: 'default',
                  annotations: {
                    'khal.ai/ladder': 'verify',
                    'backstage.io/kubernetes-id': 'payments',
                  },
                },
                spec: {
                  type: 'service',
                  owner: 'group:default/team',
                  lifecycle: 'production',
                },
              },
            ],
          }),
          mockServices.rootConfig.factory({
            data: {
              kubernetes: {
                serviceLocatorMethod: { type: 'multiTenant' },
                clusterLocatorMethods: [
                  {
                    type: 'config',
                    clusters: [
                      {
                        name: 'dev',
                        url: sim.cluster('dev').url,
                        authProvider: 'serviceAccount',
                        serviceAccountToken: 'dev-token',
                        skipMetricsLookup: true,
                      },
                    ],
                  },
                ],
              },
              ladder: {
                gateTimeoutMs: GATE_TIMEOUT_MS,
                // The entity view here must read the cluster, not serve the warm-up read from the
                // display cache (5 s by default): on a fast machine the whole test fits in 5 s.
                clusterStateMaxAgeMs: 0,
                ladders: [
                  {
                    id: 'verify',
                    title: 'Verify',
                    rungs: [
                      {
                        id: 'dev',
                        title: 'DEV',
                        runtime: 'kind',
                        mutationPolicy: 'self',
                        kubernetes: {
                          cluster: 'dev',
                          namespace: 'khal-{{kubernetesId}}',
                        },
                        proofChecks: ['kubernetes-rollout'],
                      },
                    ],
                  },
                ],
              },
              ladderKubernetes: {
                requestTimeoutMs: REQUEST_TIMEOUT_MS,
                cacheTtlMs: 0,
              },
            },
          }),
        ],
      });
      // Warm up the kubernetes backend's client (slow the first time on a loaded machine).
      await request(backend.server)
        .get(`/api/ladder/entities/component/default/payments`)
        .set('Authorization', user);
    });

    afterAll(async () => {
      await backend?.stop();
      await sim?.stop();
    });

    const recheck = async (id: string) => {
      const started = Date.now();
      const res = await request(backend.server)
        .post(`/api/ladder/promotions/${id}/recheck`)
        .set('Authorization', user);
      return { res, ms: Date.now() - started };
    };
    const scheduledRecheck = async () => {
      const started = Date.now();
      await probe.get().triggerTask('ladder-recheck');
      return Date.now() - started;
    };
    const phaseOf = async (id: string) =>
      (await knex('ladder_promotions').where({ id }).first()).phase;
    const rolloutGate = (body: any) =>
      body.gates.find(
        (g: { gateId: string }) => g.gateId === 'kubernetes-rollout',
      );

    async function rollOut(ref: string) {
      const res = await fetch(
        `${
          sim.cluster('dev').url
        }/apis/apps/v1/namespaces/khal-payments/deployments/payments`,
        {
          method: 'PATCH',
          headers: {
            authorization: 'Bearer dev-token',
            'content-type': 'application/merge-patch+json',
          },
          body: JSON.stringify({
            spec: {
              template: {
                metadata: { annotations: { 'khal.ai/ref': ref } },
                spec: {
                  containers: [
                    {
                      name: 'payments',
                      image: `registry.test/payments:${ref}`,
                    },
                  ],
                },
              },
            },
          }),
        },
      );
      expect(res.status).toBe(200);
    }

    it.each([
      // Full commit SHAs: without a repository to resolve names in, only a SHA names one commit.
      ['hang', '2a'.repeat(20)],
      ['refuse', '3a'.repeat(20)],
    ] as const)(
      'keeps the promotion Verifying while the cluster is silent (%s), then completes it',
      async (mode, ref) => {
        const created = await request(backend.server)
          .post('/api/ladder/promotions')
          .set('Authorization', user)
          .send({ entityRef: ENTITY, toRung: 'dev', ref });
        expect(created.status).toBe(201);
        expect(created.body.phase).toBe('Verifying');
        const id = created.body.id;
        const auditBefore = await knex('ladder_audit_events')
          .where({ promotion_id: id })
          .count({ n: '*' });

        // Mid-rollout: the new ReplicaSet exists, its pods are not all ready yet.
        await rollOut(ref);
        sim.cluster('dev').advance(2);
        const progressing = await recheck(id);
        expect(progressing.res.body.phase).toBe('Verifying');
        expect(rolloutGate(progressing.res.body)).toMatchObject({
          status: 'pending',
        });

        await sim.cluster('dev').setUnreachable(true, mode);
        // The rollout finishes behind the silence; nobody can see it.
        sim.cluster('dev').completeRollouts();

        const silent = await recheck(id);
        expect(silent.res.status).toBe(200);
        expect(silent.ms).toBeLessThan(BOUND_MS);
        expect(silent.res.body.phase).toBe('Verifying');
        const gate = rolloutGate(silent.res.body);
        expect(gate.status).toBe('error');
        expect(gate.summary).toMatch(/dev/);
        expect(gate.summary).toMatch(
          mode === 'hang'
            ? /time|did not answer|unreachable/i
            : /unreachable|ECONNREFUSED/i,
        );
        expect(gate.howToFix ?? '').not.toBe('');

        // The entity view answers too, with the rung unknown and the reason.
        const viewStarted = Date.now();
        const view = await request(backend.server)
          .get('/api/ladder/entities/component/default/payments')
          .set('Authorization', user);
        expect(view.status).toBe(200);
        expect(Date.now() - viewStarted).toBeLessThan(BOUND_MS);
        const dev = view.body.rungs.find(
          (r: { rung: { id: string } }) => r.rung.id === 'dev',
        );
        expect(dev.status).toBe('unknown');
        expect(dev.statusReason).toMatch(/dev/);

        // The scheduled re-check is bounded as well and decides nothing.
        expect(await scheduledRecheck()).toBeLessThan(BOUND_MS * 2);
        expect(await phaseOf(id)).toBe('Verifying');
        const before = await knex('ladder_placements')
          .where({ entity_ref: ENTITY, rung_id: 'dev' })
          .first();
        expect(before?.ref).not.toBe(ref);
        // Re-checks that change nothing write no audit rows.
        expect(
          await knex('ladder_audit_events')
            .where({ promotion_id: id })
            .count({ n: '*' }),
        ).toEqual(auditBefore);

        // The cluster answers again: the next scheduled re-check completes the promotion.
        await sim.cluster('dev').setUnreachable(false);
        await scheduledRecheck();
        expect(await phaseOf(id)).toBe('Promoted');
        const placement = await knex('ladder_placements')
          .where({ entity_ref: ENTITY, rung_id: 'dev' })
          .first();
        expect(placement).toMatchObject({ ref, promotion_id: id });

        const audit = await knex('ladder_audit_events')
          .where({ promotion_id: id })
          .orderBy('id');
        const changes = audit.filter(
          a => a.to_phase && a.from_phase !== a.to_phase,
        );
        expect(
          changes.map(a => `${a.from_phase ?? '-'}>${a.to_phase}`),
        ).toEqual([
          '->Checking',
          'Checking>Approved',
          'Approved>Verifying',
          'Verifying>Promoted',
        ]);
        expect(audit.filter(a => a.action === 'placement.moved')).toHaveLength(
          1,
        );
      },
    );
  },
);
