import type { BackstageCredentials, LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterState,
  EntityLadderResponse,
  MANIFEST_FILENAME,
  MANIFEST_PROBLEM_ANNOTATION,
  NextStep,
  Promotion,
  RungView,
  deriveRungStatus,
  openPhases,
} from '@khal/plugin-ladder-common';
import type { ClusterStateProvider, LadderGate } from '@khal/plugin-ladder-node';
import type { LadderStore } from '../database/LadderStore';
import type { DriftRecord, PlacementRecord, StoredGateResult } from '../database/records';
import { entryGatesFor } from '../gates/effectiveGates';
import { EvaluatedGate, runGates } from '../gates/GateRunner';
import type { ClusterStateCache } from './ClusterStates';
import type { DriftMonitor } from './DriftMonitor';
import { LadderEntities, LadderEntity, normalizeEntityRef } from './LadderEntities';
import type { GroupMemberships } from './GroupMemberships';
import { needsClaim } from './deployObservation';
import { gatesLine, waitingFor } from './phaseEvents';
import { rollbackTarget } from './rollbackTarget';
import { requestRefusal } from './requestRule';
import type { PromotionEngine } from './PromotionEngine';
import { toPlacement } from './PromotionEngine';
import { PromotionViews, toGateResult } from './PromotionViews';
import { entityLadderSummary, rungSummary, shortRef } from './rungSummary';
import { commandValues } from './rungCommands';

/** One entity on its ladder: rungs with placement, proof and status, open promotions, next step. */
export class EntityLadderView {
  constructor(
    private readonly deps: {
      store: LadderStore;
      entities: LadderEntities;
      engine: PromotionEngine;
      views: PromotionViews;
      logger: LoggerService;
      clusterState: () => ClusterStateProvider | undefined;
      gates: ReadonlyMap<string, LadderGate>;
      gateTimeoutMs: number;
      drift: DriftMonitor;
      clusterCache: ClusterStateCache;
      memberships: GroupMemberships;
      operatorsGroup: string;
    },
  ) {}

