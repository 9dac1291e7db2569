import type {
  MetricsService,
  MetricsServiceCounter,
  MetricsServiceHistogram,
} from '@backstage/backend-plugin-api/alpha';
import { PromotionPhase, promotionPhases } from '@khal/plugin-ladder-common';
import type { ClusterStateProvider } from '@khal/plugin-ladder-node';
import type { PromotionRecord } from '../database/records';

/** What the gauges read at collection time (the store's counts, not a copy kept in memory). */
export interface LadderMetricsSource {
  countPromotionsByPhase(): Promise<Array<{ phase: string; count: number }>>;
  countOpenDrifts(): Promise<number>;
}

const SECONDS_BUCKETS = [
  0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 900, 3600, 14400, 86400,
  604800,
];
const GATE_BUCKETS = [
  0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

const seconds = (fromIso: string | null | undefined, now: number) => {
  if (!fromIso) return undefined;
  const from = Date.parse(fromIso);
  return Number.isFinite(from) ? Math.max(0, (now - from) / 1000) : undefined;
};

/**
 * The ladder's OpenTelemetry instruments, created through Backstage's MetricsService (the plugin's
 * meter; the backend decides where they are exported — Prometheus in this portal, see
 * packages/backend/src/instrumentation.ts). Names follow OpenTelemetry's conventions; the
 * Prometheus exporter adds the unit and `_total` suffixes.
 */
export class LadderMetrics {
  private readonly transitions: MetricsServiceCounter;
  private readonly timeInPhase: MetricsServiceHistogram;
  private readonly approvalWait: MetricsServiceHistogram;
  private readonly gateDuration: MetricsServiceHistogram;
  private readonly claims: MetricsServiceCounter;
  private readonly redactions: MetricsServiceCounter;
  private readonly clusterReads: MetricsServiceHistogram;
  private readonly clusterErrors: MetricsServiceCounter;

  constructor(metrics: MetricsService, source: LadderMetricsSource) {
    this.transitions = metrics.createCounter('ladder.promotion.transitions', {
      description:
        'Phase changes of promotions, by kind, target rung, from and to phase',
    });
    this.timeInPhase = metrics.createHistogram(
      'ladder.promotion.phase.duration',
      {
        description:
          'How long a promotion stayed in a phase before leaving it, by phase and target rung',
        unit: 's',
        advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
      },
    );
    this.approvalWait = metrics.createHistogram(
      'ladder.approval.wait.duration',
      {
        description:
          'From AwaitingApproval to the decision (quorum met or rejected), by target rung and outcome',
        unit: 's',
        advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
      },
    );
    this.gateDuration = metrics.createHistogram('ladder.gate.duration', {
      description: 'Evaluation time of one gate, by gate and outcome',
      unit: 's',
      advice: { explicitBucketBoundaries: GATE_BUCKETS },
    });
    this.claims = metrics.createCounter('ladder.deploy.claims', {
      description: 'Approved promotions claimed by a deploy, by target rung',
    });
    this.redactions = metrics.createCounter('ladder.redactions', {
      description: 'Secrets removed from evidence before it was stored',
    });
    this.clusterReads = metrics.createHistogram(
      'ladder.cluster.read.duration',
      {
        description: 'Reads of cluster state, by cluster and outcome',
        unit: 's',
        advice: { explicitBucketBoundaries: GATE_BUCKETS },
      },
    );
    this.clusterErrors = metrics.createCounter('ladder.cluster.read.errors', {
      description: 'Cluster state reads that failed, by cluster',
    });

    metrics
      .createObservableGauge('ladder.promotions', {
        description: 'Promotions by phase, as stored',
      })
      .addCallback(async result => {
        // Every phase, with 0 for those the store has none in: a series not observed would keep
        // its last value in a cumulative export (a Blocked promotion, since cancelled, counted
        // forever).
        const counts = new Map(
          (await source.countPromotionsByPhase()).map(r => [r.phase, r.count]),
        );
        for (const phase of promotionPhases) {
          result.observe(counts.get(phase) ?? 0, { phase });
        }
      });
    metrics
      .createObservableGauge('ladder.drift.open', {
        description:
          'Rungs whose cluster runs something other than the ladder placed',
      })
      .addCallback(async result => {
        result.observe(await source.countOpenDrifts());
      });
  }

  /** A promotion left `p.phase` for `to` (called after the transaction committed). */
  transitioned(p: PromotionRecord, to: PromotionPhase, now = Date.now()) {
    if (to === p.phase) return;
    const rung = p.toRung;
    this.transitions.add(1, { kind: p.kind, rung, from: p.phase, to });
    const stayed = seconds(p.phaseEnteredAt, now);
    if (stayed !== undefined) {
      this.timeInPhase.record(stayed, { phase: p.phase, rung });
      if (p.phase === 'AwaitingApproval') {
        this.approvalWait.record(stayed, { rung, outcome: to });
      }
    }
    if (to === 'Deploying') this.claims.add(1, { rung });
  }

  /** Gate results the engine is about to store (each carries its own evaluation time). */
  gatesEvaluated(
    results: ReadonlyArray<{
      gateId: string;
      status: string;
      durationMs?: number;
    }>,
  ) {
    for (const r of results) {
      if (r.durationMs === undefined) continue;
      this.gateDuration.record(r.durationMs / 1000, {
        gate: r.gateId,
        status: r.status,
      });
    }
  }

  /** No attributes: evidence kinds are free text, and a label per kind would be unbounded. */
  redacted(count: number) {
    if (count > 0) this.redactions.add(count);
  }

  clusterRead(cluster: string, ok: boolean, ms: number) {
    this.clusterReads.record(ms / 1000, {
      cluster,
      outcome: ok ? 'ok' : 'error',
    });
    if (!ok) this.clusterErrors.add(1, { cluster });
  }
}

/**
 * The cluster state provider, timed: a read that returned a fresh observation (made after the
 * call started) counts as a cluster read; an answer from the provider's cache does not.
 */
export function instrumentClusterState(
  provider: ClusterStateProvider,
  metrics: LadderMetrics,
): ClusterStateProvider {
  return {
    async getState(options) {
      const started = Date.now();
      const state = await provider.getState(options);
      const checkedAt = state.checkedAt ? Date.parse(state.checkedAt) : NaN;
      if (!(checkedAt < started)) {
        metrics.clusterRead(
          state.cluster,
          state.reachable,
          Date.now() - started,
        );
      }
      return state;
    },
  };
}
