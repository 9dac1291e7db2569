import type { BackstageCredentials, LoggerService } from '@backstage/backend-plugin-api';
import {
  EntityLadderResponse,
  NextStep,
  Promotion,
  RungView,
  deriveRungStatus,
  openPhases,
} from '@khal/plugin-ladder-common';
import type { ClusterStateProvider } from '@khal/plugin-ladder-node';
import type { LadderStore } from '../database/LadderStore';
import type { DriftRecord, PlacementRecord } from '../database/records';
import { readClusterStates } from './ClusterStates';
import type { DriftMonitor } from './DriftMonitor';
import type { LadderEntities, LadderEntity } from './LadderEntities';
import { gatesLine, waitingFor } from './phaseEvents';
import type { PromotionEngine } from './PromotionEngine';
import { toPlacement } from './PromotionEngine';
import { PromotionViews, toGateResult } from './PromotionViews';
import { ladderSummary, rungSummary, shortRef } from './rungSummary';

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
      drift: DriftMonitor;
    },
  ) {}

  async get(entityRef: string, credentials: BackstageCredentials): Promise<EntityLadderResponse> {
    const target = await this.deps.entities.load(entityRef, credentials);
    const { store } = this.deps;
    const [placements, proofs, open] = await Promise.all([
      store.listPlacements([target.entityRef]),
      store.listProofResults([target.entityRef]),
      store.listPromotions({ entityRef: target.entityRef, phases: openPhases(), limit: 50, offset: 0 }),
    ]);
    const clusters = await readClusterStates(this.deps.clusterState(), target);
    const drifts = await this.deps.drift.reconcile(target, placements, clusters).catch(error => {
      this.deps.logger.warn(`drift of ${target.entityRef} could not be recorded: ${error}`);
      return new Map<string, DriftRecord>();
    });
    const rungs: RungView[] = target.ladder.rungs.map((rung, i) => {
      const placement = placements.find(p => p.rungId === rung.id);
      const proof = placement
        ? proofs.filter(r => r.rungId === rung.id && r.ref === placement.ref).map(toGateResult)
        : [];
      const cluster = clusters[i];
      const status = deriveRungStatus({
        clusterReachable: cluster?.reachable,
        clusterReason: cluster?.reason,
        placedRef: placement?.ref ?? null,
        runningRef: cluster?.runningRef,
        proofResults: placement && placement.proofStatus !== null ? proof : undefined,
      });
      const drift = drifts.get(rung.id);
      return {
        rung: rungSummary(rung),
        placement: placement ? toPlacement(placement) : null,
        proof,
        status: status.status,
        statusReason: status.reason,
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
    const openPromotions = await this.deps.views.many(open);
    return {
      entityRef: target.entityRef,
      ladder: ladderSummary(target.ladder),
      rungs,
      openPromotions,
      next: await this.nextStep(target, placements, openPromotions, drifts),
    };
  }

  private async nextStep(
    target: LadderEntity,
    placements: PlacementRecord[],
    open: Promotion[],
    drifts: Map<string, DriftRecord>,
  ): Promise<NextStep> {
    const rungs = target.ladder.rungs;
    const name = target.entity.metadata.title ?? target.entity.metadata.name;
    if (placements.length === 0) {
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
      return {
        action: 'wait',
        ...base,
        summary: `Next: wait — ${what} is ${promotion.phase}: ${promotion.phaseMessage}`,
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
    const nextIndex = rungs.findIndex((r, i) => i > highest && !r.optional);
    if (highest < 0 || nextIndex < 0) {
      return {
        action: 'none',
        ref,
        summary: `${shortRef(ref)} is on ${rungs[Math.max(highest, 0)].title}, the top of the ladder`,
      };
    }
    const results = await this.deps.engine
      .evaluateEntry({ target, rungIndex: nextIndex, ref })
      .catch(error => {
        this.deps.logger.warn(`preview of ${target.entityRef} to ${rungs[nextIndex].id} failed: ${error}`);
        return [];
      });
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
}
