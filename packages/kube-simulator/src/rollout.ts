/*
 * Simulated rolling updates. A change to a Deployment's pod template starts a
 * rollout that moves in ROLLOUT_STEPS steps over the rollout duration:
 *
 *   start   (generation already bumped) a new ReplicaSet with revision
 *           max + 1; Progressing=True/ReplicaSetUpdated; observedGeneration
 *           still the previous generation.
 *   1..3    one controller sync per step: observedGeneration catches up; new
 *           pods created on the previous step turn ready; old ReplicaSets are
 *           scaled down as far as maxUnavailable allows; the new ReplicaSet
 *           grows (within maxSurge) towards ceil(N * step / 3). New pods start
 *           not ready (ContainerCreating) and turn ready on the next step.
 *   4       success: all new pods ready, old ReplicaSets at 0,
 *           Progressing=True/NewReplicaSetAvailable.
 *           failure (annotation simulator.khal.ai/rollout: fail, or a
 *           crash-looping Deployment): new pods never get ready (so old pods
 *           are only removed within maxUnavailable) and at step 4
 *           Progressing=False/ProgressDeadlineExceeded.
 */
import { KubeObject } from './types';
import {
  ControllerContext,
  DEPLOYMENT,
  REPLICA_SET,
  computeDeploymentStatus,
  copyDeploymentAnnotations,
  createReplicaSet,
  desiredReplicas,
  ownedReplicaSets,
  podHealthFor,
  podsOf,
  progressedCondition,
  reconcileDeployment,
  rollingBounds,
  replicaSetForTemplate,
  revisionOf,
  scaleReplicaSet,
  setPodsHealth,
  setRevision,
} from './deployments';
import { recordEvent } from './events';
import { isPodReady } from './pods';
import {
  CRASHLOOP_ANNOTATION,
  ROLLOUT_ANNOTATION,
  ROLLOUT_DURATION_ANNOTATION,
  annotation,
} from './annotations';

export const ROLLOUT_STEPS = 4;
export const DEFAULT_ROLLOUT_DURATION_MS = 2000;

/** Timing of rollouts in one cluster. */
export interface RolloutTiming {
  durationMs?: number;
  tickMs?: number;
  manual?: boolean;
}

/** A rollout in progress, as reported by {@link RolloutEngine.active}. */
export interface RolloutInfo {
  namespace: string;
  name: string;
  replicaSet: string;
  revision: number;
  step: number;
  steps: number;
  willFail: boolean;
}

interface Rollout {
  namespace: string;
  name: string;
  rsUid: string;
  step: number;
  fail: boolean;
  intervalMs: number;
  timer?: NodeJS.Timeout;
}