  /** `live`: read the clusters now rather than show an observation up to `clusterStateMaxAgeMs` old. */
  async get(
    entityRef: string,
    credentials: BackstageCredentials,
    options?: { live?: boolean },
  ): Promise<EntityLadderResponse> {
    const ref = normalizeEntityRef(entityRef);
    const { store } = this.deps;
    // The store reads need only the ref, so they run while the catalog answers. Nothing they return
    // is shown unless the catalog read (with the caller's credentials) succeeds.
    const stored = Promise.all([
      store.listPlacements([ref]),
      store.listProofResults([ref]),
      store.listPromotions({ entityRef: ref, phases: openPhases(), limit: 50, offset: 0 }),
      store.listOpenDrifts([ref]),
    ]);
    stored.catch(() => undefined); // awaited below; a catalog 404 must not leave it unhandled
    const target = await this.deps.entities.load(ref, credentials);
    // Whether the signed-in user may request a promotion onto each rung: the rule POST /promotions
    // enforces, so the page can disable the request with its reason before a click.
    const principal = credentials.principal as { type?: string; userEntityRef?: string };
    const user = principal.type === 'user' ? principal.userEntityRef : undefined;
    const requestRefusals = Promise.all(
      target.ladder.rungs.map(rung => requestRefusal(this.deps, user, rung).catch(() => undefined)),
    );
    const openViews = stored.then(([, , open]) => this.deps.views.many(open));
    openViews.catch(() => undefined);
    // The preview of the next promotion needs no cluster state either: it runs while the clusters
    // answer, and is used unless the next step turns out to be something else (e.g. a drift).
    const preview = stored.then(([placements, proofs, open]) => {
      const next = open.length === 0 ? promotable(target, placements) : undefined;
      if (!next) return undefined;
      return this.preview(target, next.rungIndex, next.ref, placements, proofs).catch(error => {
        this.deps.logger.warn(`preview of ${target.entityRef} to ${target.ladder.rungs[next.rungIndex].id} failed: ${error}`);
        return [];
      });
    });
    preview.catch(() => undefined);
    const [[placements, proofs, , observed], clusters, openPromotions, refusals] = await Promise.all([
      stored,
      this.deps.clusterCache.read(this.deps.clusterState(), target, options),
      openViews,
      requestRefusals,
    ]);
    // The view shows the last observation, corrected by what the clusters say right now. It does
    // not record drift itself: when the two differ it hands the entity to the drift monitor, which
    // records the drift (and tells its owners) in the background.
    const drifts = currentDrifts(target, placements, clusters, observed);
    if (differsFromObservation(drifts, observed)) this.deps.drift.reconcileLater(target);
    // Commands are shown rendered for the entity: with the ref placed on the rung, else the one a
    // promotion would bring up from below.
    const valuesFor = (rung: LadderEntity['ladder']['rungs'][number], i: number) =>
      commandValues(
        target.entity,
        rung,
        target.ladder.rungs
          .slice(0, i + 1)
          .reverse()
          .map(r => placements.find(p => p.rungId === r.id)?.ref)
          .find(Boolean),
      );
    const [histories, badCommits, pauses] = await Promise.all([
      Promise.all(
        target.ladder.rungs.map(rung =>
          placements.some(p => p.rungId === rung.id) ? store.placementHistory(target.entityRef, rung.id) : [],
        ),
      ),
      store.listBadCommits([target.entityRef]),
      store.listPauses({ ladderIds: [target.ladder.id], entityRefs: [target.entityRef] }),
    ]);
    const badShas = new Set(badCommits.map(b => b.sha));
    const rungs: RungView[] = target.ladder.rungs.map((rung, i) => {
      const placement = placements.find(p => p.rungId === rung.id);
      const proof = placement
        ? proofs.filter(r => r.rungId === rung.id && r.ref === placement.ref).map(toGateResult)
        : [];
      const cluster = clusters[i];
      // A claimed deploy in flight shows as "deploying" until its change is observed.
      const deploying = openPromotions.find(
        p => p.toRung === rung.id && (p.phase === 'Deploying' || p.phase === 'Verifying'),
      );
      const status = deriveRungStatus({
        clusterReachable: cluster?.reachable,
        clusterReason: cluster?.reason,
        deployingRef: deploying?.ref ?? null,
        placedRef: placement?.ref ?? null,
        runningRef: cluster?.runningRef,
        proofResults: placement && placement.proofStatus !== null ? proof : undefined,
      });
      const drift = drifts.get(rung.id);
      return {
        rung: rungSummary(rung, valuesFor(rung, i)),
        placement: placement ? toPlacement(placement) : null,
        proof,
        status: status.status,
        statusReason: status.reason,
        request: refusals[i] ? { allowed: false, reason: refusals[i] } : { allowed: true },
        rollback: rollbackTarget({
          rungTitle: rung.title,
          placedRef: placement?.ref ?? null,
          drifted: status.status === 'drifted',
          history: histories[i],
          badShas,
        }),
        ...(cluster ? { cluster } : {}),
        ...(status.status === 'drifted'
          ? {
              drift: {
                since: drift?.firstSeenAt ?? cluster?.checkedAt ?? new Date().toISOString(),
                running: cluster?.runningRef ?? drift?.runningRef ?? null,
                expected: placement?.ref ?? null,
              },
            }
          : {}),
      };
    });
    return {
      entityRef: target.entityRef,
      ladder: entityLadderSummary(target.ladder, valuesFor),
      rungs,
      openPromotions,
      next: await this.nextStep(target, placements, openPromotions, drifts, preview, clusters),
      pauses,
      badCommits,
    };
  }

