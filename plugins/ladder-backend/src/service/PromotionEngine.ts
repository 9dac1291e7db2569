import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  Approval,
  Placement,
  Promotion,
  PromotionEvent,
  PromotionPhase,
  isTerminal,
  nextPhase,
} from '@khal/plugin-ladder-common';
import type {
  GateContext,
  GateMode,
  LadderGate,
  ManifestReadResult,
  SettingsSource,
  SettingsSupplied,
} from '@khal/plugin-ladder-node';
import type { LadderStore } from '../database/LadderStore';
import { PLACEMENT_AUDIT_ACTION } from '../database/DatabaseLadderStore';
import type { PlacementRecord, PromotionRecord } from '../database/records';
import { EvaluatedGate, runGates } from '../gates/GateRunner';
import { entryGatesFor, requiresApproval } from '../gates/effectiveGates';
import type { ManifestReader } from '../manifest/ManifestReader';
import type { GroupMemberships } from './GroupMemberships';
import type { LadderEntities, LadderEntity } from './LadderEntities';
import type { LadderNotifier } from './LadderNotifier';
import { entryEvent, entryMessage, proofStatus, verifyEvent, verifyMessage } from './phaseEvents';

/** Strips what the API's Placement does not carry. */
export function toPlacement(p: PlacementRecord): Placement {
  const { proofStatus: _s, proofCheckedAt: _c, ...placement } = p;
  return placement;
}

function asPromotion(p: PromotionRecord, approvals: Approval[]): Promotion {
  return { ...p, gates: [], approvals, approvalRequirement: null };
}

interface Extras {
  mode?: GateMode;
  results?: EvaluatedGate[];
}

/**
 * The promotion state machine at work: evaluates gates, derives the phase event and applies it
 * as one conditional update in a transaction, with its audit row (and, on `Promoted`, the moved
 * placement). It is the single writer of promotion phases; requests and the re-check task both
 * go through `advance`.
 */
export class PromotionEngine {
  constructor(
    private readonly deps: {
      store: LadderStore;
      gates: ReadonlyMap<string, LadderGate>;
      settingsSources: SettingsSource[];
      manifests: ManifestReader;
      entities: LadderEntities;
      memberships: GroupMemberships;
      notifier: LadderNotifier;
      logger: LoggerService;
      gateTimeoutMs: number;
    },
  ) {}

  /** Builds what a gate may look at. */
  async gateContext(input: {
    target: LadderEntity;
    rungIndex: number;
    ref: string;
    mode: GateMode;
    promotion?: Promotion;
    approvals?: Approval[];
    depth?: number;
    /** For previews shown to people: cluster observations this old are good enough. */
    clusterMaxAgeMs?: number;
  }): Promise<Omit<GateContext, 'config' | 'signal'>> {
    const { target, rungIndex, ref } = input;
    const { store, manifests } = this.deps;
    const rung = target.ladder.rungs[rungIndex];
    const placements = (await store.listPlacements([target.entityRef])).map(toPlacement);
    const manifestReads = new Map<string, Promise<ManifestReadResult>>();
    let supplied: Promise<SettingsSupplied> | undefined;
    return {
      mode: input.mode,
      entity: target.entity,
      entityRef: target.entityRef,
      ladder: target.ladder,
      rung,
      rungIndex,
      previousRungs: target.ladder.rungs.slice(0, rungIndex).reverse(),
      ref,
      promotion: input.promotion,
      evidence: {
        find: q =>
          store.findEvidence({ entityRef: target.entityRef, rungId: q.rung, ref: q.ref, kinds: q.kinds, limit: 200 }),
      },
      placements,
      approvals: input.approvals ?? [],
      ...(input.clusterMaxAgeMs !== undefined ? { clusterMaxAgeMs: input.clusterMaxAgeMs } : {}),
      getManifest: r => {
        if (!manifestReads.has(r)) manifestReads.set(r, manifests.read(target.entity, r));
        return manifestReads.get(r)!;
      },
      getSettingsSupplied: () => {
        supplied ??= this.settingsSupplied(target, rungIndex, ref, input.clusterMaxAgeMs);
        return supplied;
      },
      proveRung: async (rungId, proveRef) => {
        const index = target.ladder.rungs.findIndex(r => r.id === rungId);
        if (index < 0 || (input.depth ?? 0) > target.ladder.rungs.length) return [];
        return this.proveRung(target, index, proveRef, (input.depth ?? 0) + 1);
      },
    };
  }

