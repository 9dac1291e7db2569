import {
  isPromotionPhase,
  phaseLabel,
  phaseTone,
  type StatusTone,
} from '@khal/plugin-ladder-common';

// The API carries phases as strings (so an older client survives a newer phase); these narrow
// them through the one mapping in -common and fall back to a neutral, literal label.

/** The tone of a promotion phase read from the API. */
export function promotionTone(phase: string): StatusTone {
  return isPromotionPhase(phase) ? phaseTone(phase) : 'neutral';
}

/** The label of a promotion phase read from the API. */
export function promotionLabel(phase: string): string {
  return isPromotionPhase(phase) ? phaseLabel(phase) : phase;
}

/** Whether a promotion read from the API is still open (not in a terminal phase). */
export { isTerminal } from '@khal/plugin-ladder-common';
