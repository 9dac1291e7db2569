import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  LadderConfig,
  Placement,
  PromotionExplanation,
  PromotionKind,
  isTerminal,
  nextPhase,
  resolveRung,
} from '@khal/plugin-ladder-common';
import type { IdempotencyClaim, LadderStore } from '../database/LadderStore';
import type { PlacementRecord, PromotionRecord } from '../database/records';
import type { ChangeView } from '../changes/ChangeView';
import type { Entity } from '@backstage/catalog-model';
import { Redactor } from '../evidence/Redactor';
import { secretSettingNames } from '../evidence/secretSettingNames';
import type { ManifestReader } from '../manifest/ManifestReader';
import { APPROVAL_GATE_ID, requiresApproval } from '../gates/effectiveGates';
import type { Caller } from './Caller';
import { type DriftMonitor, waysOutOfDrift } from './DriftMonitor';
import type { GroupMemberships } from './GroupMemberships';
import type { LadderEntities, LadderEntity } from './LadderEntities';
import type { LadderNotifier } from './LadderNotifier';
import { PromotionEngine, toPlacement } from './PromotionEngine';

/**
 * What people (and the scaffolder) ask the engine to do: request, approve, reject, cancel and
 * re-check promotions, and enroll entities. Domain rules live here (mutation policies, four
 * eyes, rollback history); permissions are checked by the router before.
 */
export class PromotionCommands {
  constructor(
    private readonly deps: {
      config: LadderConfig;
      store: LadderStore;
      engine: PromotionEngine;
      entities: LadderEntities;
      memberships: GroupMemberships;
      notifier: LadderNotifier;
      redactor: Redactor;
      logger: LoggerService;
      drift: DriftMonitor;
      changes: ChangeView;
      manifests: ManifestReader;
    },
  ) {}

  /** The redactor for text sent about `ref`: also removes values of the settings it declares secret. */
  private async redactorFor(entity: Entity, ref: string): Promise<Redactor> {
    return this.deps.redactor.withSecretSettings(await secretSettingNames(this.deps.manifests, entity, ref));
  }

  /** The same for text about an existing promotion; the generic rules if its entity cannot be read. */
  private async redactorForPromotion(promotion: PromotionRecord): Promise<Redactor> {
    const owner = await this.deps.entities.load(promotion.entityRef).catch(() => undefined);
    return owner ? this.redactorFor(owner.entity, promotion.ref) : this.deps.redactor;
  }

  private requireUser(caller: Caller, what: string): string {
    if (caller.kind !== 'user' || !caller.userRef) {
      throw new NotAllowedError(`${what} is done by people: call with a user token, not a service token`);
    }
    return caller.userRef;
  }