export class RolloutEngine {
  private readonly rollouts = new Map<string, Rollout>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly timing: RolloutTiming,
  ) {}

  private key(namespace: string, name: string): string {
    return `${namespace}/${name}`;
  }

  /** Whether a Deployment has a rollout in progress. */
  isRolling(namespace: string, name: string): boolean {
    return this.rollouts.has(this.key(namespace, name));
  }

  /** Rollouts in progress. */
  active(): RolloutInfo[] {
    return [...this.rollouts.values()].map(r => {
      const d = this.deployment(r);
      const rs =
        d &&
        ownedReplicaSets(this.ctx.store, d).find(
          x => x.metadata.uid === r.rsUid,
        );
      return {
        namespace: r.namespace,
        name: r.name,
        replicaSet: rs?.metadata.name ?? '',
        revision: rs ? revisionOf(rs) : 0,
        step: r.step,
        steps: ROLLOUT_STEPS,
        willFail: r.fail,
      };
    });
  }

  private intervalFor(d: KubeObject): number {
    if (this.timing.tickMs !== undefined) return this.timing.tickMs;
    const annotated = Number(annotation(d, ROLLOUT_DURATION_ANNOTATION));
    const duration =
      Number.isFinite(annotated) &&
      annotated >= 0 &&
      annotation(d, ROLLOUT_DURATION_ANNOTATION) !== undefined
        ? annotated
        : this.timing.durationMs ?? DEFAULT_ROLLOUT_DURATION_MS;
    return duration / ROLLOUT_STEPS;
  }

  /**
   * Starts a rollout of a stored Deployment whose pod template just changed
   * (its generation is already bumped). Replaces a rollout in progress.
   */
  start(d: KubeObject): void {
    const ns = d.metadata.namespace ?? 'default';
    this.cancel(ns, d.metadata.name);
    this.ctx.pinnedStatus.delete(d.metadata.uid ?? '');
    const owned = ownedReplicaSets(this.ctx.store, d);
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    let rs = replicaSetForTemplate(this.ctx.store, d);
    if (rs) {
      // A rollback to an older template reuses its ReplicaSet with a new revision.
      setRevision(d, rs, maxRevision + 1);
      copyDeploymentAnnotations(d, rs);
      this.ctx.failedReplicaSets.delete(rs.metadata.uid ?? '');
    } else {
      rs = createReplicaSet(this.ctx, d, maxRevision + 1);
      setRevision(d, rs, maxRevision + 1);
    }
    this.ctx.store.put(REPLICA_SET, rs);
    const fail =
      annotation(d, ROLLOUT_ANNOTATION) === 'fail' ||
      annotation(d, CRASHLOOP_ANNOTATION) === 'true';
    const rollout: Rollout = {
      namespace: ns,
      name: d.metadata.name,
      rsUid: rs.metadata.uid ?? '',
      step: 0,
      fail,
      intervalMs: this.intervalFor(d),
    };
    this.rollouts.set(this.key(ns, d.metadata.name), rollout);
    computeDeploymentStatus(this.ctx, d, {
      observedGeneration:
        d.status?.observedGeneration ??
        Math.max(1, (d.metadata.generation ?? 1) - 1),
      progressing: {
        type: 'Progressing',
        status: 'True',
        reason: 'ReplicaSetUpdated',
        message: `ReplicaSet "${rs.metadata.name}" is progressing.`,
      },
    });
    this.ctx.store.put(DEPLOYMENT, d);
    this.schedule(rollout);
  }

  private schedule(rollout: Rollout): void {
    if (this.timing.manual) return;
    rollout.timer = setTimeout(() => {
      rollout.timer = undefined;
      this.step(rollout);
      if (
        this.rollouts.get(this.key(rollout.namespace, rollout.name)) === rollout
      )
        this.schedule(rollout);
    }, rollout.intervalMs);
    rollout.timer.unref?.();
  }

  private deployment(r: Rollout): KubeObject | undefined {
    return this.ctx.store.get(DEPLOYMENT, r.namespace, r.name);
  }

  /** Moves one rollout one step; finishes it at the last step. */
  private step(r: Rollout): void {
    const d = this.deployment(r);
    const rs =
      d &&
      ownedReplicaSets(this.ctx.store, d).find(x => x.metadata.uid === r.rsUid);
    if (!d || !rs) {
      this.cancel(r.namespace, r.name);
      return;
    }
    r.step += 1;
    const old = ownedReplicaSets(this.ctx.store, d).filter(
      x => x.metadata.uid !== r.rsUid,
    );
    if (r.step >= ROLLOUT_STEPS) {
      this.finish(r, d, rs, old);
      return;
    }
    this.sync(r, d, rs, old);
  }

  /** One deployment-controller sync of a rolling update (paced by the step). */
  private sync(
    r: Rollout,
    d: KubeObject,
    rs: KubeObject,
    old: KubeObject[],
  ): void {
    const n = desiredReplicas(d);
    const { maxUnavailable, maxSurge } = rollingBounds(d);
    const brokenHealth =
      podHealthFor(this.ctx, d, rs) === 'crashloop' ? 'crashloop' : 'imagepull';
    // Pods created on an earlier step become ready now (or stay broken on a failing rollout).
    setPodsHealth(this.ctx, rs, r.fail ? brokenHealth : 'ready');
    const newPods = podsOf(this.ctx.store, rs);
    const newUnavailable = newPods.filter(p => !isPodReady(p)).length;
    const oldCount = () =>
      old.reduce((sum, o) => sum + podsOf(this.ctx.store, o).length, 0);
    // Scale old ReplicaSets down, keeping at least N - maxUnavailable pods available.
    let scaleDown = Math.max(
      0,
      newPods.length + oldCount() - (n - maxUnavailable) - newUnavailable,
    );
    for (const o of [...old].sort((a, b) => revisionOf(a) - revisionOf(b))) {
      const count = podsOf(this.ctx.store, o).length;
      const drop = Math.min(scaleDown, count);
      if (drop > 0 || (o.spec?.replicas ?? 0) !== count)
        scaleReplicaSet(this.ctx, d, o, count - drop, 'ready');
      scaleDown -= drop;
    }
    // Scale the new ReplicaSet up within maxSurge, paced over the growth steps.
    const paced = Math.ceil((n * r.step) / (ROLLOUT_STEPS - 1));
    const room = Math.max(0, n + maxSurge - newPods.length - oldCount());
    const target = Math.min(n, paced, newPods.length + room);
    if (target > newPods.length)
      scaleReplicaSet(
        this.ctx,
        d,
        rs,
        target,
        r.fail ? brokenHealth : 'starting',
      );
    computeDeploymentStatus(this.ctx, d);
    this.ctx.store.put(DEPLOYMENT, d);
  }

  private finish(
    r: Rollout,
    d: KubeObject,
    rs: KubeObject,
    old: KubeObject[],
  ): void {
    this.rollouts.delete(this.key(r.namespace, r.name));
    if (!r.fail) {
      this.ctx.failedReplicaSets.delete(rs.metadata.uid ?? '');
      for (const o of old) scaleReplicaSet(this.ctx, d, o, 0, 'ready');
      reconcileDeployment(this.ctx, d, {
        progressing: progressedCondition(rs),
      });
      return;
    }
    this.ctx.failedReplicaSets.add(rs.metadata.uid ?? '');
    computeDeploymentStatus(this.ctx, d, {
      progressing: {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.`,
      },
    });
    this.ctx.store.put(DEPLOYMENT, d);
    recordEvent(
      this.ctx.store,
      d,
      'ProgressDeadlineExceeded',
      `ReplicaSet "${rs.metadata.name}" has timed out progressing.`,
      'Warning',
    );
  }

  /** Moves every rollout in progress `steps` steps. */
  advance(steps = 1): void {
    for (let i = 0; i < steps; i++) {
      for (const r of [...this.rollouts.values()]) this.step(r);
    }
  }

  /** Runs every rollout in progress to its end (success or failure). */
  completeAll(): void {
    for (let i = 0; i < ROLLOUT_STEPS && this.rollouts.size > 0; i++)
      this.advance();
  }

  /** Stops tracking a rollout (the objects stay as they are). */
  cancel(namespace: string, name: string): void {
    const r = this.rollouts.get(this.key(namespace, name));
    if (r?.timer) clearTimeout(r.timer);
    this.rollouts.delete(this.key(namespace, name));
  }

  /** Stops every timer. */
  stop(): void {
    for (const r of [...this.rollouts.values()])
      this.cancel(r.namespace, r.name);
  }
}
