import {
  activeFreeze,
  durationUntil,
  freezesOf,
} from '@khal/plugin-ladder-common';
import type { LadderGate } from '@khal/plugin-ladder-node';

/**
 * A freeze of the rung or of its ladder (ladder config `freezes`) is in force: nothing is
 * promoted onto the rung until it ends. Says why, until when and how long that is; the re-check
 * task clears the promotion once the freeze is over. Implied by any configured freeze.
 */
export function createFreezeGate(now: () => Date = () => new Date()): LadderGate {
  return {
    id: 'freeze',
    title: 'Not frozen',
    description:
      'No freeze of the rung or its ladder (ladder config `freezes`) is in force.',
    async evaluate(ctx) {
      const at = now();
      const freezes = freezesOf(ctx.ladder, ctx.rung, at);
      const freeze = activeFreeze(freezes, at);
      if (freeze) {
        const what =
          freeze.scope === 'ladder'
            ? `ladder ${ctx.ladder.id}`
            : `${ctx.rung.title}`;
        return {
          status: 'failed',
          summary: `${what} is frozen until ${freeze.to} (in ${durationUntil(
            freeze.to,
            at,
          )}): ${freeze.reason}`,
          howToFix: `wait until ${freeze.to}: the promotion is re-checked and goes on by itself; to end the freeze sooner, change ${
            freeze.scope === 'ladder'
              ? `ladder "${ctx.ladder.id}"`
              : `rung "${ctx.rung.id}"`
          } freezes in the ladder config. A rollback is not frozen.`,
          waitingFor: `the freeze to end at ${freeze.to}`,
        };
      }
      const next = freezes[0];
      return {
        status: 'passed',
        summary: next
          ? `not frozen now; next freeze from ${next.from} to ${next.to} (in ${durationUntil(
              next.from,
              at,
            )}): ${next.reason}`
          : 'no freeze in force',
      };
    },
  };
}
