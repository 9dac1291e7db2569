import { Duration } from 'luxon';
import { z } from 'zod';

const humanDurationKeys = [
  'weeks',
  'days',
  'hours',
  'minutes',
  'seconds',
] as const;

/**
 * A span of time in the ladder config, read as whole seconds: an ISO 8601 duration (`PT8H`,
 * `P2D`, `PT90M`) or a Backstage-style object (`{ hours: 8 }`). Months and years are refused on
 * purpose: their length depends on the calendar, and a policy must mean the same everywhere.
 */
export const policyDurationSchema = z
  .union([
    z.string().trim().min(1),
    z.strictObject(
      Object.fromEntries(
        humanDurationKeys.map(k => [k, z.number().nonnegative().optional()]),
      ) as Record<
        (typeof humanDurationKeys)[number],
        z.ZodOptional<z.ZodNumber>
      >,
    ),
  ])
  .transform((value, ctx) => {
    const d =
      typeof value === 'string'
        ? Duration.fromISO(value)
        : Duration.fromObject(value);
    const calendar =
      d.isValid && (d.years !== 0 || d.quarters !== 0 || d.months !== 0);
    if (!d.isValid || calendar) {
      ctx.addIssue({
        code: 'custom',
        message: `"${
          typeof value === 'string' ? value : JSON.stringify(value)
        }" is not a duration: write ISO 8601 like "PT8H", "P2D" or "PT90M" (no months or years), or an object like { hours: 8 }`,
      });
      return z.NEVER;
    }
    const seconds = Math.round(d.as('seconds'));
    if (seconds < 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'a duration must be at least one second, e.g. "PT1M"',
      });
      return z.NEVER;
    }
    return seconds;
  });

/** The config as written: `"PT8H"` or `{ hours: 8 }`. */
export type PolicyDurationInput = z.input<typeof policyDurationSchema>;
