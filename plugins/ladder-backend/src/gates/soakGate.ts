import { formatSeconds } from '@khal/plugin-ladder-common';
import type { LadderGate } from '@khal/plugin-ladder-node';

/**
 * The ref has soaked on the rung below for the rung's `minSoak`: it was placed there (its deploy
 * observed) at least that long ago. The rung below is the closest lower rung that holds the ref;
 * optional rungs that do not hold it are skipped, as `previous-rung-proven` does. While soaking
 * the gate shows the time left and the promotion is due again when it is up (see `soakEndsAt`).
 */
export function createSoakGate(now: () => Date = () => new Date()): LadderGate {
  return {
    id: 'soak',
    title: 'Soaked on the rung below',
    description:
      'The ref has been placed on the rung below for at least the rung `minSoak` (ladder config).',
    async evaluate(ctx) {
      const minSoak = ctx.rung.minSoak;
      if (!minSoak)
        return {
          status: 'passed',
          summary: `${ctx.rung.title} needs no soak time`,
        };
      const below = soakSource(ctx.previousRungs, ctx.placements, ctx.ref);
      if (!below) {
        return {
          status: 'passed',
          summary: `${ctx.rung.title} is the first rung; nothing below to soak on`,
        };
      }
      const { rung, placement } = below;
      if (!placement || placement.ref !== ctx.ref) {
        return {
          status: 'failed',
          summary: `${ctx.ref} is not on ${
            rung.title
          }, so it has not started to soak (${formatSeconds(minSoak)} needed)`,
          howToFix: `promote ${ctx.ref} to ${
            rung.title
          } first; it may come here ${formatSeconds(
            minSoak,
          )} after it was placed there`,
          waitingFor: `${ctx.ref} to soak on ${rung.title}`,
        };
      }
      const endsAt = Date.parse(placement.placedAt) + minSoak * 1000;
      const left = (endsAt - now().getTime()) / 1000;
      const since = `placed on ${rung.title} at ${placement.placedAt}`;
      if (left <= 0) {
        return {
          status: 'passed',
          summary: `${ctx.ref} soaked ${formatSeconds(minSoak)} on ${
            rung.title
          } (${since})`,
        };
      }
      const until = new Date(endsAt).toISOString();
      return {
        status: 'pending',
        summary: `${ctx.ref} is soaking on ${rung.title}: ${formatSeconds(
          left,
        )} left of ${formatSeconds(minSoak)} (${since}; done at ${until})`,
        howToFix: `wait until ${until}: the promotion is re-checked then and goes on by itself; a rollback needs no soak`,
        waitingFor: `the soak on ${rung.title} to end at ${until}`,
      };
    },
  };
}

interface SoakRung {
  id: string;
  title: string;
  optional: boolean;
}

/** The rung below that the soak is measured on, and what is placed there (closest first). */
export function soakSource<
  R extends SoakRung,
  P extends { rungId: string; ref: string; placedAt: string },
>(
  previousRungs: R[],
  placements: P[],
  ref: string,
): { rung: R; placement?: P } | undefined {
  for (const rung of previousRungs) {
    const placement = placements.find(p => p.rungId === rung.id);
    if (placement?.ref === ref || !rung.optional) return { rung, placement };
  }
  return previousRungs.length ? { rung: previousRungs[0] } : undefined;
}

/** When the soak of `ref` into rung `rungIndex` ends, if it is soaking now (for the re-check). */
export function soakEndsAt(
  rungs: Array<SoakRung & { minSoak?: number }>,
  rungIndex: number,
  placements: Array<{ rungId: string; ref: string; placedAt: string }>,
  ref: string,
): string | undefined {
  const minSoak = rungs[rungIndex]?.minSoak;
  if (!minSoak) return undefined;
  const below = soakSource(
    rungs.slice(0, rungIndex).reverse(),
    placements,
    ref,
  );
  if (!below?.placement || below.placement.ref !== ref) return undefined;
  return new Date(
    Date.parse(below.placement.placedAt) + minSoak * 1000,
  ).toISOString();
}
