import {
  describeWindow,
  windowState,
  windowsOf,
  type LadderDefinition,
  type PromotionKind,
  type RungConfig,
} from '@khal/plugin-ladder-common';

/**
 * Why a deploy of a promotion may not claim it now: the rung's release windows (or its ladder's)
 * are closed. Approval may come before the window; the rung changes only inside it. Undefined
 * when a window is open, none is configured, or it is a rollback or an adoption (ways out of
 * trouble are never held by time).
 */
export function windowRefusal(
  ladder: LadderDefinition,
  rung: RungConfig,
  kind: PromotionKind,
  now: Date,
): string | undefined {
  if (kind !== 'promotion') return undefined;
  const state = windowState(windowsOf(ladder, rung), now);
  if (!state.configured || state.open) return undefined;
  return `${
    rung.title
  } changes only inside its release window: ${describeWindow(
    state,
    now,
  )}. Deploy then; the approved promotion waits (until it expires, if the ladder sets expiry).`;
}
