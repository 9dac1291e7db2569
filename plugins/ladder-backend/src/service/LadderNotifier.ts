import type { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type { EventsService } from '@backstage/plugin-events-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  LADDER_APPROVALS_CHANNEL,
  PromotionExplanation,
  LadderChangeSignal,
  ladderEntityChannel,
} from '@khal/plugin-ladder-common';
import { currentCorrelationId } from '../correlation/correlationId';
import type { DriftRecord, PromotionRecord } from '../database/records';

/** The explanation of a customer-rung promotion in one paragraph: approvers read it first. */
function explanationLine(e: PromotionExplanation, requestedBy: string): string {
  const supplied = e.settingsSupplied === null ? 'unknown' : e.settingsSupplied.join(', ') || 'none';
  const changes = [
    e.changes.commits === null ? undefined : `${e.changes.commits} commit(s)`,
    e.changes.settingsAdded.length ? `new settings ${e.changes.settingsAdded.join(', ')}` : undefined,
  ].filter(Boolean);
  return `For ${e.customer ?? 'the customer'}: ${e.text} — requested by ${requestedBy}; settings supplied: ${supplied}${
    e.settingsMissing.length ? `; missing: ${e.settingsMissing.join(', ')}` : ''
  }; changes vs ${e.changes.from.rung ?? 'the rung below'}: ${changes.join(', ') || 'none'}`;
}

/** The request (or scheduled run) a notification comes from, to find its log lines and audit rows. */
function correlationMetadata(): { metadata?: { correlationId: string } } {
  const correlationId = currentCorrelationId();
  return correlationId ? { metadata: { correlationId } } : {};
}

/** Topic of the events the ladder publishes on the events service. */
export const PROMOTION_EVENT_TOPIC = 'ladder.promotion';

const decisionPhases = new Set(['Approved', 'Rejected', 'Promoted', 'Failed', 'Cancelled', 'Errored', 'Expired', 'Blocked']);

/**
 * Tells the platform about changes: signals (live entity pages and inboxes), events (other
 * plugins), notifications (approvers when a promotion waits for them, the requester on
 * decisions). Best effort: the change is already committed, so a failure here is logged only.
 * Everything sent was redacted before it was stored.
 */
export class LadderNotifier {
  constructor(
    private readonly deps: {
      logger: LoggerService;
      signals?: SignalsService;
      events?: EventsService;
      notifications?: NotificationService;
      /** Cluster state cached for entity reads; an entity that changed is read afresh. */
      clusterCache?: { forget(entityRef: string): void };
      /**
       * Who may receive an entity's live signals (see access/SignalAudience); without it no
       * signal is sent: signals are never broadcast.
       */
      audience?: (entityRef: string) => Promise<string[]>;
    },
  ) {}

  private entityLink(entityRef: string) {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    return `/catalog/${namespace}/${kind}/${name}/ladder`;
  }

  /**
   * Tells the entity's audience (and `alsoTo`, e.g. a promotion's requester) that it changed, on
   * its entity channel and, for approvals, on the approvals channel.
   */
  async entityChanged(signal: LadderChangeSignal, approvals = false, alsoTo: string[] = []): Promise<void> {
    this.deps.clusterCache?.forget(signal.entityRef);
    if (!this.deps.signals || !this.deps.audience) return;
    try {
      const entityRef = [...new Set([...(await this.deps.audience(signal.entityRef)), ...alsoTo])];
      const publish = (channel: string) =>
        this.deps.signals!.publish({
          recipients: { type: 'user', entityRef },
          channel,
          message: signal as unknown as Record<string, string>,
        });
      await publish(ladderEntityChannel(signal.entityRef));
      if (approvals) await publish(LADDER_APPROVALS_CHANNEL);
    } catch (error) {
      this.deps.logger.warn(`ladder signal failed: ${error}`);
    }
  }

  async promotionChanged(options: {
    promotion: PromotionRecord;
    fromPhase: string | null;
    actor: string;
    rungTitle: string;
    /** Who may approve now (only needed when it starts waiting). */
    approvers?: string[];
  }): Promise<void> {
    const { promotion: p, fromPhase, actor } = options;
    await this.entityChanged(
      { entityRef: p.entityRef, promotionId: p.id, phase: p.phase, change: 'promotion' },
      p.phase === 'AwaitingApproval' || fromPhase === 'AwaitingApproval',
      [p.requestedBy],
    );
    try {
      await this.deps.events?.publish({
        topic: PROMOTION_EVENT_TOPIC,
        eventPayload: {
          promotionId: p.id,
          entityRef: p.entityRef,
          ladderId: p.ladderId,
          toRung: p.toRung,
          ref: p.ref,
          kind: p.kind,
          fromPhase,
          toPhase: p.phase,
          actor,
        },
      });
    } catch (error) {
      this.deps.logger.warn(`ladder event failed: ${error}`);
    }
    if (!this.deps.notifications || fromPhase === p.phase) return;
    const what = `${p.kind === 'rollback' ? 'Rollback' : 'Promotion'} of ${p.entityRef} ${p.ref} to ${options.rungTitle}`;
    try {
      if (p.phase === 'AwaitingApproval' && options.approvers?.length) {
        await this.deps.notifications.send({
          recipients: { type: 'entity', entityRef: options.approvers, excludeEntityRef: p.requestedBy },
          payload: {
            title: `Approval needed: ${what}`,
            description: p.explanationDetail
              ? explanationLine(p.explanationDetail, p.requestedBy)
              : `${p.requestedBy} asks: ${p.reason || '(no reason given)'}`,
            link: this.entityLink(p.entityRef),
            severity: 'high',
            topic: 'ladder.approval',
            scope: `ladder:promotion:${p.id}:approval`,
            ...correlationMetadata(),
          },
        });
      } else if (decisionPhases.has(p.phase) && actor !== p.requestedBy) {
        await this.deps.notifications.send({
          recipients: { type: 'entity', entityRef: p.requestedBy },
          payload: {
            title: `${what}: ${p.phase}`,
            description: p.phaseMessage,
            link: this.entityLink(p.entityRef),
            severity: p.phase === 'Failed' || p.phase === 'Rejected' || p.phase === 'Errored' ? 'high' : 'normal',
            topic: 'ladder.decision',
            scope: `ladder:promotion:${p.id}:${p.phase}`,
            ...correlationMetadata(),
          },
        });
      }
    } catch (error) {
      this.deps.logger.warn(`ladder notification failed: ${error}`);
    }
  }

