import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
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
import { approvalChange } from './approvalChange';
import { claimChange } from './claimChange';
import { DEPLOY_OUTPUT_KIND } from './deployObservation';
import type { EvidenceIntake } from './EvidenceIntake';
import type { Caller } from './Caller';
import { type DriftMonitor, waysOutOfDrift } from './DriftMonitor';
import type { GroupMemberships } from './GroupMemberships';
import type { LadderEntities, LadderEntity } from './LadderEntities';
import type { LadderNotifier } from './LadderNotifier';
import { requestRefusal } from './requestRule';
import { PromotionEngine, toPlacement } from './PromotionEngine';
import { holdRefusal } from '../policy/holds';

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
      evidence: EvidenceIntake;
    },
  ) {}

  /** The redactor for text sent about `ref`: also removes values of the settings it declares secret. */
  private async redactorFor(entity: Entity, ref: string): Promise<Redactor> {
    return this.deps.redactor.withSecretSettings(
      await secretSettingNames(this.deps.manifests, entity, ref),
    );
  }

  /** The same for text about an existing promotion; the generic rules if its entity cannot be read. */
  async redactorForPromotion(
    promotion: PromotionRecord,
  ): Promise<Redactor> {
    const owner = await this.deps.entities
      .load(promotion.entityRef)
      .catch(() => undefined);
    return owner
      ? this.redactorFor(owner.entity, promotion.ref)
      : this.deps.redactor;
  }

  private requireUser(caller: Caller, what: string): string {
    if (caller.kind !== 'user' || !caller.userRef) {
      throw new NotAllowedError(
        `${what} is done by people: call with a user token, not a service token`,
      );
    }
    return caller.userRef;
  }

  async create(
    caller: Caller,
    request: {
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
    const target = await this.deps.entities.load(
      request.entityRef,
      caller.credentials,
    );
    const resolved = resolveRung(target.ladder, request.toRung);
    if (!resolved) {
      throw new InputError(
        `ladder "${target.ladder.id}" has no rung "${
          request.toRung
        }"; its rungs are ${target.ladder.rungs.map(r => r.id).join(', ')}`,
      );
    }
    const { rung, index } = resolved;
    const requestedRef = request.ref;
    // From here on the promotion is about one commit: the full SHA the ref names now.
    const input = {
      ...request,
      ref: await this.resolveCommit(target, request.ref),
    };
    // Said early, with the rung's title; the store decides it again in the creating transaction.
    await this.refuseIfHeld(
      {
        entityRef: target.entityRef,
        ladderId: target.ladder.id,
        rungId: rung.id,
        ref: input.ref,
        rungTitle: rung.title,
      },
      'requested',
    );
    const refusal = await requestRefusal(
      { memberships, operatorsGroup: config.operatorsGroup },
      user,
      rung,
    );
    if (refusal) throw new NotAllowedError(refusal);
    if (rung.metadata?.requiresExplanation) {
      const missing = [
        ...(input.explanation?.trim()
          ? []
          : ['"explanation": say what changes for the customer and why']),
        ...(rung.metadata.customer
          ? []
          : [
              `the customer: set metadata.customer on rung "${rung.id}" in the ladder config`,
            ]),
      ];
      if (missing.length > 0) {
        throw new InputError(
          `${rung.title} needs a complete explanation for ${
            rung.metadata.customer ?? 'the customer'
          } before a promotion can be requested; missing: ${missing.join(
            '; ',
          )}`,
        );
      }
    }
    const placements = await store.listPlacements([target.entityRef]);
    const current = placements.find(p => p.rungId === rung.id);
    // Drift of the target rung matters to adoptions and to rolling back to the placed ref.
    const targetDrift =
      input.kind !== 'promotion' && rung.kubernetes
        ? (await this.deps.drift.observe(target, id => id === rung.id)).get(
            rung.id,
          )
        : undefined;
    if (input.kind === 'adoption') {
      if (!targetDrift) {
        throw new InputError(
          `${rung.title} has not drifted: there is nothing to adopt (adoption makes the ref a drifted Kubernetes rung runs its placement)`,
        );
      }
      // The cluster may report the commit abbreviated; it is the same commit if it is a prefix.
      const running = targetDrift.runningRef;
      const same =
        running === requestedRef ||
        (/^[0-9a-f]{7,40}$/.test(running) && input.ref.startsWith(running));
      if (!same) {
        throw new InputError(
          `${rung.title} runs ${targetDrift.runningRef}, not ${input.ref}: only the running ref can be adopted`,
        );
      }
    }
    const rollbackToPlaced =
      input.kind === 'rollback' &&
      targetDrift !== undefined &&
      current?.ref === input.ref;
    if (current?.ref === input.ref && !rollbackToPlaced) {
      throw new ConflictError(
        `${input.ref} is already on ${rung.title}; nothing to promote`,
      );
    }
    if (input.kind === 'rollback' && !rollbackToPlaced) {
      const history = (
        await store.placementHistory(target.entityRef, rung.id)
      ).filter(r => r !== current?.ref);
      if (!history.includes(input.ref)) {
        throw new InputError(
          `cannot roll ${rung.title} back to ${
            input.ref
          }: it was never placed there. Refs that can be rolled back to: ${
            history.length
              ? history.join(', ')
              : 'none (nothing else was ever placed on this rung)'
          }`,
        );
      }
    }
    const below = target.ladder.rungs.slice(0, index).reverse();
    const fromRung =
      input.kind === 'adoption'
        ? null
        : below.find(r =>
            placements.some(p => p.rungId === r.id && p.ref === input.ref),
          )?.id ?? null;
    const source = fromRung
      ? target.ladder.rungs.find(r => r.id === fromRung)
      : undefined;
    if (source?.kubernetes && input.kind === 'promotion') {
      const drift = (
        await this.deps.drift.observe(target, id => id === source.id)
      ).get(source.id);
      if (drift) {
        throw new ConflictError(
          `${source.title} has drifted: its cluster runs ${
            drift.runningRef
          } but the ladder placed ${
            drift.expectedRef ?? 'nothing'
          } there (since ${
            drift.firstSeenAt
          }), so nothing is promoted from it until that is resolved: ${waysOutOfDrift(
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
        ? await this.explain({
            target,
            index,
            ref: input.ref,
            requester: user,
            text: explanation,
            placements,
          })
        : undefined;
    const manifest = await this.deps.manifests.read(target.entity, input.ref);
    const { promotion: record, superseded } = await store.createPromotion(
      {
        entityRef: target.entityRef,
        ladderId: target.ladder.id,
        fromRung,
        toRung: rung.id,
        ref: input.ref,
        ...(requestedRef !== input.ref ? { requestedRef } : {}),
        manifestDigest:
          manifest.status === 'unavailable' ? null : manifest.digest,
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
          ...(input.kind === 'rollback'
            ? { rollbackFrom: current?.ref ?? null }
            : {}),
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
    if (superseded) {
      await notifier.promotionChanged({
        promotion: superseded,
        fromPhase: null,
        actor: caller.actor,
        rungTitle: rung.title,
      });
    }
    await notifier.promotionChanged({
      promotion: record,
      fromPhase: null,
      actor: caller.actor,
      rungTitle: rung.title,
    });
    return engine.advance(record.id, caller.actor);
  }

  /** 409 naming the pause (reason, who, since when) or the bad mark that holds this promotion back. */
  private async refuseIfHeld(
    target: {
      entityRef: string;
      ladderId: string;
      rungId: string;
      ref: string;
      rungTitle?: string;
    },
    done: string,
  ): Promise<void> {
    const refusal = holdRefusal(
      await this.deps.store.holdsOn(target),
      done,
      target,
    );
    if (refusal) throw new ConflictError(refusal);
  }

  /** The full commit SHA of a ref in the entity's repository, or a 400 naming the ref, the repository and the fix. */
  private async resolveCommit(
    target: LadderEntity,
    ref: string,
  ): Promise<string> {
    const resolved = await this.deps.manifests.resolveCommit(
      target.entity,
      ref,
    );
    if ('sha' in resolved) return resolved.sha;
    throw new InputError(
      `cannot resolve ref "${ref}" of ${target.entityRef} to a commit: ${resolved.reason}; ${resolved.howToFix}`,
    );
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
    const belowRef = below
      ? placements.find(p => p.rungId === below.id)!.ref
      : null;
    const view = await this.deps.changes.compare(target, {
      from: { ...(below ? { rung: below.id } : {}), ref: belowRef },
      to: { ref },
      targetIndex: index,
    });
    const known = view.settingsForTarget.some(s => s.supplied !== null);
    const approvers = rung.approvers
      ? (
          await this.deps.memberships
            .membersOfAny(rung.approvers.groups)
            .catch(() => [])
        ).filter(m => m !== options.requester)
      : [];
    return {
      text: options.text,
      customer: rung.metadata?.customer ?? null,
      contacts: rung.metadata?.contacts ?? [],
      settingsSupplied: known
        ? view.settingsForTarget.filter(s => s.supplied).map(s => s.name)
        : null,
      settingsMissing: view.settingsForTarget
        .filter(s => s.required && s.supplied === false)
        .map(s => s.name),
      changes: {
        from: view.from,
        to: ref,
        commits: view.commits?.length ?? null,
        settingsAdded: view.manifestDiff?.settingsAdded.map(s => s.name) ?? [],
        settingsRemoved:
          view.manifestDiff?.settingsRemoved.map(s => s.name) ?? [],
        newlyRequired: view.settingsForTarget
          .filter(s => s.newlyRequired)
          .map(s => s.name),
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
    if (caller.kind !== 'user' || !caller.userRef) {
      throw new NotAllowedError(
        'approvals come from people: a service token cannot approve or reject a promotion; sign in as a member of the approver groups',
      );
    }
    const user = caller.userRef;
    const comment = (
      await (await this.redactorForPromotion(promotion)).text(input.comment ?? '')
    ).value;
    const { engine } = this.deps;
    const record = await engine.write(promotion.id, user, p =>
      approvalChange(this.deps, p, {
        user,
        decision: input.decision,
        comment,
        idempotency,
      }),
    );
    return record.phase === 'Approved'
      ? engine.advance(record.id, user)
      : record;
  }

  async cancel(
    caller: Caller,
    promotion: PromotionRecord,
    input: { reason?: string },
  ): Promise<PromotionRecord> {
    const reason = (
      await (await this.redactorForPromotion(promotion)).text(input.reason ?? '')
    ).value;
    const message = `cancelled by ${caller.actor}${
      reason ? `: ${reason}` : ''
    }`;
    return this.deps.engine.write(promotion.id, caller.actor, async p => {
      const next = nextPhase(p.phase, 'cancel');
      if (!next.ok) throw new ConflictError(next.reason);
      return {
        event: 'cancel',
        message,
        audit: { action: 'cancelled', detail: { reason } },
      };
    });
  }

  async recheck(
    caller: Caller,
    promotion: PromotionRecord,
  ): Promise<PromotionRecord> {
    if (isTerminal(promotion.phase)) {
      const refusal = nextPhase(promotion.phase, 'recheck');
      throw new ConflictError(
        refusal.ok ? `promotion ${promotion.id} is finished` : refusal.reason,
      );
    }
    return this.deps.engine.advance(promotion.id, caller.actor);
  }

  /** A deploy claims the approved promotion of exactly this rung and commit (Approved → Deploying). */
  async claim(
    caller: Caller,
    promotion: PromotionRecord,
    input: { toRung: string; sha: string },
    idempotency?: IdempotencyClaim,
  ): Promise<PromotionRecord> {
    const { engine, config } = this.deps;
    const record = await engine.write(promotion.id, caller.actor, p =>
      claimChange({ ...this.deps, operatorsGroup: config.operatorsGroup }, p, {
        caller,
        ...input,
        idempotency,
      }),
    );
    return engine.advance(record.id, caller.actor);
  }

  /**
   * The claimed deploy reports how it ended: recorded as deploy-output evidence of the commit that
   * names the promotion (redacted like all evidence), then the promotion moves if that is what
   * was waited for. Only the claimant reports, and only while the promotion is "Deploying".
   */
  async reportDeploy(
    caller: Caller,
    promotion: PromotionRecord,
    input: { exitCode: number; summary: string; output?: string },
  ): Promise<PromotionRecord> {
    if (!promotion.claim) {
      throw new ConflictError(
        `promotion ${promotion.id} was not claimed by a deploy ("${promotion.phase}"); claim it first (POST /promotions/${promotion.id}/claim)`,
      );
    }
    if (promotion.claim.claimedBy !== caller.actor) {
      throw new NotAllowedError(
        `promotion ${promotion.id} was claimed by ${promotion.claim.claimedBy}; only that deploy reports its result`,
      );
    }
    if (promotion.phase !== 'Deploying') {
      throw new ConflictError(
        `promotion ${promotion.id} is "${promotion.phase}": its deploy result was already taken into account`,
      );
    }
    // A stopped line takes no successful deploy: the promotion stays "Deploying" until the line
    // is resumed (the engine refuses the step again in its transaction, whoever reports). A failed
    // deploy ends the promotion, which a stopped line does not prevent.
    if (input.exitCode === 0) {
      const target = await this.deps.entities
        .load(promotion.entityRef)
        .catch(() => undefined);
      await this.refuseIfHeld(
        {
          entityRef: promotion.entityRef,
          ladderId: promotion.ladderId,
          rungId: promotion.toRung,
          ref: promotion.ref,
          rungTitle: target?.ladder.rungs.find(r => r.id === promotion.toRung)
            ?.title,
        },
        'deployed',
      );
    }
    await this.deps.evidence.add(caller, {
      entityRef: promotion.entityRef,
      rung: promotion.toRung,
      ref: promotion.ref,
      kind: DEPLOY_OUTPUT_KIND,
      summary: input.summary,
      content: input.output ?? input.summary,
      data: { promotionId: promotion.id, exitCode: input.exitCode },
    });
    return this.deps.engine.advance(promotion.id, caller.actor);
  }

  /** Places an entity on the first rung of its ladder. */
  async enroll(
    caller: Caller,
    request: { entityRef: string; ref: string },
  ): Promise<Placement> {
    const target = await this.deps.entities.load(
      request.entityRef,
      caller.credentials,
    );
    const first = target.ladder.rungs[0];
    const input = {
      ...request,
      ref: await this.resolveCommit(target, request.ref),
    };
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
      this.deps.logger.warn(
        `proof of ${target.entityRef} on ${first.id} failed: ${error}`,
      );
    }
    await this.deps.notifier.entityChanged({
      entityRef: target.entityRef,
      change: 'placement',
    });
    return toPlacement(placement);
  }
}
