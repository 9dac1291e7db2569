import { ConflictError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { isTerminal, type LadderConfig } from '@khal/plugin-ladder-common';
import type { Caller } from '../access/Caller';
import type { LadderStore } from '../database/LadderStore';
import type { PromotionRecord } from '../database/records';
import type { Redactor } from '../evidence/Redactor';
import { APPROVAL_GATE_ID } from '../gates/effectiveGates';
import type { GroupMemberships } from '../service/GroupMemberships';
import type { LadderEntities } from '../service/LadderEntities';
import type { LadderNotifier } from '../service/LadderNotifier';
import { entryEvent, entryMessage } from '../service/phaseEvents';
import type { PromotionEngine } from '../service/PromotionEngine';

/** How long the post-hoc review of a break-glass may wait before it shows as overdue. */
export const BREAK_GLASS_REVIEW_WITHIN_MS = 24 * 60 * 60 * 1000;

/** Phases a break-glass applies to: open, and not yet cleared. */
const BREAKABLE = new Set(['Checking', 'Blocked', 'AwaitingApproval']);

/**
 * Break glass: an operator overrides the failing entry gates of one open promotion, with a
 * reason everyone who sees the promotion reads. It never overrides the approval gate: the
 * promotion still waits for its approvals (four eyes, rules), and a rejection stays a rejection.
 * The override is one change through the engine (a version-checked update with its audit row);
 * from then on the engine keeps treating that promotion's other entry gates as overridden, while
 * their real results stay stored and shown. A review then waits for someone other than the
 * breaker (an operator or an approver of the rung) to acknowledge it.
 */
export class BreakGlassCommands {
  constructor(
    private readonly deps: {
      config: LadderConfig;
      store: LadderStore;
      engine: PromotionEngine;
      entities: LadderEntities;
      memberships: GroupMemberships;
      notifier: LadderNotifier;
      redactorFor: (p: PromotionRecord) => Promise<Redactor>;
    },
  ) {}

  private person(caller: Caller, what: string): string {
    if (caller.kind !== 'user' || !caller.userRef) {
      throw new NotAllowedError(
        `${what} is done by a person: a service token cannot do it; sign in as ${
          what === 'breaking the glass' ? 'an operator' : 'an operator or an approver of the rung'
        }`,
      );
    }
    return caller.userRef;
  }

  async breakGlass(caller: Caller, promotion: PromotionRecord, input: { reason: string }): Promise<PromotionRecord> {
    const { engine, entities, memberships, config } = this.deps;
    const user = this.person(caller, 'breaking the glass');
    if (!(await memberships.isMember(user, [config.operatorsGroup], { fresh: true }))) {
      throw new NotAllowedError(`only members of ${config.operatorsGroup} may break the glass`);
    }
    const reason = (await (await this.deps.redactorFor(promotion)).text(input.reason.trim())).value;
    const record = await engine.write(promotion.id, user, async p => {
      if (p.breakGlass) {
        throw new ConflictError(
          `${p.breakGlass.by} already broke the glass on promotion ${p.id} at ${p.breakGlass.at}: ${p.breakGlass.reason}`,
        );
      }
      if (!BREAKABLE.has(p.phase)) {
        throw new ConflictError(
          isTerminal(p.phase)
            ? `promotion ${p.id} is finished ("${p.phase}"); request a new one`
            : `promotion ${p.id} is "${p.phase}": its entry gates were already cleared, there is nothing to override`,
        );
      }
      const target = await entities.load(p.entityRef);
      const rungIndex = target.ladder.rungs.findIndex(r => r.id === p.toRung);
      const rung = target.ladder.rungs[rungIndex];
      if (!rung) throw new NotFoundError(`rung "${p.toRung}" is no longer configured`);
      const moved = await engine.manifestMoved(target, p);
      if (moved) return { event: 'supersede', message: moved, refuse: `nothing was overridden: ${moved}` };
      const approvals = await engine.countedApprovals(p, rung);
      const results = await engine.evaluateEntry({ target, rungIndex, ref: p.ref, promotion: p, approvals });
      const approval = results.find(r => r.gateId === APPROVAL_GATE_ID);
      if (approval?.status === 'failed' || approval?.status === 'error') {
        throw new ConflictError(
          `break-glass never overrides the approval gate, and it is ${approval.status}: ${approval.summary}`,
        );
      }
      const overridden = results.filter(r => r.gateId !== APPROVAL_GATE_ID && r.status !== 'passed');
      if (overridden.length === 0) {
        throw new ConflictError(
          `every entry gate of promotion ${p.id} but approval passes: there is nothing to override${
            approval && approval.status !== 'passed' ? ` (approvals are never overridden: ${approval.summary})` : ''
          }`,
        );
      }
      const event = entryEvent(p.phase, results, { breakGlass: true });
      const at = Date.now();
      return {
        event,
        message: entryMessage(event, results, rung.title, { by: user }),
        mode: 'entry',
        results,
        breakGlass: {
          reason,
          by: user,
          overridden: overridden.map(r => r.gateId),
          reviewDueAt: new Date(at + BREAK_GLASS_REVIEW_WITHIN_MS).toISOString(),
        },
        audit: {
          action: 'break-glass',
          detail: {
            reason,
            overridden: overridden.map(r => ({ gateId: r.gateId, status: r.status, summary: r.summary })),
          },
        },
      };
    });
    await this.notifyApprovers(record);
    return record;
  }

  /** Acknowledges the post-hoc review: anyone who may approve the rung or operate, not the breaker. */
  async acknowledgeReview(
    caller: Caller,
    promotion: PromotionRecord,
    input: { comment?: string },
  ): Promise<PromotionRecord> {
    const user = this.person(caller, 'reviewing a break-glass');
    const glass = promotion.breakGlass;
    if (!glass) throw new ConflictError(`nobody broke the glass on promotion ${promotion.id}: there is nothing to review`);
    if (glass.by.toLocaleLowerCase('en-US') === user.toLocaleLowerCase('en-US')) {
      throw new NotAllowedError(
        'you broke the glass on this promotion; its review is acknowledged by someone else (four eyes): ask another operator or an approver of the rung',
      );
    }
    const groups = await this.reviewerGroups(promotion);
    if (!(await this.deps.memberships.isMember(user, groups, { fresh: true }))) {
      throw new NotAllowedError(`only members of ${groups.join(', ')} may acknowledge this review`);
    }
    const comment = (await (await this.deps.redactorFor(promotion)).text(input.comment?.trim() ?? '')).value;
    const record = await this.deps.store.transaction(async tx => {
      const reviewed = await tx.acknowledgeBreakGlassReview({ id: promotion.id, by: user, comment });
      if (!reviewed) return undefined;
      await tx.insertAudit({
        entityRef: reviewed.entityRef,
        promotionId: reviewed.id,
        rungId: reviewed.toRung,
        ref: reviewed.ref,
        action: `${reviewed.kind}.break-glass-reviewed`,
        actor: user,
        detail: { comment, brokenBy: glass.by, late: Date.now() > Date.parse(glass.reviewDueAt) },
      });
      return reviewed;
    });
    if (!record) {
      const review = (await this.deps.store.getPromotion(promotion.id))?.breakGlass?.review;
      throw new ConflictError(
        review
          ? `the review of this break-glass was already acknowledged by ${review.by} at ${review.at}`
          : `the break-glass on promotion ${promotion.id} could not be acknowledged; reload it and try again`,
      );
    }
    await this.deps.notifier.entityChanged(
      { entityRef: record.entityRef, promotionId: record.id, phase: record.phase, change: 'promotion' },
      true,
    );
    return record;
  }

  /** Who reviews: the rung's approver groups and the operators. */
  private async reviewerGroups(p: PromotionRecord): Promise<string[]> {
    const ladder = await this.deps.entities.ladderOfPromotion(p);
    const rung = ladder?.rungs.find(r => r.id === p.toRung);
    return [...new Set([...(rung?.approvers?.groups ?? []), this.deps.config.operatorsGroup])];
  }

  private async notifyApprovers(p: PromotionRecord): Promise<void> {
    const groups = await this.reviewerGroups(p);
    const people = await this.deps.memberships.membersOfAny(groups).catch(() => []);
    const ladder = await this.deps.entities.ladderOfPromotion(p);
    const rungTitle = ladder?.rungs.find(r => r.id === p.toRung)?.title ?? p.toRung;
    await this.deps.notifier.breakGlassNotice({ promotion: p, rungTitle, recipients: people });
  }
}