  /**
   * Reminds the approvers who have not decided yet that a promotion still waits for them (the
   * caller claimed the reminder, so it is sent once per interval).
   */
  async approvalReminder(options: {
    promotion: PromotionRecord;
    rungTitle: string;
    approvers: string[];
    waited: string;
  }): Promise<void> {
    const { promotion: p } = options;
    if (!this.deps.notifications || options.approvers.length === 0) return;
    const what = `${p.kind === 'rollback' ? 'Rollback' : 'Promotion'} of ${p.entityRef} ${p.ref} to ${options.rungTitle}`;
    try {
      await this.deps.notifications.send({
        recipients: { type: 'entity', entityRef: options.approvers, excludeEntityRef: p.requestedBy },
        payload: {
          title: `Reminder: approval needed for ${what}`,
          description: `It has waited for approval for ${options.waited}. ${p.phaseMessage}`,
          link: this.entityLink(p.entityRef),
          severity: 'high',
          topic: 'ladder.approval-reminder',
        },
      });
    } catch (error) {
      this.deps.logger.warn(`ladder reminder notification failed: ${error}`);
    }
  }

  /**
   * Tells the rung's approvers and the operators that someone broke the glass on a promotion
   * (high severity: a review waits for one of them), and refreshes live pages.
   */
  async breakGlassNotice(options: {
    promotion: PromotionRecord;
    rungTitle: string;
    recipients: string[];
  }): Promise<void> {
    const { promotion: p } = options;
    const glass = p.breakGlass;
    if (!glass) return;
    await this.entityChanged(
      { entityRef: p.entityRef, promotionId: p.id, phase: p.phase, change: 'promotion' },
      true,
      [p.requestedBy],
    );
    if (!this.deps.notifications || options.recipients.length === 0) return;
    try {
      await this.deps.notifications.send({
        recipients: { type: 'entity', entityRef: options.recipients, excludeEntityRef: glass.by },
        payload: {
          title: `Break-glass: ${p.entityRef} ${p.ref} to ${options.rungTitle} by ${glass.by}`,
          description: `${glass.by} overrode ${glass.overridden.join(', ')}: ${glass.reason}. Approvals still apply; someone other than ${glass.by} acknowledges the review before ${glass.reviewDueAt}.`,
          link: this.entityLink(p.entityRef),
          severity: 'critical',
          topic: 'ladder.break-glass',
          scope: `ladder:promotion:${p.id}:break-glass`,
        },
      });
    } catch (error) {
      this.deps.logger.warn(`ladder break-glass notification failed: ${error}`);
    }
  }

  /** Tells the entity's owners (once per drift; the caller makes sure) that a rung drifted. */
  async driftDetected(options: {
    entityRef: string;
    ownerRef: string | undefined;
    rungTitle: string;
    drift: DriftRecord;
    waysOut: string;
  }): Promise<void> {
    const { drift } = options;
    await this.entityChanged({ entityRef: options.entityRef, change: 'drift' });
    if (!this.deps.notifications) return;
    if (!options.ownerRef) {
      this.deps.logger.warn(`${options.entityRef} drifted on ${drift.rungId} but names no owner to notify`);
      return;
    }
    try {
      await this.deps.notifications.send({
        recipients: { type: 'entity', entityRef: options.ownerRef },
        payload: {
          title: `Drift: ${options.entityRef} on ${options.rungTitle} runs ${drift.runningRef}`,
          description: `The cluster runs ${drift.runningRef} but the ladder placed ${
            drift.expectedRef ?? 'nothing'
          } there (since ${drift.firstSeenAt}). Promotions from this rung are blocked until you ${options.waysOut}.`,
          link: this.entityLink(options.entityRef),
          severity: 'high',
          topic: 'ladder.drift',
          scope: `ladder:drift:${drift.id}`,
          ...correlationMetadata(),
        },
      });
    } catch (error) {
      this.deps.logger.warn(`ladder drift notification failed: ${error}`);
    }
  }
}