  async create(
    caller: Caller,
    input: {
      entityRef: string;
      toRung: string;
      ref: string;
      kind: PromotionKind;
      reason?: string;
      explanation?: string;
    },
    idempotency?: IdempotencyClaim,
  ): Promise<PromotionRecord> {
    const { store, memberships, config, engine, notifier } = this.deps;
    const user = this.requireUser(caller, 'requesting a promotion');
    const target = await this.deps.entities.load(input.entityRef, caller.credentials);
    const resolved = resolveRung(target.ladder, input.toRung);
    if (!resolved) {
      throw new InputError(
        `ladder "${target.ladder.id}" has no rung "${input.toRung}"; its rungs are ${target.ladder.rungs
          .map(r => r.id)
          .join(', ')}`,
      );
    }
    const { rung, index } = resolved;
    if (rung.mutationPolicy === 'operators' && !(await memberships.isMember(user, [config.operatorsGroup]))) {
      throw new NotAllowedError(
        `only members of ${config.operatorsGroup} may request promotions to ${rung.title} (mutation policy "operators"); ask an operator`,
      );
    }
    if (rung.metadata?.requiresExplanation) {
      const missing = [
        ...(input.explanation?.trim() ? [] : ['"explanation": say what changes for the customer and why']),
        ...(rung.metadata.customer ? [] : [`the customer: set metadata.customer on rung "${rung.id}" in the ladder config`]),
      ];
      if (missing.length > 0) {
        throw new InputError(
          `${rung.title} needs a complete explanation for ${rung.metadata.customer ?? 'the customer'} before a promotion can be requested; missing: ${missing.join('; ')}`,
        );
      }
    }
    const placements = await store.listPlacements([target.entityRef]);
    const current = placements.find(p => p.rungId === rung.id);
    // Drift of the target rung matters to adoptions and to rolling back to the placed ref.
    const targetDrift =
      input.kind !== 'promotion' && rung.kubernetes
        ? (await this.deps.drift.observe(target, id => id === rung.id)).get(rung.id)
        : undefined;
    if (input.kind === 'adoption') {
      if (!targetDrift) {
        throw new InputError(
          `${rung.title} has not drifted: there is nothing to adopt (adoption makes the ref a drifted Kubernetes rung runs its placement)`,
        );
      }
      if (targetDrift.runningRef !== input.ref) {
        throw new InputError(
          `${rung.title} runs ${targetDrift.runningRef}, not ${input.ref}: only the running ref can be adopted`,
        );
      }
    }
    const rollbackToPlaced = input.kind === 'rollback' && targetDrift !== undefined && current?.ref === input.ref;
    if (current?.ref === input.ref && !rollbackToPlaced) {
      throw new ConflictError(`${input.ref} is already on ${rung.title}; nothing to promote`);
    }
    if (input.kind === 'rollback' && !rollbackToPlaced) {
      const history = (await store.placementHistory(target.entityRef, rung.id)).filter(r => r !== current?.ref);
      if (!history.includes(input.ref)) {
        throw new InputError(
          `cannot roll ${rung.title} back to ${input.ref}: it was never placed there. Refs that can be rolled back to: ${
            history.length ? history.join(', ') : 'none (nothing else was ever placed on this rung)'
          }`,
        );
      }
    }
    const below = target.ladder.rungs.slice(0, index).reverse();
    const fromRung =
      input.kind === 'adoption'
        ? null
        : below.find(r => placements.some(p => p.rungId === r.id && p.ref === input.ref))?.id ?? null;
    const source = fromRung ? target.ladder.rungs.find(r => r.id === fromRung) : undefined;
    if (source?.kubernetes && input.kind === 'promotion') {
      const drift = (await this.deps.drift.observe(target, id => id === source.id)).get(source.id);
      if (drift) {
        throw new ConflictError(
          `${source.title} has drifted: its cluster runs ${drift.runningRef} but the ladder placed ${
            drift.expectedRef ?? 'nothing'
          } there (since ${drift.firstSeenAt}), so nothing is promoted from it until that is resolved: ${waysOutOfDrift(
            drift,
            source.id,
          )}`,
        );
      }
    }
    const textRedactor = await this.redactorFor(target.entity, input.ref);
    const reason = (await textRedactor.text(input.reason ?? '')).value;
    const explanation = await textRedactor.optionalText(input.explanation);
    const explanationDetail =
      rung.metadata?.requiresExplanation && explanation
        ? await this.explain({ target, index, ref: input.ref, requester: user, text: explanation, placements })
        : undefined;
    const record = await store.createPromotion(
      {
        entityRef: target.entityRef,
        ladderId: target.ladder.id,
        fromRung,
        toRung: rung.id,
        ref: input.ref,
        kind: input.kind,
        reason,
        explanation,
        explanationDetail,
        requestedBy: user,
        phaseMessage: 'checking gates',
      },
      {
        action: `${input.kind}.requested`,
        actor: caller.actor,
        rungId: rung.id,
        ref: input.ref,
        detail: {
          reason,
          ...(explanation ? { explanation } : {}),
          ...(input.kind === 'rollback' ? { rollbackFrom: current?.ref ?? null } : {}),
          ...(targetDrift
            ? {
                drift: {
                  id: targetDrift.id,
                  running: targetDrift.runningRef,
                  expected: targetDrift.expectedRef,
                  since: targetDrift.firstSeenAt,
                },
              }
            : {}),
        },
      },
      idempotency,
    );
    await notifier.promotionChanged({ promotion: record, fromPhase: null, actor: caller.actor, rungTitle: rung.title });
    return engine.advance(record.id, caller.actor);
  }

  /**
   * The explanation approvers of a customer rung see first: the customer, the settings supplied
   * there (names), the change vs the rung below, and who can approve next.
   */
  private async explain(options: {
    target: LadderEntity;
    index: number;
    ref: string;
    requester: string;
    text: string;
    placements: PlacementRecord[];
  }): Promise<PromotionExplanation> {
    const { target, index, ref, placements } = options;
    const rung = target.ladder.rungs[index];
    const below = target.ladder.rungs
      .slice(0, index)
      .reverse()
      .find(r => placements.some(p => p.rungId === r.id));
    const belowRef = below ? placements.find(p => p.rungId === below.id)!.ref : null;
    const view = await this.deps.changes.compare(target, {
      from: { ...(below ? { rung: below.id } : {}), ref: belowRef },
      to: { ref },
      targetIndex: index,
    });
    const known = view.settingsForTarget.some(s => s.supplied !== null);
    const approvers = rung.approvers
      ? (await this.deps.memberships.membersOfAny(rung.approvers.groups).catch(() => [])).filter(
          m => m !== options.requester,
        )
      : [];
    return {
      text: options.text,
      customer: rung.metadata?.customer ?? null,
      contacts: rung.metadata?.contacts ?? [],
      settingsSupplied: known ? view.settingsForTarget.filter(s => s.supplied).map(s => s.name) : null,
      settingsMissing: view.settingsForTarget.filter(s => s.required && s.supplied === false).map(s => s.name),
      changes: {
        from: view.from,
        to: ref,
        commits: view.commits?.length ?? null,
        settingsAdded: view.manifestDiff?.settingsAdded.map(s => s.name) ?? [],
        settingsRemoved: view.manifestDiff?.settingsRemoved.map(s => s.name) ?? [],
        newlyRequired: view.settingsForTarget.filter(s => s.newlyRequired).map(s => s.name),
      },
      approvers,
    };
  }