  private async settingsSupplied(
    target: LadderEntity,
    rungIndex: number,
    ref: string,
    clusterMaxAgeMs?: number,
  ): Promise<SettingsSupplied> {
    const rung = target.ladder.rungs[rungIndex];
    const sources = this.deps.settingsSources.filter(s => s.supports(rung));
    const answers = await Promise.all(
      sources.map(async s => {
        try {
          return {
            id: s.id,
            answer: await s.suppliedNames({
              ...target,
              rung,
              ref,
              ...(clusterMaxAgeMs !== undefined ? { clusterMaxAgeMs } : {}),
            }),
          };
        } catch (error) {
          return { id: s.id, answer: { unknown: `the source failed: ${(error as Error).message}` } };
        }
      }),
    );
    const names = new Set<string>();
    const result: SettingsSupplied = { names: [], unknown: [], answeredBy: [] };
    for (const { id, answer } of answers) {
      if ('names' in answer) {
        answer.names.forEach(n => names.add(n));
        result.answeredBy.push(id);
      } else {
        result.unknown.push({ sourceId: id, reason: answer.unknown });
      }
    }
    result.names = [...names].sort();
    return result;
  }

  /** Evaluates a rung's entry gates for a ref (a promotion's, or a preview without one). */
  async evaluateEntry(options: {
    target: LadderEntity;
    rungIndex: number;
    ref: string;
    promotion?: PromotionRecord;
    approvals?: Approval[];
  }): Promise<EvaluatedGate[]> {
    const rung = options.target.ladder.rungs[options.rungIndex];
    const approvals = options.approvals ?? [];
    const context = await this.gateContext({
      ...options,
      mode: 'entry',
      approvals,
      promotion: options.promotion ? asPromotion(options.promotion, approvals) : undefined,
    });
    return runGates({
      gates: this.deps.gates,
      refs: entryGatesFor(rung, options.promotion?.kind ?? 'promotion'),
      context,
      timeoutMs: this.deps.gateTimeoutMs,
    });
  }

  /**
   * Evaluates a rung's proof checks for a ref; when the ref is placed there, stores the results
   * as the placement's proof.
   */
  async proveRung(target: LadderEntity, rungIndex: number, ref: string, depth = 0): Promise<EvaluatedGate[]> {
    const rung = target.ladder.rungs[rungIndex];
    const context = await this.gateContext({ target, rungIndex, ref, mode: 'proof', depth });
    const results = await runGates({
      gates: this.deps.gates,
      refs: rung.proofChecks,
      context,
      timeoutMs: this.deps.gateTimeoutMs,
    });
    if (context.placements.some(p => p.rungId === rung.id && p.ref === ref)) {
      await this.deps.store.transaction(async tx => {
        await tx.replaceGateResults({
          promotionId: null,
          entityRef: target.entityRef,
          rungId: rung.id,
          ref,
          mode: 'proof',
          results,
        });
        await tx.setProofStatus({ entityRef: target.entityRef, rungId: rung.id, ref, status: proofStatus(results) });
      });
    }
    return results;
  }

  /**
   * Moves a promotion as far as its gates allow right now. Safe to call from anywhere at any
   * time: a concurrent writer makes the conditional update fail, and this returns what is stored.
   */
  async advance(id: string, actor: string): Promise<PromotionRecord> {
    let current = await this.deps.store.getPromotion(id);
    if (!current) throw new NotFoundError(`no promotion ${id}`);
    try {
      for (let steps = 0; steps < 6 && !isTerminal(current.phase); steps++) {
        const next = await this.step(current, actor);
        if (!next) break;
        current = next.record;
        if (!next.more) break;
      }
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      this.deps.logger.debug(`promotion ${id} moved concurrently: ${error.message}`);
    }
    return (await this.deps.store.getPromotion(id))!;
  }

  private async step(
    p: PromotionRecord,
    actor: string,
  ): Promise<{ record: PromotionRecord; more: boolean } | undefined> {
    let target: LadderEntity;
    try {
      target = await this.deps.entities.load(p.entityRef);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return { record: await this.apply(p, 'error', `cannot continue: ${error.message}`, actor), more: false };
    }
    const rungIndex = target.ladder.rungs.findIndex(r => r.id === p.toRung);
    if (target.ladder.id !== p.ladderId || rungIndex < 0) {
      const why = `rung "${p.toRung}" of ladder "${p.ladderId}" is no longer in the ladder config`;
      return { record: await this.apply(p, 'error', `cannot continue: ${why}`, actor), more: false };
    }
    const rung = target.ladder.rungs[rungIndex];

    switch (p.phase) {
      case 'Checking':
      case 'Blocked':
      case 'AwaitingApproval': {
        const approvals = await this.deps.store.listApprovals([p.id]);
        const results = await this.evaluateEntry({ target, rungIndex, ref: p.ref, promotion: p, approvals });
        const event = entryEvent(p.phase, results);
        const message = entryMessage(event, results, rung.title);
        const record = await this.apply(p, event, message, actor, { mode: 'entry', results }, target);
        return { record, more: record.phase !== p.phase };
      }
      case 'Approved': {
        if (rung.proofChecks.length > 0) {
          const record = await this.apply(
            p,
            'verify',
            `cleared: deploy ${p.ref} to ${rung.title}; verifying ${rung.proofChecks.length} proof check(s)`,
            actor,
            {},
            target,
          );
          return { record, more: true };
        }
        const record = await this.apply(p, 'verified', `${p.ref} is on ${rung.title}`, actor, {}, target);
        return { record, more: false };
      }
      case 'Verifying': {
        const approvals = await this.deps.store.listApprovals([p.id]);
        const context = await this.gateContext({
          target,
          rungIndex,
          ref: p.ref,
          mode: 'verify',
          promotion: asPromotion(p, approvals),
          approvals,
        });
        const results = await runGates({
          gates: this.deps.gates,
          refs: rung.proofChecks,
          context,
          timeoutMs: this.deps.gateTimeoutMs,
        });
        const event = verifyEvent(results);
        const message = verifyMessage(event, results, `${p.ref} is on ${rung.title} and proven`);
        const record = await this.apply(p, event, message, actor, { mode: 'verify', results }, target);
        return { record, more: false };
      }
      default:
        return undefined;
    }
  }

