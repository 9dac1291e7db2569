import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  expiryOf,
  formatSeconds,
  type LadderConfig,
} from '@khal/plugin-ladder-common';
import type { LadderStore } from '../../database/LadderStore';
import type { GroupMemberships } from '../../service/GroupMemberships';
import type { LadderEntities } from '../../service/LadderEntities';
import type { LadderNotifier } from '../../service/LadderNotifier';
import type { PromotionEngine } from '../../service/PromotionEngine';

/** The actor recorded for reminders. */
export const REMINDER_ACTOR = 'service:ladder-reminders';
const BATCH = 100;

/**
 * One run of the approver reminders: every promotion that has waited for approval longer than
 * `expiry.remindApproversAfter` (and was not reminded within that time) gets one reminder to the
 * approvers who have not decided yet. Each reminder is first claimed with a conditional update of
 * `reminded_at` (with its audit row, in one transaction), so replicas running this at the same
 * time send it once. A failure of one promotion is logged and the run goes on.
 */
export async function runReminders(deps: {
  store: LadderStore;
  engine: PromotionEngine;
  entities: LadderEntities;
  memberships: GroupMemberships;
  notifier: LadderNotifier;
  logger: LoggerService;
  /** `expiry` and the ladders (whose rungs may set their own `expiry.remindApproversAfter`). */
  config: Pick<LadderConfig, 'expiry' | 'ladders'>;
  now?: () => Date;
}): Promise<{ reminded: number }> {
  const waits = [
    deps.config.expiry.remindApproversAfter,
    ...deps.config.ladders.flatMap(l =>
      l.rungs.map(r => r.expiry?.remindApproversAfter),
    ),
  ].filter((w): w is number => w !== undefined);
  if (waits.length === 0) return { reminded: 0 };
  const now = deps.now?.() ?? new Date();
  const ago = (seconds: number) =>
    new Date(now.getTime() - seconds * 1000).toISOString();
  // The shortest wait of any rung selects the candidates; each one is then held to its rung's.
  const before = ago(Math.min(...waits));
  let reminded = 0;
  try {
    const due = await deps.store.listPromotionsToRemind({
      before,
      limit: BATCH,
    });
    for (const { promotion: p, remindedAt } of due) {
      try {
        const ladder = await deps.entities.ladderOfPromotion(p);
        const rung = ladder?.rungs.find(r => r.id === p.toRung);
        if (!rung?.approvers) continue;
        const wait = expiryOf(deps.config.expiry, rung).remindApproversAfter;
        const since = p.phaseEnteredAt ?? p.createdAt;
        if (
          !wait ||
          since > ago(wait) ||
          (remindedAt !== null && remindedAt > ago(wait))
        )
          continue;
        const decided = new Set(
          deps.engine
            .unexpired(await deps.store.listApprovals([p.id]), rung)
            .map(a => a.approver),
        );
        const members = await deps.memberships.membersOfAny(
          rung.approvers.groups,
        );
        const pending = members.filter(
          m => m !== p.requestedBy && !decided.has(m),
        );
        const waited = formatSeconds(
          (now.getTime() - Date.parse(p.phaseEnteredAt ?? p.createdAt)) / 1000,
        );
        const claimed = await deps.store.claimReminder({
          id: p.id,
          previous: remindedAt,
          at: now.toISOString(),
          audit: {
            entityRef: p.entityRef,
            promotionId: p.id,
            rungId: p.toRung,
            ref: p.ref,
            action: `${p.kind}.approval-reminder`,
            actor: REMINDER_ACTOR,
            detail: { waited, approvers: pending },
          },
        });
        if (!claimed) continue;
        reminded += 1;
        await deps.notifier.approvalReminder({
          promotion: p,
          rungTitle: rung.title,
          approvers: pending,
          waited,
        });
      } catch (error) {
        deps.logger.warn(
          `approval reminder for promotion ${p.id} failed: ${error}`,
        );
      }
    }
  } catch (error) {
    deps.logger.error(
      `approval reminder run failed; the next run retries: ${error}`,
    );
  }
  return { reminded };
}