  async approve(
    caller: Caller,
    promotion: PromotionRecord,
    input: { decision: 'approve' | 'reject'; comment: string },
    idempotency?: IdempotencyClaim,
  ): Promise<PromotionRecord> {
    const { store, memberships, engine, notifier } = this.deps;
    if (caller.kind !== 'user' || !caller.userRef) {
      throw new NotAllowedError(
        'approvals come from people: a service token cannot approve or reject a promotion; sign in as a member of the approver groups',
      );
    }
    const user = caller.userRef;
    if (promotion.requestedBy === user) {
      throw new NotAllowedError(
        `you requested this promotion; the requester never ${input.decision}s their own promotion (four eyes): ask another approver`,
      );
    }
    const rung = (await this.deps.entities.ladderOfPromotion(promotion))?.rungs.find(r => r.id === promotion.toRung);
    if (!rung) throw new NotFoundError(`rung "${promotion.toRung}" is no longer configured`);
    if (!requiresApproval(rung, promotion.kind) || !rung.approvers) {
      throw new ConflictError(`promotions to ${rung.title} need no approval`);
    }
    const groups = rung.approvers.groups;
    if (!(await memberships.isMember(user, groups))) {
      throw new NotAllowedError(`only members of ${groups.join(', ')} may approve promotions to ${rung.title}`);
    }
    const comment = (await (await this.redactorForPromotion(promotion)).text(input.comment ?? '')).value;

    if (input.decision === 'reject') {
      const next = nextPhase(promotion.phase, 'rejected');
      if (!next.ok) throw new ConflictError(next.reason);
      const message = `rejected by ${user}${comment ? `: ${comment}` : ''}`;
      const record = await store.transaction(async tx => {
        const updated = await tx.transitionPromotion({
          id: promotion.id,
          from: promotion.phase,
          to: next.phase,
          message,
        });
        await tx.insertApproval({ promotionId: promotion.id, approver: user, decision: 'reject', comment });
        if (idempotency) await tx.linkIdempotencyKey(idempotency, promotion.id);
        await tx.insertAudit({
          entityRef: promotion.entityRef,
          promotionId: promotion.id,
          rungId: promotion.toRung,
          ref: promotion.ref,
          action: `${promotion.kind}.rejected`,
          actor: user,
          fromPhase: promotion.phase,
          toPhase: next.phase,
          detail: { comment },
        });
        return updated;
      });
      await notifier.promotionChanged({ promotion: record, fromPhase: promotion.phase, actor: user, rungTitle: rung.title });
      return record;
    }

    if (promotion.phase !== 'AwaitingApproval') {
      const refusal = nextPhase(promotion.phase, 'approval-quorum-met');
      throw new ConflictError(
        refusal.ok ? `promotion ${promotion.id} is "${promotion.phase}", not waiting for approval` : refusal.reason,
      );
    }
    const minimum = rung.approvers.minimum;
    const entryResults = (await store.listGateResults([promotion.id])).filter(r => r.mode === 'entry');
    const { record, quorum } = await store.transaction(async tx => {
      // The conditional update comes first: it locks the row, so concurrent approvals queue up
      // here and a late one finds the promotion already approved (409) instead of over-counting.
      let updated = await tx.transitionPromotion({
        id: promotion.id,
        from: 'AwaitingApproval',
        to: 'AwaitingApproval',
        message: promotion.phaseMessage,
      });
      await tx.insertApproval({ promotionId: promotion.id, approver: user, decision: 'approve', comment });
      if (idempotency) await tx.linkIdempotencyKey(idempotency, promotion.id);
      const approvers = [
        ...new Set(
          (await tx.listApprovals(promotion.id))
            .filter(a => a.decision === 'approve' && a.approver !== promotion.requestedBy)
            .map(a => a.approver),
        ),
      ];
      const met = approvers.length >= minimum;
      const summary = met
        ? `approved by ${approvers.join(', ')}`
        : `${approvers.length} of ${minimum} approval(s) from ${groups.join(', ')}`;
      if (met) {
        updated = await tx.transitionPromotion({
          id: promotion.id,
          from: 'AwaitingApproval',
          to: 'Approved',
          message: `${summary}; cleared for ${rung.title}`,
        });
      } else {
        updated = await tx.transitionPromotion({
          id: promotion.id,
          from: 'AwaitingApproval',
          to: 'AwaitingApproval',
          message: `gates pass — waiting for approval: ${summary}`,
        });
      }
      await tx.replaceGateResults({
        promotionId: promotion.id,
        entityRef: promotion.entityRef,
        rungId: promotion.toRung,
        ref: promotion.ref,
        mode: 'entry',
        results: entryResults.map(r =>
          r.gateId === APPROVAL_GATE_ID
            ? { ...r, status: met ? 'passed' : 'pending', summary, checkedAt: new Date().toISOString() }
            : r,
        ),
      });
      await tx.insertAudit({
        entityRef: promotion.entityRef,
        promotionId: promotion.id,
        rungId: promotion.toRung,
        ref: promotion.ref,
        action: met ? `${promotion.kind}.approval-quorum-met` : `${promotion.kind}.approval-recorded`,
        actor: user,
        fromPhase: 'AwaitingApproval',
        toPhase: updated.phase,
        detail: { comment, given: approvers.length, minimum },
      });
      return { record: updated, quorum: met };
    });
    await notifier.promotionChanged({
      promotion: record,
      fromPhase: quorum ? 'AwaitingApproval' : record.phase,
      actor: user,
      rungTitle: rung.title,
    });
    if (!quorum) {
      await notifier.entityChanged(
        { entityRef: record.entityRef, promotionId: record.id, phase: record.phase, change: 'approval' },
        true,
      );
      return record;
    }
    return engine.advance(record.id, user);
  }