  /**
   * Applies an event as one transaction: the conditional phase update, the gate results, the
   * placement (on `Promoted`) and the audit row. Zero rows updated is a ConflictError.
   */
  async apply(
    p: PromotionRecord,
    event: PromotionEvent,
    message: string,
    actor: string,
    extras: Extras = {},
    target?: LadderEntity,
  ): Promise<PromotionRecord> {
    const next = nextPhase(p.phase, event);
    if (!next.ok) throw new ConflictError(next.reason);
    const to: PromotionPhase = next.phase;
    const rung = target?.ladder.rungs.find(r => r.id === p.toRung);
    const previous =
      to === 'Promoted'
        ? (await this.deps.store.listPlacements([p.entityRef])).find(x => x.rungId === p.toRung)
        : undefined;
    const record = await this.deps.store.transaction(async tx => {
      const updated = await tx.transitionPromotion({ id: p.id, from: p.phase, fromVersion: p.version, to, message });
      if (extras.mode && extras.results) {
        await tx.replaceGateResults({
          promotionId: p.id,
          entityRef: p.entityRef,
          rungId: p.toRung,
          ref: p.ref,
          mode: extras.mode,
          results: extras.results,
        });
      }
      if (to === 'Promoted') {
        const via = p.kind;
        const proof = extras.mode === 'verify' ? extras.results ?? [] : [];
        await tx.upsertPlacement({
          entityRef: p.entityRef,
          rungId: p.toRung,
          ladderId: p.ladderId,
          ref: p.ref,
          via,
          promotionId: p.id,
          placedAt: new Date().toISOString(),
          placedBy: p.requestedBy,
          proofStatus: proofStatus(proof),
        });
        await tx.replaceGateResults({
          promotionId: null,
          entityRef: p.entityRef,
          rungId: p.toRung,
          ref: p.ref,
          mode: 'proof',
          results: proof,
        });
        await tx.insertAudit({
          entityRef: p.entityRef,
          promotionId: p.id,
          rungId: p.toRung,
          ref: p.ref,
          action: PLACEMENT_AUDIT_ACTION,
          actor,
          detail: { via, previousRef: previous?.ref ?? null },
        });
        // The ladder decided what this rung holds: an open drift ends here (adopted, rolled back
        // or replaced). If the cluster still runs something else, the next observation says so.
        await tx.resolveDrift({
          entityRef: p.entityRef,
          rungId: p.toRung,
          resolution: p.kind,
          actor,
          promotionId: p.id,
        });
      }
      if (to !== p.phase) {
        await tx.insertAudit({
          entityRef: p.entityRef,
          promotionId: p.id,
          rungId: p.toRung,
          ref: p.ref,
          action: `${p.kind}.${event}`,
          actor,
          fromPhase: p.phase,
          toPhase: to,
          detail: { message },
        });
      }
      return updated;
    });
    if (to !== p.phase) {
      const approvers =
        to === 'AwaitingApproval' && rung && requiresApproval(rung, p.kind) && rung.approvers
          ? await this.deps.memberships.membersOfAny(rung.approvers.groups).catch(() => [])
          : undefined;
      await this.deps.notifier.promotionChanged({
        promotion: record,
        fromPhase: p.phase,
        actor,
        rungTitle: rung?.title ?? p.toRung,
        approvers: approvers?.filter(a => a !== p.requestedBy),
      });
      if (to === 'Promoted') {
        await this.deps.notifier.entityChanged({ entityRef: p.entityRef, promotionId: p.id, change: 'placement' });
      }
    }
    return record;
  }
}