  private async nextStep(
    target: LadderEntity,
    placements: PlacementRecord[],
    open: Promotion[],
    drifts: Map<string, ShownDrift>,
    preview: Promise<EvaluatedGate[] | undefined>,
    clusters: Array<ClusterState | undefined>,
  ): Promise<NextStep> {
    const rungs = target.ladder.rungs;
    const name = target.entity.metadata.title ?? target.entity.metadata.name;
    if (placements.length === 0) {
      // The catalog keeps an entity whose khal-app.json is missing or invalid (so it can be seen)
      // and says why; nothing is enrolled before manifest-valid could pass.
      const problem = target.entity.metadata.annotations?.[MANIFEST_PROBLEM_ANNOTATION];
      if (problem) {
        return {
          action: 'fix',
          toRung: rungs[0].id,
          gatesPassed: 0,
          gatesTotal: 1,
          waitingFor: [`manifest-valid: a valid ${MANIFEST_FILENAME}`],
          summary: `Next: fix ${MANIFEST_FILENAME}, then enroll ${name} on ${rungs[0].title} — manifest-valid fails: ${problem}`,
        };
      }
      return {
        action: 'enroll',
        toRung: rungs[0].id,
        summary: `Next: enroll ${name} on ${rungs[0].title}`,
      };
    }
    const title = (id: string) => rungs.find(r => r.id === id)?.title ?? id;
    const promotion = open[0];
    if (promotion) {
      const gates = promotion.gates;
      const passed = gates.filter(g => g.status === 'passed').length;
      const base = {
        toRung: promotion.toRung,
        ref: promotion.ref,
        promotionId: promotion.id,
        gatesPassed: passed,
        gatesTotal: gates.length,
      };
      const what = `${promotion.kind === 'rollback' ? 'roll back' : 'promote'} ${shortRef(promotion.ref)} to ${title(promotion.toRung)}`;
      if (promotion.phase === 'AwaitingApproval') {
        const req = promotion.approvalRequirement;
        return {
          action: 'approve',
          ...base,
          waitingFor: [`approval from ${req?.groups.join(', ') ?? 'the approvers'}`],
          summary: `Next: approve — ${what} — ${req ? `${req.given} of ${req.minimum} approvals` : 'waiting for approval'}`,
        };
      }
      if (promotion.phase === 'Blocked') {
        const stored = (await this.deps.store.listGateResults([promotion.id])).filter(r => r.mode === 'entry');
        return {
          action: 'fix',
          ...base,
          waitingFor: waitingFor(stored),
          summary: `Next: ${what} — ${gatesLine(stored)}`,
        };
      }
      // Cleared but not deployed: the deploy is the next action, not waiting (nothing else moves it).
      const rungIndex = rungs.findIndex(r => r.id === promotion.toRung);
      const rung = rungs[rungIndex];
      const claimed = rung && needsClaim(rung, promotion.kind);
      const running = clusters[rungIndex]?.runningRef;
      const undeployed =
        (promotion.phase === 'Approved' && claimed) ||
        (promotion.phase === 'Verifying' && (!rung?.kubernetes || running !== promotion.ref));
      if (rung && undeployed && promotion.kind !== 'adoption') {
        const how = claimed
          ? 'it claims the approved promotion, runs the rung\'s deploy command and reports the outcome'
          : 'it runs the rung\'s deploy command and records its output';
        return {
          action: 'deploy',
          ...base,
          summary: `Next: deploy — ${what} is ${promotion.phase === 'Approved' ? 'approved' : 'cleared'}: run \`khal deploy --target ${rung.id}\` in a checkout of ${shortRef(promotion.ref)} (${how}); the ladder then verifies it: ${promotion.phaseMessage}`,
        };
      }
      return {
        action: 'wait',
        ...base,
        summary: `Next: wait — ${what} is ${promotion.phase}: ${promotion.phaseMessage}`,
      };
    }
    if (!placements.some(p => rungs.some(r => r.id === p.rungId))) {
      // Placed only on rungs since removed from the ladder config: enrolling again is refused (it
      // has placements), a promotion to the first rung puts it back on the ladder.
      const latest = placements.reduce((a, b) => (b.placedAt > a.placedAt ? b : a));
      const removed = [...new Set(placements.map(p => p.rungId))].join(', ');
      return {
        action: 'promote',
        toRung: rungs[0].id,
        ref: latest.ref,
        summary: `Next: promote ${shortRef(latest.ref)} to ${rungs[0].title} — ${name} is placed only on rungs no longer in the ladder: ${removed}`,
      };
    }
    const highest = Math.max(...placements.map(p => rungs.findIndex(r => r.id === p.rungId)));
    const ref = placements.find(p => p.rungId === rungs[highest]?.id)!.ref;
    const drift = drifts.get(rungs[highest]?.id);
    if (drift) {
      // Nothing is promoted from a drifted rung: resolving it comes first.
      return {
        action: 'fix',
        toRung: drift.rungId,
        ref: drift.runningRef,
        waitingFor: ['drift resolved'],
        summary: `Next: resolve the drift on ${title(drift.rungId)} — adopt ${shortRef(drift.runningRef)}${
          drift.expectedRef ? ` or roll back to ${shortRef(drift.expectedRef)}` : ''
        }`,
      };
    }
    const next = promotable(target, placements);
    if (!next) {
      return {
        action: 'none',
        ref,
        summary: `${shortRef(ref)} is on ${rungs[Math.max(highest, 0)].title}, the top of the ladder`,
      };
    }
    const nextIndex = next.rungIndex;
    const results = (await preview) ?? [];
    return {
      action: 'promote',
      toRung: rungs[nextIndex].id,
      ref,
      gatesPassed: results.filter(r => r.status === 'passed').length,
      gatesTotal: results.length,
      waitingFor: waitingFor(results),
      summary: `Next: promote ${shortRef(ref)} to ${rungs[nextIndex].title} — ${gatesLine(results)}`,
    };
  }

