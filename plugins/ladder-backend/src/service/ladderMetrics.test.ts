import request from 'supertest';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AggregationTemporality,
  DataPoint,
  Histogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  createAppRepository,
  startLadderBackend,
} from '../__testUtils__/ladderFixture';

jest.setTimeout(60_000);

/** A reader the test collects from on demand (what a Prometheus scrape does). */
class ScrapeReader extends MetricReader {
  constructor() {
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
    });
  }
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
const ENTITY = 'component:default/orders-api';
// Fake, shaped like a GitHub token (see __testUtils__/plantedCorpus.ts).
const FAKE_TOKEN = `ghp_${'FAKE0'.repeat(7)}F`;

describe('ladder metrics (OpenTelemetry, through Backstage MetricsService)', () => {
  const repo = createAppRepository();
  const { a } = repo.commits;
  const reader = new ScrapeReader();
  const provider = new MeterProvider({ readers: [reader] });
  let backend: Awaited<ReturnType<typeof startLadderBackend>>;

  const scrape = async () => {
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap(s => s.metrics);
    return (name: string) =>
      (all.find(m => m.descriptor.name === name)?.dataPoints ??
        []) as DataPoint<number | Histogram>[];
  };
  const post = (path: string, who: string, body: object) =>
    request(backend.server)
      .post(`/api/ladder${path}`)
      .set('Authorization', as(who))
      .send(body);

  beforeAll(async () => {
    backend = await startLadderBackend({
      repoDir: repo.dir,
      extraFeatures: [
        createServiceFactory({
          service: metricsServiceRef,
          deps: {},
          factory: () => provider.getMeter('ladder'),
        }),
      ],
    });
  });
  afterAll(async () => {
    await backend.stop();
    await provider.shutdown();
  });

  it('counts phase changes, gate outcomes, redactions and promotions by phase as they happen', async () => {
    let points = await scrape();
    expect(points('ladder.promotion.transitions')).toHaveLength(0);

    expect(
      (await post('/enrollments', 'alice', { entityRef: ENTITY, ref: a }))
        .status,
    ).toBe(201);
    const evidence = await post('/evidence', 'alice', {
      entityRef: ENTITY,
      rung: 'local',
      ref: a,
      kind: 'build-output',
      summary: 'build ok',
      content: `npm run build\nGITHUB_TOKEN=${FAKE_TOKEN}\ndone`,
    });
    expect(evidence.status).toBe(201);
    const created = await post('/promotions', 'alice', {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: a,
      reason: 'first shared deploy',
    });
    expect(created.status).toBe(201);
    expect(created.body.phase).toBe('Blocked');

    points = await scrape();
    // The engine wrote Checking → Blocked for this promotion, once.
    const transitions = points('ladder.promotion.transitions');
    expect(transitions).toContainEqual(
      expect.objectContaining({
        attributes: {
          kind: 'promotion',
          rung: 'dev',
          from: 'Checking',
          to: 'Blocked',
        },
        value: 1,
      }),
    );
    // Time in Checking was measured from when the promotion entered it.
    const inChecking = points('ladder.promotion.phase.duration').find(
      p => p.attributes.phase === 'Checking',
    );
    expect((inChecking?.value as Histogram | undefined)?.count).toBe(1);
    // Every gate the engine stored was timed, with its outcome: the missing dry-run failed.
    const dryRun = points('ladder.gate.duration').find(
      p => p.attributes.gate === 'dry-run-clean',
    );
    expect(dryRun?.attributes.status).toBe('failed');
    expect((dryRun?.value as Histogram).count).toBeGreaterThanOrEqual(1);
    // The token in the build output was removed and counted, never labelled with its value.
    const redactions = points('ladder.redactions');
    expect(redactions).toHaveLength(1);
    expect(redactions[0].value).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(redactions)).not.toContain(FAKE_TOKEN);
    // The gauge reads the store at collection time.
    expect(points('ladder.promotions')).toContainEqual(
      expect.objectContaining({ attributes: { phase: 'Blocked' }, value: 1 }),
    );
    expect(points('ladder.drift.open')).toContainEqual(
      expect.objectContaining({ value: 0 }),
    );

    // Cancelled: the Blocked promotion leaves its phase, and the gauge follows the store.
    const cancelled = await post(
      `/promotions/${created.body.id}/cancel`,
      'alice',
      {
        reason: 'not today',
      },
    );
    expect(cancelled.status).toBe(200);
    points = await scrape();
    expect(points('ladder.promotions')).toContainEqual(
      expect.objectContaining({ attributes: { phase: 'Cancelled' }, value: 1 }),
    );
    expect(points('ladder.promotions')).toContainEqual(
      expect.objectContaining({ attributes: { phase: 'Blocked' }, value: 0 }),
    );
  });
});
