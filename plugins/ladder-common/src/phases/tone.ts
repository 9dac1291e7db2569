import { PromotionPhase } from './phase';

/**
 * The one vocabulary of status colours in the suite. Components map a tone to their own palette;
 * they never look at phase names to pick a colour.
 */
export type StatusTone =
  | 'neutral'
  | 'info'
  | 'progress'
  | 'warning'
  | 'success'
  | 'error';

// Records keyed by the phase union: adding a phase without a tone or label fails to compile.
const toneByPhase: Record<PromotionPhase, StatusTone> = {
  Checking: 'progress',
  // Fixable by the requester (add evidence, run a dry-run), so a warning rather than an error.
  Blocked: 'warning',
  AwaitingApproval: 'info',
  Approved: 'info',
  Deploying: 'progress',
  Verifying: 'progress',
  Promoted: 'success',
  Rejected: 'error',
  // Nobody did anything wrong: the promotion was withdrawn or replaced.
  Cancelled: 'neutral',
  Superseded: 'neutral',
  Failed: 'error',
  Errored: 'error',
  // Time ran out (nobody deployed, nobody decided): nothing is wrong with the app.
  Expired: 'neutral',
};

const labelByPhase: Record<PromotionPhase, string> = {
  Checking: 'Checking',
  Blocked: 'Blocked',
  AwaitingApproval: 'Awaiting approval',
  Approved: 'Approved',
  Deploying: 'Deploying',
  Verifying: 'Verifying',
  Promoted: 'Promoted',
  Rejected: 'Rejected',
  Cancelled: 'Cancelled',
  Superseded: 'Superseded',
  Failed: 'Failed',
  Errored: 'Errored',
  Expired: 'Expired',
};

/** The tone a phase is shown with (chips, matrix cells, notifications). */
export function phaseTone(phase: PromotionPhase): StatusTone {
  return toneByPhase[phase];
}

/** The phase as people read it, e.g. `AwaitingApproval` → "Awaiting approval". */
export function phaseLabel(phase: PromotionPhase): string {
  return labelByPhase[phase];
}
