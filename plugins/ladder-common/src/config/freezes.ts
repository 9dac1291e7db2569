import { z } from 'zod';

/**
 * A freeze: from when to when nothing is promoted onto a rung (or any rung of a ladder), and why.
 * Times are ISO 8601 with an offset (`2026-12-20T18:00:00-03:00`), so a freeze means the same
 * instant whoever reads the config. `from` is included, `to` is not.
 */
export const freezeSchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true, message: 'an ISO 8601 time with an offset, e.g. "2026-12-20T18:00:00-03:00"' }),
    to: z.iso.datetime({ offset: true, message: 'an ISO 8601 time with an offset, e.g. "2027-01-04T09:00:00-03:00"' }),
    reason: z.string().trim().min(1, 'say why: people blocked by the freeze read this'),
  })
  .refine(f => Date.parse(f.to) > Date.parse(f.from), {
    message: '"to" must be after "from"',
    path: ['to'],
  });
/** @public */
export type FreezeConfig = z.output<typeof freezeSchema>;

/** A freeze as it applies to one rung: from the rung's own config or from its ladder's. */
export interface RungFreeze extends FreezeConfig {
  scope: 'ladder' | 'rung';
}

/** The freezes of a rung that have not ended at `now`, earliest first. */
export function freezesOf(
  ladder: { freezes?: FreezeConfig[] },
  rung: { freezes?: FreezeConfig[] },
  now: Date = new Date(),
): RungFreeze[] {
  return [
    ...(ladder.freezes ?? []).map(f => ({ ...f, scope: 'ladder' as const })),
    ...(rung.freezes ?? []).map(f => ({ ...f, scope: 'rung' as const })),
  ]
    .filter(f => Date.parse(f.to) > now.getTime())
    .sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
}

/** The freeze in force at `now` (the one that ends last when several overlap), if any. */
export function activeFreeze(freezes: RungFreeze[], now: Date = new Date()): RungFreeze | undefined {
  return freezes
    .filter(f => Date.parse(f.from) <= now.getTime() && now.getTime() < Date.parse(f.to))
    .sort((a, b) => Date.parse(b.to) - Date.parse(a.to))[0];
}

/** "3 h 10 min", "2 d 4 h", "45 s": a number of seconds, for people (whole units, rounded down). */
export function formatSeconds(seconds: number): string {
  let s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  if (d > 0) return `${d} d${h ? ` ${h} h` : ''}`;
  if (h > 0) return `${h} h${m ? ` ${m} min` : ''}`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

/** "3 h 10 min", "2 d 4 h", "45 s": how long until `iso`, for people. */
export function durationUntil(iso: string, now: Date = new Date()): string {
  return formatSeconds((Date.parse(iso) - now.getTime()) / 1000);
}