  /**
   * The entry gates of the next rung as they stand, without side effects: where a gate asks for
   * the proof of a lower rung, a passed proof is taken as stored (the engine never re-proves a
   * passed placement either) and any other is evaluated afresh but not stored (the re-check and
   * the engine store proofs; a read does not).
   */
  private async preview(
    target: LadderEntity,
    rungIndex: number,
    ref: string,
    placements: PlacementRecord[],
    proofs: StoredGateResult[],
  ): Promise<EvaluatedGate[]> {
    const { engine, gates, gateTimeoutMs } = this.deps;
    // Shown, not acted on: cluster observations as recent as the view's own are good enough.
    const clusterMaxAgeMs = this.deps.clusterCache.maxAgeMs;
    const context = await engine.gateContext({ target, rungIndex, ref, mode: 'entry', approvals: [], clusterMaxAgeMs });
    type Prove = (rungId: string, proveRef: string) => Promise<EvaluatedGate[]>;
    // As the engine does: a proof check may ask for the proof of the rung below, to a bounded depth.
    const proveAt =
      (depth: number): Prove =>
      (rungId, proveRef) =>
        depth > target.ladder.rungs.length
          ? Promise.resolve([])
          : this.storedOrFreshProof(target, rungId, proveRef, placements, proofs, proveAt(depth + 1));
    const proven = new Map<string, Promise<EvaluatedGate[]>>();
    const proveRung: Prove = (rungId, proveRef) => {
      const key = `${rungId}\u0000${proveRef}`;
      if (!proven.has(key)) proven.set(key, proveAt(1)(rungId, proveRef));
      return proven.get(key)!;
    };
    return runGates({
      gates,
      refs: entryGatesFor(target.ladder.rungs[rungIndex], 'promotion', target.ladder),
      context: { ...context, proveRung },
      timeoutMs: gateTimeoutMs,
    });
  }

  private async storedOrFreshProof(
    target: LadderEntity,
    rungId: string,
    ref: string,
    placements: PlacementRecord[],
    proofs: StoredGateResult[],
    proveBelow: (rungId: string, ref: string) => Promise<EvaluatedGate[]>,
  ): Promise<EvaluatedGate[]> {
    const index = target.ladder.rungs.findIndex(r => r.id === rungId);
    if (index < 0) return [];
    const placement = placements.find(p => p.rungId === rungId && p.ref === ref);
    if (placement?.proofStatus === 'passed') {
      return proofs.filter(r => r.rungId === rungId && r.ref === ref).map(toGateResult);
    }
    const rung = target.ladder.rungs[index];
    const context = await this.deps.engine.gateContext({
      target,
      rungIndex: index,
      ref,
      mode: 'proof',
      clusterMaxAgeMs: this.deps.clusterCache.maxAgeMs,
    });
    return runGates({
      gates: this.deps.gates,
      refs: rung.proofChecks,
      context: { ...context, proveRung: proveBelow },
      timeoutMs: this.deps.gateTimeoutMs,
    });
  }
}

/** The rung the entity's highest placed ref would be promoted to next, if any. */
function promotable(target: LadderEntity, placements: PlacementRecord[]): { rungIndex: number; ref: string } | undefined {
  const rungs = target.ladder.rungs;
  if (placements.length === 0) return undefined;
  const highest = Math.max(...placements.map(p => rungs.findIndex(r => r.id === p.rungId)));
  const rungIndex = rungs.findIndex((r, i) => i > highest && !r.optional);
  if (highest < 0 || rungIndex < 0) return undefined;
  return { rungIndex, ref: placements.find(p => p.rungId === rungs[highest].id)!.ref };
}

/** True when what the clusters show now is not what is stored (a drift to open, update or resolve). */
function differsFromObservation(shown: Map<string, ShownDrift>, observed: DriftRecord[]): boolean {
  for (const drift of shown.values()) {
    const stored = observed.find(d => d.rungId === drift.rungId);
    if (!stored || stored.runningRef !== drift.runningRef || stored.expectedRef !== drift.expectedRef) return true;
    if (!stored.notifiedAt) return true;
  }
  return observed.some(d => !shown.has(d.rungId));
}

/** A drift as the view shows it: the stored observation, or what the clusters show right now. */
type ShownDrift = Pick<DriftRecord, 'rungId' | 'runningRef' | 'expectedRef'> & { firstSeenAt?: string };

/**
 * Open drifts by rung id, as the view shows them: a reachable cluster that says what it runs is
 * authoritative (drifted or not); otherwise the last stored observation stands.
 */
function currentDrifts(
  target: LadderEntity,
  placements: PlacementRecord[],
  clusters: Array<ClusterState | undefined>,
  observed: DriftRecord[],
): Map<string, ShownDrift> {
  const drifts = new Map<string, ShownDrift>();
  target.ladder.rungs.forEach((rung, i) => {
    const stored = observed.find(d => d.rungId === rung.id);
    const cluster = clusters[i];
    if (!cluster?.reachable || !cluster.runningRef) {
      if (stored) drifts.set(rung.id, stored);
      return;
    }
    const placed = placements.find(p => p.rungId === rung.id)?.ref ?? null;
    if (cluster.runningRef === placed) return;
    drifts.set(rung.id, {
      rungId: rung.id,
      runningRef: cluster.runningRef,
      expectedRef: placed,
      ...(stored ? { firstSeenAt: stored.firstSeenAt } : {}),
    });
  });
  return drifts;
}
