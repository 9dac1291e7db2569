import {
  BadCommit,
  LinePause,
  PromotionEvent,
  describePauseScope,
} from '@khal/plugin-ladder-common';

/**
 * What holds a promotion back whatever its gates say: pauses in force over its ladder, rung or
 * entity (stop the line), and its commit being marked bad.
 */
export interface Holds {
  /** Oldest first. */
  pauses: LinePause[];
  badCommit?: BadCommit;
}

/** The promotion a hold is judged for. */
export interface HoldTarget {
  entityRef: string;
  ladderId: string;
  rungId: string;
  /** The full commit SHA. */
  ref: string;
}

/**
 * The events that move a promotion towards its rung. While a hold is in force none of them is
 * applied; ending a promotion (reject, cancel, supersede, fail, error) and blocking it still are.
 */
const FORWARD_EVENTS: ReadonlySet<PromotionEvent> = new Set<PromotionEvent>([
  'gates-passed-awaiting-approval',
  'gates-passed',
  'approval-quorum-met',
  'claim',
  'verify',
  'verified',
]);

/** Whether a change moves a promotion forward (an approval below the quorum does too). */
export function movesForward(change: {
  event: PromotionEvent;
  approval?: { decision: string };
}): boolean {
  return (
    FORWARD_EVENTS.has(change.event) || change.approval?.decision === 'approve'
  );
}

/**
 * Why a promotion cannot be `done` (created, approved, claimed, deployed, …) now, naming the
 * reason, who decided it and since when, and how to get unblocked; undefined when nothing holds it.
 */
export function holdRefusal(
  holds: Holds,
  done: string,
  target: HoldTarget & { rungTitle?: string },
): string | undefined {
  const bad = holds.badCommit;
  if (bad) {
    return `commit ${bad.sha} of ${bad.entityRef} was marked bad by ${bad.markedBy} at ${bad.markedAt}: "${bad.reason}". It cannot be ${done} on any rung; promote a fixed commit instead.`;
  }
  const pause = holds.pauses[0];
  if (pause) {
    const what = describePauseScope(
      pause,
      pause.scope === 'rung' ? target.rungTitle : undefined,
    );
    return `the line is stopped: ${what} was paused by ${pause.pausedBy} since ${pause.pausedAt}: "${pause.reason}". No promotion to ${
      target.rungTitle ?? target.rungId
    } can be ${done} until an operator resumes it (khal line resume ${pause.id}).`;
  }
  return undefined;
}

/** How a refused event reads after "cannot be". */
export function heldStep(event: PromotionEvent, approval?: boolean): string {
  if (approval || event === 'approval-quorum-met') return 'approved';
  switch (event) {
    case 'claim':
      return 'claimed';
    case 'verify':
    case 'verified':
      return 'deployed';
    default:
      return 'cleared';
  }
}
