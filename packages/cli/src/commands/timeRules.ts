import {
  describeWindow,
  durationUntil,
  formatSeconds,
  isPromotionPhase,
  isTerminal,
  windowState,
} from '@khal/plugin-ladder-common';
import type { EntityLadderResponse, Promotion } from '../client/contract';
import type { CommandIo } from './common';

type RungSummary = EntityLadderResponse['ladder']['rungs'][number];

/**
 * The time rules of a rung for `khal status`: its release window now ("Window: prod closed;
 * opens Tue 08 Dec 09:00 America/Sao_Paulo, in 3 h 10 min …") and its soak time.
 */
export function timeRuleLines(
  io: CommandIo,
  rung: RungSummary,
  now: Date = new Date(),
): string[] {
  const lines: string[] = [];
  if (rung.windows?.length) {
    const state = windowState(rung.windows, now);
    const text = describeWindow(state, now)!.replace(/^release window /, '');
    const open = state.configured && state.open;
    lines.push(
      `${io.term.paint(open ? 'green' : 'yellow', 'Window:')} ${
        rung.id
      } ${text}`,
    );
  }
  if (rung.minSoakSeconds) {
    lines.push(
      `${io.term.paint('cyan', 'Soak:')} ${rung.id} takes a ref ${formatSeconds(
        rung.minSoakSeconds,
      )} after it was placed on the rung below`,
    );
  }
  return lines;
}

/** "re-checked when its time rule changes: 2026-12-08T12:00:00.000Z (in 3 h 10 min)" for open promotions. */
export function dueLine(
  p: Promotion,
  now: Date = new Date(),
): string | undefined {
  if (!p.dueAt || (isPromotionPhase(p.phase) && isTerminal(p.phase)))
    return undefined;
  return `  next time rule change: ${p.dueAt} (in ${durationUntil(
    p.dueAt,
    now,
  )}); it is re-checked then by itself`;
}
