import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  Approval,
  ExpiryConfig,
  Placement,
  Promotion,
  PromotionPhase,
  RungConfig,
  approvalExpired,
  expiryOf,
  expiryReason,
  isTerminal,
  nextPhase,
} from '@khal/plugin-ladder-common';
import type {
  ClusterStateProvider,
  GateContext,
  GateMode,
  LadderGate,
  ManifestReadResult,
  SettingsSource,
  SettingsSupplied,
} from '@khal/plugin-ladder-node';
import type { LadderStore } from '../database/LadderStore';
import {
  PLACEMENT_AUDIT_ACTION,
  StaleVersionError,
} from '../database/DatabaseLadderStore';
import type { PlacementRecord, PromotionRecord } from '../database/records';
import { EvaluatedGate, runGates } from '../gates/GateRunner';
import { entryGatesFor, requiresApproval } from '../gates/effectiveGates';
import type { ManifestReader } from '../manifest/ManifestReader';
import { approvalStanding, membersByGroup } from '../approvals/approvalStanding';
import { readClusterStates } from './ClusterStates';
import { observeDeploy } from './deployObservation';
import type { GroupMemberships } from './GroupMemberships';
import type { LadderEntities, LadderEntity } from './LadderEntities';
import type { LadderNotifier } from './LadderNotifier';
import {
  entryEvent,
  entryMessage,
  proofStatus,
  verifyEvent,
  verifyMessage,
} from './phaseEvents';
import type { PromotionChange } from './promotionChange';
import type { LadderMetrics } from './LadderMetrics';
import { heldStep, holdRefusal, movesForward } from '../policy/holds';
import { badCommitChange } from '../policy/badCommitChange';
import { timeRulesDueAt } from '../policy/time/dueAt';

/** How often `write` decides again after losing a race before it answers 409. */
const WRITE_ATTEMPTS = 5;

/** Strips what the API's Placement does not carry. */
export function toPlacement(p: PlacementRecord): Placement {
  const { proofStatus: _s, proofCheckedAt: _c, ...placement } = p;
  return placement;
}

