import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { LadderConfig, resolveRung } from '@khal/plugin-ladder-common';
import type { LadderStore } from '../database/LadderStore';
import type { PromotionRecord } from '../database/records';
import { requiresApproval } from '../gates/effectiveGates';
import type { GroupMemberships } from '../service/GroupMemberships';

/** Where an approver acts on what waits for them: the ladder page's approvals inbox. */
export const APPROVALS_INBOX_LINK = '/ladder/approvals';
/** One scope per recipient: each digest replaces that approver's previous one in the inbox. */
export const DIGEST_SCOPE = 'ladder:approval-digest';
const MAX_LISTED = 20;

interface Waiting {
  promotion: PromotionRecord;
  rungTitle: string;
}

/**
 * The approvers' digest: one notification per approver listing the promotions waiting for their
 * approval (the same people the "Approval needed" notification went to: members of the rung's
 * approver groups, never the requester, minus who already decided). Run by a global scheduled
 * task, so one replica sends it per interval. Returns how many digests were sent.
 */
export async function sendApprovalDigest(deps: {
  store: Pick<LadderStore, 'listPromotions' | 'listApprovals'>;
  memberships: Pick<GroupMemberships, 'membersOfAny'>;
  notifications: Pick<NotificationService, 'send'>;
  config: Pick<LadderConfig, 'ladders'>;
  logger: LoggerService;
}): Promise<number> {
  const waiting = await deps.store.listPromotions({ phases: ['AwaitingApproval'], limit: 1000, offset: 0 });
  if (waiting.length === 0) return 0;
  const decided = new Map<string, Set<string>>();
  for (const a of await deps.store.listApprovals(waiting.map(p => p.id))) {
    if (!decided.has(a.promotionId)) decided.set(a.promotionId, new Set());
    decided.get(a.promotionId)!.add(a.approver);
  }

  const perApprover = new Map<string, Waiting[]>();
  for (const promotion of waiting) {
    const ladder = deps.config.ladders.find(l => l.id === promotion.ladderId);
    const rung = ladder && resolveRung(ladder, promotion.toRung)?.rung;
    if (!rung?.approvers || !requiresApproval(rung, promotion.kind)) continue;
    const members = await deps.memberships.membersOfAny(rung.approvers.groups).catch(error => {
      deps.logger.warn(`approval digest: the approvers of ${rung.id} could not be read: ${error}`);
      return [] as string[];
    });
    for (const approver of members) {
      if (approver === promotion.requestedBy || decided.get(promotion.id)?.has(approver)) continue;
      if (!perApprover.has(approver)) perApprover.set(approver, []);
      perApprover.get(approver)!.push({ promotion, rungTitle: rung.title });
    }
  }

  let sent = 0;
  for (const [approver, items] of perApprover) {
    const oldestFirst = [...items].sort((a, b) => a.promotion.createdAt.localeCompare(b.promotion.createdAt));
    const lines = oldestFirst
      .slice(0, MAX_LISTED)
      .map(({ promotion: p, rungTitle }) => `${p.entityRef} ${p.ref.slice(0, 12)} to ${rungTitle}, requested by ${p.requestedBy} at ${p.createdAt}`);
    const more = items.length > MAX_LISTED ? [`and ${items.length - MAX_LISTED} more in the inbox`] : [];
    try {
      await deps.notifications.send({
        recipients: { type: 'entity', entityRef: approver },
        payload: {
          title: `${items.length} promotion${items.length === 1 ? '' : 's'} waiting for your approval`,
          description: [...lines, ...more].join('\n'),
          link: APPROVALS_INBOX_LINK,
          severity: 'normal',
          topic: 'ladder.approval-digest',
          scope: DIGEST_SCOPE,
          metadata: { promotionIds: oldestFirst.map(i => i.promotion.id) },
        },
      });
      sent++;
    } catch (error) {
      deps.logger.warn(`approval digest to ${approver} failed: ${error}`);
    }
  }
  return sent;
}
