import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  Approval,
  ApprovalDecision,
  nextPhase,
} from '@khal/plugin-ladder-common';
import type { IdempotencyClaim, LadderStore } from '../database/LadderStore';
import type { PromotionRecord } from '../database/records';
import { APPROVAL_GATE_ID, requiresApproval } from '../gates/effectiveGates';
import { approvalStanding, membersByGroup } from '../approvals/approvalStanding';
import type { GroupMemberships } from './GroupMemberships';
import type { LadderEntities } from './LadderEntities';
import { entryEvent, entryMessage, gatesLine } from './phaseEvents';
import type { PromotionChange } from './promotionChange';
import { rulesSummary } from '../approvals/rulesSummary';
import type { PromotionEngine } from './PromotionEngine';

/**
 * Decides what one approval or rejection does to the promotion as just read (the engine calls
 * this again on a fresh read if another writer got there first):
 *
 * - the decider must be a member of the approver groups per the catalog NOW, never the requester;
 * - a rejection ends an open promotion;
 * - an approval is counted with all earlier ones, each judged again (membership now, four eyes,
 *   distinct people). When the counted approvals reach the quorum, every entry gate runs again
 *   and only if all pass does the promotion become `Approved`; a failing gate sends it to
 *   `Blocked`. Below the quorum only the approval gate's count changes.
 */
export async function approvalChange(
  deps: {
    store: LadderStore;
    engine: PromotionEngine;
    entities: LadderEntities;
    memberships: GroupMemberships;
  },
  p: PromotionRecord,
  input: {
    user: string;
    decision: ApprovalDecision;
    comment: string;
    idempotency?: IdempotencyClaim;
  },
): Promise<PromotionChange> {
  const { user, decision, comment, idempotency } = input;
  if (p.requestedBy === user) {
    throw new NotAllowedError(
      `you requested this promotion; the requester never ${decision}s their own promotion (four eyes): ask another approver`,
    );
  }
  const target = await deps.entities.load(p.entityRef);
  const rungIndex = target.ladder.rungs.findIndex(r => r.id === p.toRung);
  const rung = target.ladder.rungs[rungIndex];
  if (!rung)
    throw new NotFoundError(`rung "${p.toRung}" is no longer configured`);
  if (!requiresApproval(rung, p.kind) || !rung.approvers) {
    throw new ConflictError(`promotions to ${rung.title} need no approval`);
  }
  const groups = rung.approvers.groups;
  const byGroup = await membersByGroup(deps.memberships, groups, { fresh: true });
  const members = [...byGroup.values()].flat();
  if (!members.includes(user.toLocaleLowerCase('en-US'))) {
    throw new NotAllowedError(
      `only members of ${groups.join(', ')} may approve promotions to ${
        rung.title
      }`,
    );
  }
  const approval = { approver: user, decision, comment };

  if (decision === 'reject') {
    const next = nextPhase(p.phase, 'rejected');
    if (!next.ok) throw new ConflictError(next.reason);
    return {
      event: 'rejected',
      message: `rejected by ${user}${comment ? `: ${comment}` : ''}`,
      approval,
      idempotency,
      audit: { action: 'rejected', detail: { comment } },
    };
  }

  if (p.phase !== 'AwaitingApproval') {
    const refusal = nextPhase(p.phase, 'approval-quorum-met');
    throw new ConflictError(
      refusal.ok
        ? `promotion ${p.id} is "${p.phase}", not waiting for approval`
        : refusal.reason,
    );
  }
  const moved = await deps.engine.manifestMoved(target, p);
  if (moved)
    return {
      event: 'supersede',
      message: moved,
      refuse: `your approval was not recorded: ${moved}`,
    };

  const recorded = await deps.store.listApprovals([p.id]);
  // Approvals past `expiry.approvals` no longer count; their authors may approve again.
  const earlier = deps.engine.unexpired(recorded, rung);
  const renews = recorded.find(a => a.approver === user && !earlier.includes(a))?.id;
  if (earlier.some(a => a.approver === user)) {
    throw new ConflictError(
      `${user} already decided on promotion ${p.id}; one decision per person`,
    );
  }
  const renewing = renews ? { ...approval, renews } : approval;
  const mine: Approval = {
    id: 'new',
    promotionId: p.id,
    ...approval,
    createdAt: new Date().toISOString(),
  };
  const all = [...earlier, mine];
  const standing = approvalStanding(all, {
    approvers: rung.approvers,
    members: byGroup,
    requester: p.requestedBy,
  });
  const counted = standing.matched;
  const minimum = rung.approvers.minimum;
  const detail = { comment, given: counted.length, minimum };

  // Every rule must hold, each person counted towards one rule only (not just enough people).
  if (standing.met) {
    const results = await deps.engine.evaluateEntry({
      target,
      rungIndex,
      ref: p.ref,
      promotion: p,
      approvals: [...all.filter(a => a.decision === 'reject'), ...counted],
    });
    const event = entryEvent('AwaitingApproval', results, { breakGlass: !!p.breakGlass });
    return {
      event,
      message:
        event === 'gates-regressed'
          ? `the approval quorum was reached, but the gates no longer pass: ${gatesLine(
              results,
            )}`
          : entryMessage(event, results, rung.title, p.breakGlass),
      mode: 'entry',
      results,
      approval: renewing,
      idempotency,
      audit: {
        action:
          event === 'approval-quorum-met'
            ? 'approval-quorum-met'
            : 'approval-recorded',
        detail,
      },
    };
  }

  const summary = rulesSummary(standing.rules);
  const stored = (await deps.store.listGateResults([p.id])).filter(
    r => r.mode === 'entry',
  );
  return {
    event: 'recheck',
    message: `gates pass — waiting for approval: ${summary}`,
    mode: 'entry',
    // The version check makes these the results as of this read: a re-check that wrote newer
    // ones since makes this change stale, and it is decided again on a fresh read.
    results: stored.map(r =>
      r.gateId === APPROVAL_GATE_ID
        ? {
            ...r,
            status: 'pending' as const,
            summary,
            checkedAt: new Date().toISOString(),
          }
        : r,
    ),
    approval: renewing,
    idempotency,
    audit: { action: 'approval-recorded', detail },
  };
}
