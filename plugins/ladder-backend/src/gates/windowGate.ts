import {
  describeWindow,
  formatWindowTime,
  windowState,
  windowsOf,
} from '@khal/plugin-ladder-common';
import type { LadderGate } from '@khal/plugin-ladder-node';

/**
 * A release window of the rung (or, when it declares none, of its ladder) is open now. When
 * closed it says when the next one opens, in the window's own time zone and as time left; the
 * re-check task clears the promotion once it opens. Implied by any configured window.
 */
export function createWindowGate(
  now: () => Date = () => new Date(),
): LadderGate {
  return {
    id: 'window-open',
    title: 'Release window open',
    description:
      'A release window of the rung or its ladder (ladder config `windows`: cron, time zone, duration) is open.',
    async evaluate(ctx) {
      const at = now();
      const state = windowState(windowsOf(ctx.ladder, ctx.rung), at);
      if (!state.configured) {
        return {
          status: 'passed',
          summary: 'no release windows: promotions may enter at any time',
        };
      }
      const summary = describeWindow(state, at)!;
      if (state.open) return { status: 'passed', summary };
      const where = ctx.rung.windows?.length
        ? `rung "${ctx.rung.id}"`
        : `ladder "${ctx.ladder.id}"`;
      return {
        status: 'pending',
        summary,
        howToFix: state.opensAt
          ? `wait for the window: the promotion is re-checked and goes on by itself when it opens; to release outside it, change the windows of ${where} in the ladder config. A rollback ignores windows.`
          : `no window of ${where} opens again: fix its cron expressions in the ladder config`,
        waitingFor: state.opensAt
          ? `the release window at ${formatWindowTime(
              state.opensAt,
              state.window!.timeZone,
            )}`
          : 'a release window',
      };
    },
  };
}
