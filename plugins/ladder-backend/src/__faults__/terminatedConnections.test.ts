/*
 * Fault: PostgreSQL terminates the backend's connections (`pg_terminate_backend`, as a failover,
 * an operator or a pooler restart does) while the scheduled re-check is moving promotions. The
 * connections die under running queries and open transactions. The run must end by itself (fail
 * or finish, never hang or crash the backend), half a transition must never be visible, and the
 * next scheduled run completes what is left, with every invariant intact.
 */
import request from 'supertest';
import knexFactory, { type Knex } from 'knex';
import type { Entity } from '@backstage/catalog-model';
import {
  coreServices,
  createBackendModule,
  type SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { ladderGatesExtensionPoint } from '@khal/plugin-ladder-node';
import {
  catalogEntities,
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';
import { ladderInvariantViolations } from './invariants';

jest.setTimeout(60_000);

const ENTITIES = 12;
const TERMINATE =
  'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()';
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const name = (i: number) => `conn-${String(i).padStart(2, '0')}`;

/**
 * The fault switch: while `armed`, the gate passes and, from its first evaluation on, a
 * terminator kills every other connection to the database every few milliseconds until the run
 * ends. While not armed the gate waits (so promotions sit Blocked until the run under test).
 */
const fault = { armed: false, started: false, killed: 0 };
const gateModule = createBackendModule({
  pluginId: 'ladder',
  moduleId: 'fault-terminate-connections',
  register(env) {
    env.registerInit({
      deps: { gates: ladderGatesExtensionPoint },
      async init({ gates }) {
        gates.addGate({
          id: 'fault-switch',
          title: 'Fault switch',
          async evaluate() {
            if (!fault.armed)
              return {
                status: 'pending',
                summary: 'the fault is not armed yet',
                waitingFor: 'the fault',
              };
            fault.started = true;
            return { status: 'passed', summary: 'armed' };
          },
        });
      },
    });
  },
});

let scheduler: SchedulerService | undefined;
const schedulerProbe = createBackendModule({
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

const ladder = {
  ladders: [
    {
      id: 'khal',
      title: 'Faults',
      rungs: [
        {
          id: 'local',
          title: 'Local',
          runtime: 'pm2',
          mutationPolicy: 'self',
          host: 'localhost',
        },
        {
          id: 'dev',
          title: 'Shared dev',
          runtime: 'pm2-mirror',
          host: 'mirror',
          mutationPolicy: 'self',
          entryGates: ['fault-switch'],
          // What observes the deploy (a placement never moves on approval alone).
          proofChecks: ['fault-switch'],
        },
      ],
    },
  ],
};

describe.each(databases.eachSupportedId())(
  'connections terminated during a scheduled re-check on %p',
  databaseId => {
    const repo = createAppRepository();

    it('fails or retries cleanly, and the next run completes with every invariant intact', async () => {
      const knex = await databases.init(databaseId);
      // A second, independent client plays the database administrator.
      const admin: Knex = knexFactory({
        client: 'pg',
        connection: (knex.client as any).config.connection,
        pool: { min: 0, max: 1 },
      });
      const base = catalogEntities(repo.dir);
      const template = base.find(e => e.metadata.name === 'orders-api')!;
      const entities: Entity[] = [
        ...base,
        ...Array.from({ length: ENTITIES }, (_, i) => ({
          ...template,
          metadata: { ...template.metadata, name: name(i) },
        })),
      ];
      const backend = await startLadderBackend({
        repoDir: repo.dir,
        knex,
        entities,
        configOverrides: ladder,
        extraFeatures: [
          gateModule,
          schedulerProbe,
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
        ],
      });
      const alice = mockCredentials.user.header('user:default/alice');
      // knex reports each dropped connection on the console; count them instead of printing them.
      const log = console.log;
      let connectionErrors = 0;
      const quiet = jest
        .spyOn(console, 'log')
        .mockImplementation((...args: unknown[]) => {
          if (String(args[0]).startsWith('Connection Error'))
            connectionErrors += 1;
          else log(...args);
        });
      let terminator: NodeJS.Timeout | undefined;
      const terminations = new Set<Promise<unknown>>();
      // The test's own reads go through a client the fault never touched (the backend's pool,
      // which the test's `knex` shares, may still hold connections killed a moment ago).
      const verify: Knex = knexFactory({
        client: 'pg',
        connection: (knex.client as any).config.connection,
        pool: { min: 0, max: 2 },
      });
      try {
        for (let i = 0; i < ENTITIES; i++) {
          const res = await request(backend.server)
            .post('/api/ladder/promotions')
            .set('Authorization', alice)
            .send({
              entityRef: `component:default/${name(i)}`,
              toRung: 'dev',
              ref: repo.commits.a,
            });
          expect(res.status).toBe(201);
          expect(res.body.phase).toBe('Blocked');
        }

        // The scheduled run under fault: connections die from the first gate evaluation on.
        fault.armed = true;
        const killing = (async () => {
          while (!fault.started) await new Promise(r => setTimeout(r, 2));
          await new Promise<void>(resolve => {
            terminator = setInterval(() => {
              const kill = admin
                .raw(TERMINATE)
                .then(r => {
                  fault.killed += r.rows.filter(
                    (x: { killed: boolean }) => x.killed,
                  ).length;
                })
                .catch(() => undefined)
                .finally(() => terminations.delete(kill));
              terminations.add(kill);
            }, 8);
            resolve();
          });
        })();
        const started = Date.now();
        await scheduler!.triggerTask('ladder-recheck');
        const runMs = Date.now() - started;
        clearInterval(terminator);
        terminator = undefined;
        await killing;
        // A termination sent just before the interval stopped may still land: wait for them all,
        // then give the pools a moment to notice the sockets they lost.
        await Promise.all([...terminations]);
        await new Promise(r => setTimeout(r, 500));
        // The fault really happened: the backend lost connections during the run.
        expect(fault.killed).toBeGreaterThan(0);
        expect(connectionErrors).toBeGreaterThan(0);
        expect(runMs).toBeLessThan(30_000);

        // Whatever the run did, no half transition is visible.
        expect(await ladderInvariantViolations(verify)).toEqual([]);
        const afterFault = await verify('ladder_promotions').select('phase');
        const phasesAfterFault = afterFault.reduce<Record<string, number>>(
          (acc, p) => ({ ...acc, [p.phase]: (acc[p.phase] ?? 0) + 1 }),
          {},
        );
        expect(
          Object.keys(phasesAfterFault).every(p =>
            ['Blocked', 'Approved', 'Verifying', 'Promoted'].includes(p),
          ),
        ).toBe(true);

        // The backend is still serving (the pool replaced its dead connections).
        const list = await request(backend.server)
          .get('/api/ladder/promotions?limit=100')
          .set('Authorization', alice);
        expect(list.status).toBe(200);

        // The next scheduled run completes everything.
        await scheduler!.triggerTask('ladder-recheck');
        const promotions = await verify('ladder_promotions');
        expect(promotions).toHaveLength(ENTITIES);
        expect(promotions.map(p => p.phase)).toEqual(
          Array(ENTITIES).fill('Promoted'),
        );
        expect(await ladderInvariantViolations(verify)).toEqual([]);
        const placements = await verify('ladder_placements').where({
          rung_id: 'dev',
        });
        expect(placements).toHaveLength(ENTITIES);
      } finally {
        if (terminator) clearInterval(terminator);
        quiet.mockRestore();
        await backend.stop();
        await admin.destroy();
        await verify.destroy();
      }
    });
  },
);
