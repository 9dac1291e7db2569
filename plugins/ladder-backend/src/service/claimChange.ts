import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { nextPhase, resolveRung } from '@khal/plugin-ladder-common';
import type { IdempotencyClaim } from '../database/LadderStore';
import type { PromotionRecord } from '../database/records';
import type { Caller } from './Caller';
import { needsClaim } from './deployObservation';
import type { GroupMemberships } from './GroupMemberships';
import type { LadderEntities } from './LadderEntities';
import type { PromotionChange } from './promotionChange';
import type { PromotionEngine } from './PromotionEngine';
import { windowRefusal } from '../policy/time/windowRefusal';

/**
 * Decides a deploy's claim of an approved promotion (Approved → Deploying): it must name exactly
 * the promotion's rung and commit, the rung must be one that is deployed by claim (`approval`,
 * `operators`), on `operators` rungs the claimant must be an operator now, and the claim is
 * single use — the version-checked transition lets exactly one claim leave "Approved".
 */
export async function claimChange(
  deps: {
    engine: PromotionEngine;
    entities: LadderEntities;
    memberships: GroupMemberships;
    operatorsGroup: string;
  },
  p: PromotionRecord,
  input: {
    caller: Caller;
    toRung: string;
    sha: string;
    idempotency?: IdempotencyClaim;
  },
): Promise<PromotionChange> {
  const { caller } = input;
  const target = await deps.entities.load(p.entityRef);
  const rung = target.ladder.rungs.find(r => r.id === p.toRung);
  if (!rung)
    throw new NotFoundError(`rung "${p.toRung}" is no longer configured`);
  const named =
    resolveRung(target.ladder, input.toRung)?.rung.id ?? input.toRung;
  if (named !== p.toRung) {
    throw new ConflictError(
      `promotion ${p.id} is for ${p.toRung}, not ${input.toRung}: claim the approved promotion of the rung you deploy`,
    );
  }
  if (input.sha !== p.ref) {
    throw new ConflictError(
      `promotion ${p.id} was approved for commit ${p.ref}, not ${input.sha}: deploy exactly the approved commit, or request a promotion of ${input.sha}`,
    );
  }
  if (!needsClaim(rung, p.kind)) {
    throw new ConflictError(
      `${rung.title} (mutation policy "${rung.mutationPolicy}") is deployed without a claim; its promotion moves once the deploy is reported`,
    );
  }
  if (rung.mutationPolicy === 'operators') {
    const operator =
      caller.userRef !== undefined &&
      (await deps.memberships.isMember(caller.userRef, [deps.operatorsGroup], {
        fresh: true,
      }));
    if (!operator) {
      throw new NotAllowedError(
        `only members of ${deps.operatorsGroup} may deploy to ${rung.title} (mutation policy "operators")`,
      );
    }
  }
  const next = nextPhase(p.phase, 'claim');
  if (!next.ok) {
    throw new ConflictError(
      p.claim
        ? `promotion ${p.id} was already claimed by ${p.claim.claimedBy} at ${p.claim.claimedAt}; a claim is used once: request a new promotion to deploy again`
        : next.reason,
    );
  }
  const closed = windowRefusal(target.ladder, rung, p.kind, deps.engine.now());
  if (closed) throw new ConflictError(`not claimed: ${closed}`);
  const moved = await deps.engine.manifestMoved(target, p);
  if (moved)
    return {
      event: 'supersede',
      message: moved,
      refuse: `not claimed: ${moved}`,
    };
  return {
    event: 'claim',
    message: `claimed by ${caller.actor}: deploying ${p.ref} to ${rung.title}; the rung changes once the deploy is observed`,
    claimedBy: caller.actor,
    idempotency: input.idempotency,
    audit: { action: 'claimed', detail: { sha: p.ref } },
  };
}
