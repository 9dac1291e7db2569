import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startDemoBackend } from './__testUtils__/demoBackend';
// The seed `npm start` runs, and its runner: the rung's rendered command in a checkout, kubectl.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { seedDemo } from '../../../scripts/seed-demo.mjs';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { runRungCommand } from '../../../scripts/lib/rungCommands.mjs';

// The whole demo seed, twice, with rollouts on simulated clusters: slow on a loaded CI machine.
jest.setTimeout(600_000);

/*
 * A first `npm start` stopped while seeding (Ctrl-C, a crash) must not leave a half-seeded demo
 * for good: the next start finishes it, without doing any step twice.
 */
describe('the demo seed, interrupted and started again', () => {
  let demo: Awaited<ReturnType<typeof startDemoBackend>>;

  beforeAll(async () => {
    demo = await startDemoBackend();
  });
  afterAll(async () => {
    await demo?.stop();
  });

  const writes: string[] = [];
  /** The ladder API as a demo user; `interruptAt` stops the process just before that write. */
  const api =
    (interruptAt?: (method: string, path: string) => boolean) =>
    async (user: string, method: string, path: string, body?: object) => {
      if (method !== 'GET') {
        if (interruptAt?.(method, path))
          throw new Error(`interrupted before ${method} ${path}`);
        writes.push(`${method} ${path}`);
      }
      const res = await request(demo.server)
        [method.toLowerCase() as 'get' | 'post'](`/api/ladder${path}`)
        .set(
          'Authorization',
          mockCredentials.user.header(`user:default/${user}`),
        )
        .send(body);
      if (res.status >= 300)
        throw new Error(
          `${method} ${path} as ${user}: ${res.status} ${JSON.stringify(
            res.body,
          )}`,
        );
      return res.body;
    };
  const seed = (interruptAt?: (method: string, path: string) => boolean) =>
    seedDemo({
      baseUrl: 'http://unused',
      api: api(interruptAt),
      shas: demo.repos.refs,
      run: (app: string, sha: string, command: string) =>
        runRungCommand({
          reposDir: demo.repos.dir,
          kubeconfig: demo.kubeconfig,
          app,
          sha,
          command,
        }),
    });
  const view = async (app: string) =>
    (
      await request(demo.server)
        .get(`/api/ladder/entities/component/default/${app}`)
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
    ).body;
  const promotionsOf = async (app: string) =>
    (
      await request(demo.server)
        .get(
          `/api/ladder/promotions?entityRef=component:default/${app}&limit=500`,
        )
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
    ).body.items as Array<{ toRung: string; phase: string }>;

  it('stopped after payments-gateway’s HML deploy was claimed, before its outcome was reported, finishes on the next start', async () => {
    // The first claimed deploy is payments-gateway's to HML (customer-portal's waits for approval).
    await expect(
      seed((_method, path) => path.endsWith('/deploy-result')),
    ).rejects.toThrow(
      /^interrupted before POST \/promotions\/.+\/deploy-result$/,
    );
    const half = await view('payments-gateway');
    expect(half.openPromotions).toMatchObject([
      { toRung: 'hml', phase: 'Deploying' },
    ]);

    writes.length = 0;
    await expect(seed()).resolves.toMatch(/^seeding resumed and finished: /);
    // Nothing done before the interruption was done again: no second enrolment, no new promotion
    // but the prod one, the claimed HML deploy reported against its claim.
    expect(writes.filter(w => w === 'POST /enrollments')).toEqual([]);
    expect(writes.filter(w => w === 'POST /promotions')).toEqual([
      'POST /promotions',
    ]);
    expect(writes.filter(w => w.endsWith('/claim'))).toHaveLength(1); // prod's

    const placed = async (app: string) =>
      Object.fromEntries(
        (await view(app)).rungs
          .filter((r: any) => r.placement)
          .map((r: any) => [r.rung.id, r.placement.ref]),
      );
    const refs = demo.repos.refs;
    expect(await placed('payments-gateway')).toEqual({
      local: refs['payments-gateway'][2],
      dev: refs['payments-gateway'][2],
      hml: refs['payments-gateway'][2],
      prod: refs['payments-gateway'][2],
    });
    expect(await placed('customer-portal')).toEqual({
      local: refs['customer-portal'][2],
      dev: refs['customer-portal'][2],
    });
    expect(await placed('billing-worker')).toEqual({
      local: refs['billing-worker'][2],
      dev: refs['billing-worker'][2],
    });
    expect(await placed('orders-api')).toEqual({
      local: refs['orders-api'][2],
    });
    expect((await view('customer-portal')).openPromotions).toMatchObject([
      { toRung: 'hml', phase: 'AwaitingApproval' },
    ]);
    // One promotion per rung, each Promoted: nothing failed, cancelled or superseded on the way.
    expect(
      (await promotionsOf('payments-gateway'))
        .map(p => `${p.toRung} ${p.phase}`)
        .sort(),
    ).toEqual(['dev Promoted', 'hml Promoted', 'prod Promoted']);
    // The undo examples: HML's cluster runs the previous commit outside the ladder (drifted, with
    // Roll back going to the placed commit) and a rollback drill is recorded there.
    // Read the clusters now: the snapshot the page is served from may be from the middle of the
    // seed's rollout of the previous commit (younger than clusterStateMaxAgeMs, so not refreshed).
    const live = (
      await request(demo.server)
        .get('/api/ladder/entities/component/default/payments-gateway?clusterState=live')
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
    ).body;
    const pgHml = live.rungs.find((r: any) => r.rung.id === 'hml');
    expect(pgHml).toMatchObject({
      status: 'drifted',
      drift: { running: refs['payments-gateway'][1], expected: refs['payments-gateway'][2] },
      rollback: { allowed: true, ref: refs['payments-gateway'][2] },
    });
    const drills = await request(demo.server)
      .get('/api/ladder/evidence?entityRef=component:default/payments-gateway&rung=hml&kind=rollback-drill')
      .set('Authorization', mockCredentials.user.header('user:default/alice'));
    expect(drills.body.items).toMatchObject([{ kind: 'rollback-drill', data: { exitCode: 0 } }]);

    // Time rules: edge-proxy soaks on compose before kind, and its platform_control request is due
    // to expire 2 minutes after it was made (platform_control's own expiry.openPromotions).
    const ep = await view('edge-proxy');
    const soaking = ep.openPromotions.find((p: any) => p.toRung === 'kind');
    expect(soaking.gates.find((g: any) => g.gateId === 'soak')).toMatchObject({
      status: 'pending',
      summary: expect.stringMatching(/is soaking on Compose: \d+ h( \d+ min)? left of 6 h/),
    });
    // The re-check task may already have expired it while the seed ran a second time.
    const factory: any = (await promotionsOf('edge-proxy')).find(p => p.toRung === 'platform_control');
    const onTime =
      factory.phase === 'Expired'
        ? /^expired: it stayed open for .*expiry.openPromotions/.test(factory.phaseMessage)
        : Date.parse(factory.dueAt) - Date.parse(factory.createdAt) <= 120_000;
    expect({ phase: factory.phase, onTime }).toEqual({
      phase: expect.stringMatching(/^(Blocked|Expired)$/),
      onTime: true,
    });
    expect(ep.ladder.rungs.find((r: any) => r.id === 'platform_control').windows).toEqual([
      { cron: '0 9 * * 1-5', timeZone: 'America/Sao_Paulo', duration: 10_800, title: 'control-plane mornings' },
    ]);

    // Started once more: the demo is complete, nothing is written.
    writes.length = 0;
    await expect(seed()).resolves.toBe('demo state already present');
    expect(writes).toEqual([]);
  });
});