function asPromotion(p: PromotionRecord, approvals: Approval[]): Promotion {
  return { ...p, gates: [], approvals, approvalRequirement: null };
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
      /** What the clusters of Kubernetes rungs run: one way a deploy is observed. */
      clusterState?: () => ClusterStateProvider | undefined;
      /** Counts what the engine writes (phase changes, claims, gate outcomes). */
      metrics?: LadderMetrics;
      /** When approvals and open promotions expire (ladder config `expiry`); none when absent. */
      expiry?: ExpiryConfig;
      /** The clock of the time rules (expiry); tests move it. */
      now?: () => Date;
    },
  ) {}

  /** The clock of the time rules (the injected one in tests). */
  now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * Approvals of a promotion onto `rung` without those past its `expiry.approvals` now: an
   * expired approval no longer counts.
   */
  unexpired(approvals: Approval[], rung: { expiry?: ExpiryConfig }): Approval[] {
    const at = this.now();
    const expiry = expiryOf(this.deps.expiry, rung);
    return approvals.filter(a => !approvalExpired(a, expiry, at));
  }

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
    const placements = (await store.listPlacements([target.entityRef])).map(
      toPlacement,
    );
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
          store.findEvidence({
            entityRef: target.entityRef,
            rungId: q.rung,
            ref: q.ref,
            kinds: q.kinds,
            limit: 200,
          }),
      },
      placements,
      approvals: input.approvals ?? [],
      ...(input.clusterMaxAgeMs !== undefined
        ? { clusterMaxAgeMs: input.clusterMaxAgeMs }
        : {}),
      getManifest: r => {
        if (!manifestReads.has(r))
          manifestReads.set(r, manifests.read(target.entity, r));
        return manifestReads.get(r)!;
      },
      getSettingsSupplied: () => {
        supplied ??= this.settingsSupplied(
          target,
          rungIndex,
          ref,
          input.clusterMaxAgeMs,
        );
        return supplied;
      },
      proveRung: async (rungId, proveRef) => {
        const index = target.ladder.rungs.findIndex(r => r.id === rungId);
        if (index < 0 || (input.depth ?? 0) > target.ladder.rungs.length)
          return [];
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
          return {
            id: s.id,
            answer: {
              unknown: `the source failed: ${(error as Error).message}`,
            },
          };
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
      promotion: options.promotion
        ? asPromotion(options.promotion, approvals)
        : undefined,
    });
    return runGates({
      gates: this.deps.gates,
      refs: entryGatesFor(
        rung,
        options.promotion?.kind ?? 'promotion',
        options.target.ladder,
      ),
      context,
      timeoutMs: this.deps.gateTimeoutMs,
    });
  }

  /**
   * Evaluates a rung's proof checks for a ref; when the ref is placed there, stores the results
   * as the placement's proof.
   */
  async proveRung(
    target: LadderEntity,
    rungIndex: number,
    ref: string,
    depth = 0,
  ): Promise<EvaluatedGate[]> {
    const rung = target.ladder.rungs[rungIndex];
    const context = await this.gateContext({
      target,
      rungIndex,
      ref,
      mode: 'proof',
      depth,
    });
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
        await tx.setProofStatus({
          entityRef: target.entityRef,
          rungId: rung.id,
          ref,
          status: proofStatus(results),
        });
      });
    }
    return results;
  }

  /**
   * Moves a promotion as far as its gates and observations allow right now. Safe to call from
   * anywhere at any time: each step is decided on a fresh read and applied with a version check.
   */
  async advance(id: string, actor: string): Promise<PromotionRecord> {
    let current = await this.deps.store.getPromotion(id);
    if (!current) throw new NotFoundError(`no promotion ${id}`);
    try {
      for (let steps = 0; steps < 6 && !isTerminal(current.phase); steps++) {
        const before = current;
        current = await this.write(id, actor, p => this.step(p), before);
        if (current.phase === before.phase) break;
      }
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      this.deps.logger.debug(
        `promotion ${id} moved concurrently: ${error.message}`,
      );
    }
    return (await this.deps.store.getPromotion(id))!;
  }

  /**
   * THE writer of promotion state. Reads the promotion, lets `decide` choose a change from what it
   * read, and applies it in one transaction whose update is conditional on the version read
   * (`WHERE id = ? AND phase = ? AND version = ?`). When another writer got there first, `decide`
   * runs again on a fresh read, so a decision is never applied to a state it did not see. A
   * refusal thrown by `decide` (a ConflictError, NotAllowedError, ...) ends it.
   */
  async write(
    id: string,
    actor: string,
    decide: (p: PromotionRecord) => Promise<PromotionChange | undefined>,
    first?: PromotionRecord,
  ): Promise<PromotionRecord> {
    let read = first;
    for (let attempt = 1; ; attempt++) {
      const p = read ?? (await this.deps.store.getPromotion(id));
      read = undefined;
      if (!p) throw new NotFoundError(`no promotion ${id}`);
      const change = await decide(p);
      if (!change) return p;
      try {
        const record = await this.apply(p, change, actor);
        if (change.refuse) throw new ConflictError(change.refuse);
        return record;
      } catch (error) {
        if (!(error instanceof StaleVersionError)) throw error;
        if (attempt >= WRITE_ATTEMPTS) {
          throw new ConflictError(
            `promotion ${id} kept changing while this was decided (${WRITE_ATTEMPTS} attempts); reload it and try again`,
          );
        }
      }
    }
  }

  /** What the promotion's state means now: the next change, or undefined when it waits. */
  private async step(p: PromotionRecord): Promise<PromotionChange | undefined> {
    let target: LadderEntity;
    try {
      target = await this.deps.entities.load(p.entityRef);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return { event: 'error', message: `cannot continue: ${error.message}` };
    }
    const rungIndex = target.ladder.rungs.findIndex(r => r.id === p.toRung);
    if (target.ladder.id !== p.ladderId || rungIndex < 0) {
      const why = `rung "${p.toRung}" of ladder "${p.ladderId}" is no longer in the ladder config`;
      return { event: 'error', message: `cannot continue: ${why}` };
    }
    const rung = target.ladder.rungs[rungIndex];
    if (!isTerminal(p.phase)) {
      const { badCommit } = await this.deps.store.holdsOn({
        entityRef: p.entityRef,
        ladderId: p.ladderId,
        rungId: p.toRung,
        ref: p.ref,
      });
      if (badCommit) return badCommitChange(p, badCommit);
      const approved = (await this.deps.store.listApprovals([p.id])).filter(
        a => a.decision === 'approve',
      );
      const expiry = expiryOf(this.deps.expiry, rung);
      const expired = expiryReason({
        phase: p.phase,
        createdAt: p.createdAt,
        counted: approved,
        expiry,
        now: this.now(),
      });
      if (expired) {
        return {
          event: 'expire',
          message: `expired: ${expired}`,
          audit: { action: 'expire', detail: { expiry } },
        };
      }
    }

    switch (p.phase) {
      case 'Checking':
      case 'Blocked':
      case 'AwaitingApproval': {
        const moved = await this.manifestMoved(target, p);
        if (moved) return { event: 'supersede', message: moved };
        const approvals = await this.countedApprovals(p, rung);
        const results = await this.evaluateEntry({
          target,
          rungIndex,
          ref: p.ref,
          promotion: p,
          approvals,
        });
        const event = entryEvent(p.phase, results, { breakGlass: !!p.breakGlass });
        const placements = (
          await this.deps.store.listPlacements([p.entityRef])
        ).map(toPlacement);
        return {
          event,
          message: entryMessage(event, results, rung.title, p.breakGlass),
          mode: 'entry',
          results,
          dueAt:
            timeRulesDueAt({
              ladder: target.ladder,
              rungIndex,
              promotion: p,
              placements,
              approvals,
              expiry: expiryOf(this.deps.expiry, rung),
              now: this.now(),
            }) ?? null,
        };
      }
      case 'Approved':
      case 'Deploying':
        return observeDeploy({
          promotion: p,
          rung,
          store: this.deps.store,
          verify: () => this.verifyResults(target, rungIndex, p),
          running: async () => {
            const states = await readClusterStates(
              this.deps.clusterState?.(),
              target,
              id => id === rung.id,
            );
            const state = states[rungIndex];
            return state?.reachable ? state.runningRef : null;
          },
        });
      case 'Verifying': {
        const results = await this.verifyResults(target, rungIndex, p);
        const event = verifyEvent(results);
        const message = verifyMessage(
          event,
          results,
          `${p.ref} is on ${rung.title} and proven`,
        );
        return { event, message, mode: 'verify', results };
      }
      default:
        return undefined;
    }
  }

  /** Runs a rung's proof checks for a promotion being deployed or verified. */
  private async verifyResults(
    target: LadderEntity,
    rungIndex: number,
    p: PromotionRecord,
  ): Promise<EvaluatedGate[]> {
    const rung = target.ladder.rungs[rungIndex];
    const approvals = await this.deps.store.listApprovals([p.id]);
    const context = await this.gateContext({
      target,
      rungIndex,
      ref: p.ref,
      mode: 'verify',
      promotion: asPromotion(p, approvals),
      approvals,
    });
    return runGates({
      gates: this.deps.gates,
      refs: rung.proofChecks,
      context,
      timeoutMs: this.deps.gateTimeoutMs,
    });
  }

  /**
   * The approvals the gates may count, decided now: rejections, and approvals of distinct people
   * who are not the requester, are members of the approver groups per the catalog right now
   * (read fresh, not from the membership cache) and are assigned to one of the rung's rules.
   */
  async countedApprovals(
    p: PromotionRecord,
    rung: RungConfig,
    pending: Approval[] = [],
  ): Promise<Approval[]> {
    const all = this.unexpired(
      [...(await this.deps.store.listApprovals([p.id])), ...pending],
      rung,
    );
    if (!all.some(a => a.decision === 'approve') || !rung.approvers) return all;
    const members = await membersByGroup(
      this.deps.memberships,
      rung.approvers.groups,
      { fresh: true },
    );
    // Only approvals assigned to a rule count: the approval gate then passes exactly when every
    // rule holds (the assigned people number the sum of the rules' minimums).
    const { matched } = approvalStanding(all, {
      approvers: rung.approvers,
      members,
      requester: p.requestedBy,
    });
    return [...all.filter(a => a.decision === 'reject'), ...matched];
  }

  /**
   * Why the promotion no longer describes what would be deployed: the manifest read at its commit
   * now has another digest than the one approvers were shown. Undefined when it still matches (or
   * no digest was recorded).
   */
  async manifestMoved(
    target: LadderEntity,
    p: PromotionRecord,
  ): Promise<string | undefined> {
    if (!p.manifestDigest) return undefined;
    const read = await this.deps.manifests.read(target.entity, p.ref);
    if (read.status === 'unavailable' || read.digest === p.manifestDigest)
      return undefined;
    return `khal-app.json at ${p.ref} changed (digest ${read.digest.slice(
      0,
      12,
    )}, approved for ${p.manifestDigest.slice(
      0,
      12,
    )}): approvals bind to the manifest they saw; request a new promotion`;
  }

  /**
   * Applies one change as one transaction: the version-checked phase update, the gate results,
   * the approval, the claim, the placement (on `Promoted`) and the audit row. Only `write` calls it.
   */
  private async apply(
    p: PromotionRecord,
    change: PromotionChange,
    actor: string,
  ): Promise<PromotionRecord> {
    const { event, message } = change;
    const next = nextPhase(p.phase, event);
    if (!next.ok) throw new ConflictError(next.reason);
    const to: PromotionPhase = next.phase;
    // As the entity's customer sees it: whom an approval request goes to is that customer's
    // stakeholders, never another customer's (DESIGN: customers kept apart).
    const rung = (await this.deps.entities.ladderOfPromotion(p))?.rungs.find(
      r => r.id === p.toRung,
    );
    const previous =
      to === 'Promoted'
        ? (await this.deps.store.listPlacements([p.entityRef])).find(
            x => x.rungId === p.toRung,
          )
        : undefined;
    const record = await this.deps.store.transaction(async tx => {
      const updated = await tx.transitionPromotion({
        id: p.id,
        from: p.phase,
        fromVersion: p.version,
        to,
        message,
        ...(change.claimedBy ? { claimedBy: change.claimedBy } : {}),
        ...(change.dueAt !== undefined ? { dueAt: change.dueAt } : {}),
        ...(change.breakGlass ? { breakGlass: change.breakGlass } : {}),
      });
      // Stop the line and bad commits are decided here, in the transaction of the step, after
      // the version-checked update locked the row: a pause or bad mark committed before this
      // point is seen (or bumped the version, failing the update), one committed after it waits
      // for this transaction and comes after it.
      if (movesForward(change)) {
        const target = {
          entityRef: p.entityRef,
          ladderId: p.ladderId,
          rungId: p.toRung,
          ref: p.ref,
        };
        const refusal = holdRefusal(
          await tx.holdsOn(target),
          heldStep(event, change.approval?.decision === 'approve'),
          { ...target, rungTitle: rung?.title },
        );
        if (refusal) throw new ConflictError(refusal);
      }
      if (change.approval) {
        const { renews, ...approval } = change.approval;
        // A person whose approval expired approves again: the new decision replaces the expired
        // one (one decision per person counts); the audit rows keep both.
        if (renews) await tx.deleteApproval({ id: renews, promotionId: p.id });
        await tx.insertApproval({ promotionId: p.id, ...approval });
      }
      if (change.idempotency)
        await tx.linkIdempotencyKey(change.idempotency, p.id);
      if (change.mode && change.results) {
        await tx.replaceGateResults({
          promotionId: p.id,
          entityRef: p.entityRef,
          rungId: p.toRung,
          ref: p.ref,
          mode: change.mode,
          results: change.results,
        });
      }
      if (to === 'Promoted') {
        const via = p.kind;
        const proof = change.mode === 'verify' ? change.results ?? [] : [];
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
          // placedBy and ladderId let a replay rebuild the placement row from this event alone.
          detail: {
            via,
            previousRef: previous?.ref ?? null,
            placedBy: p.requestedBy,
            ladderId: p.ladderId,
          },
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
      if (to !== p.phase || change.audit) {
        await tx.insertAudit({
          entityRef: p.entityRef,
          promotionId: p.id,
          rungId: p.toRung,
          ref: p.ref,
          action: `${p.kind}.${change.audit?.action ?? event}`,
          actor,
          fromPhase: p.phase,
          toPhase: to,
          // The version the row is left at: the replay's drift check compares it with the live row.
          detail: { message, ...change.audit?.detail, version: updated.version },
        });
      }
      return updated;
    });
    this.deps.metrics?.transitioned(p, to);
    if (change.results) this.deps.metrics?.gatesEvaluated(change.results);
    if (to !== p.phase) {
      const approvers =
        to === 'AwaitingApproval' &&
        rung &&
        requiresApproval(rung, p.kind) &&
        rung.approvers
          ? await this.deps.memberships
              .membersOfAny(rung.approvers.groups)
              .catch(() => [])
          : undefined;
      await this.deps.notifier.promotionChanged({
        promotion: record,
        fromPhase: p.phase,
        actor,
        rungTitle: rung?.title ?? p.toRung,
        approvers: approvers?.filter(a => a !== p.requestedBy),
      });
      if (to === 'Promoted') {
        await this.deps.notifier.entityChanged({
          entityRef: p.entityRef,
          promotionId: p.id,
          change: 'placement',
        });
      }
    } else if (change.approval) {
      await this.deps.notifier.entityChanged(
        {
          entityRef: p.entityRef,
          promotionId: p.id,
          phase: record.phase,
          change: 'approval',
        },
        true,
      );
    }
    return record;
  }
}
