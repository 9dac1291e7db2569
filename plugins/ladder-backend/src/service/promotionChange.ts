import type {
  ApprovalDecision,
  PromotionEvent,
} from '@khal/plugin-ladder-common';
import type { GateMode } from '@khal/plugin-ladder-node';
import type { IdempotencyClaim } from '../database/LadderStore';
import type { StoredGateResult } from '../database/records';

/**
 * One change of a promotion, as decided from one read of it: the event of the state machine and
 * what is written with it in the same transaction. `PromotionEngine.write` applies it.
 */
export interface PromotionChange {
  event: PromotionEvent;
  /** The phase message after the change. */
  message: string;
  /** Gate results to store with the change (replacing those of this mode). */
  mode?: GateMode;
  results?: Omit<StoredGateResult, 'promotionId' | 'rungId' | 'ref' | 'mode'>[];
  /** A decision to record; a second one by the same person makes the change a 409. */
  approval?: {
    approver: string;
    decision: ApprovalDecision;
    comment: string;
    /** The id of this person's expired approval, replaced by this one. */
    renews?: string;
  };
  /** The deploy claiming the promotion (Approved → Deploying). */
  claimedBy?: string;
  /** An operator breaks the glass with this change (policy/breakGlass.ts). */
  breakGlass?: { reason: string; by: string; overridden: string[]; reviewDueAt: string };
  /** The Idempotency-Key of the request, linked to the promotion in the same transaction. */
  idempotency?: IdempotencyClaim;
  /**
   * The audit row's action (after the kind, e.g. "approval-recorded") and detail. Without it the
   * event names the row, and a change that keeps the phase writes none.
   */
  audit?: { action: string; detail?: Record<string, unknown> };
  /**
   * When a time rule on the promotion changes next (see PromotionRecord.dueAt): null clears it,
   * absent keeps what is stored.
   */
  dueAt?: string | null;
  /** After the change is committed, the request is still refused with this (e.g. superseded). */
  refuse?: string;
}