  async cancel(caller: Caller, promotion: PromotionRecord, input: { reason?: string }): Promise<PromotionRecord> {
    const next = nextPhase(promotion.phase, 'cancel');
    if (!next.ok) throw new ConflictError(next.reason);
    const reason = (await (await this.redactorForPromotion(promotion)).text(input.reason ?? '')).value;
    const message = `cancelled by ${caller.actor}${reason ? `: ${reason}` : ''}`;
    const record = await this.deps.store.transaction(async tx => {
      const updated = await tx.transitionPromotion({ id: promotion.id, from: promotion.phase, to: next.phase, message });
      await tx.insertAudit({
        entityRef: promotion.entityRef,
        promotionId: promotion.id,
        rungId: promotion.toRung,
        ref: promotion.ref,
        action: `${promotion.kind}.cancelled`,
        actor: caller.actor,
        fromPhase: promotion.phase,
        toPhase: next.phase,
        detail: { reason },
      });
      return updated;
    });
    // Named by its title like every promotion notification; the id only if the rung left the config.
    const rung = this.deps.entities.ladderById(promotion.ladderId)?.rungs.find(r => r.id === promotion.toRung);
    await this.deps.notifier.promotionChanged({
      promotion: record,
      fromPhase: promotion.phase,
      actor: caller.actor,
      rungTitle: rung?.title ?? promotion.toRung,
    });
    return record;
  }

  async recheck(caller: Caller, promotion: PromotionRecord): Promise<PromotionRecord> {
    if (isTerminal(promotion.phase)) {
      const refusal = nextPhase(promotion.phase, 'recheck');
      throw new ConflictError(refusal.ok ? `promotion ${promotion.id} is finished` : refusal.reason);
    }
    return this.deps.engine.advance(promotion.id, caller.actor);
  }

  /** Places an entity on the first rung of its ladder. */
  async enroll(caller: Caller, input: { entityRef: string; ref: string }): Promise<Placement> {
    const target = await this.deps.entities.load(input.entityRef, caller.credentials);
    const first = target.ladder.rungs[0];
    const placement = await this.deps.store.enroll({
      entityRef: target.entityRef,
      ladderId: target.ladder.id,
      rungId: first.id,
      ref: input.ref,
      via: 'enrollment',
      promotionId: null,
      placedAt: new Date().toISOString(),
      placedBy: caller.actor,
    });
    try {
      await this.deps.engine.proveRung(target, 0, input.ref);
    } catch (error) {
      this.deps.logger.warn(`proof of ${target.entityRef} on ${first.id} failed: ${error}`);
    }
    await this.deps.notifier.entityChanged({ entityRef: target.entityRef, change: 'placement' });
    return toPlacement(placement);
  }
}
