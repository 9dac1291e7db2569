import { CronExpressionParser } from 'cron-parser';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { policyDurationSchema } from './durations';
import { formatSeconds } from './freezes';

/**
 * A release window: it opens at every time the cron expression names, in `timeZone`, and stays
 * open for `duration`. `{ cron: "0 9 * * 2-4", timeZone: "America/Sao_Paulo", duration: "PT8H" }`
 * is Tuesday to Thursday, 09:00–17:00 São Paulo time. Openings follow the zone's wall clock, so a
 * window keeps opening at 09:00 local across a daylight-saving change; the duration is elapsed
 * time.
 */
export const releaseWindowSchema = z
  .strictObject({
    cron: z
      .string()
      .trim()
      .regex(
        /^\S+(\s+\S+){4}$/,
        'a cron expression has five fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 2-4"',
      ),
    timeZone: z
      .string()
      .refine(
        tz => IANAZone.isValidZone(tz),
        'an IANA time zone, e.g. "America/Sao_Paulo" or "Europe/Berlin"',
      ),
    duration: policyDurationSchema,
    /** Shown to people, e.g. "business hours". */
    title: z.string().trim().min(1).optional(),
  })
  .superRefine((w, ctx) => {
    try {
      CronExpressionParser.parse(w.cron, { tz: w.timeZone }).next();
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['cron'],
        message: `"${w.cron}" is not a cron expression this understands (${
          (error as Error).message
        }); write minute hour day-of-month month day-of-week, e.g. "0 9 * * 2-4"`,
      });
    }
  });
/** @public */
export type ReleaseWindowConfig = z.output<typeof releaseWindowSchema>;

/** Where a rung stands with its release windows at one instant. */
export type WindowState =
  | { configured: false }
  | {
      configured: true;
      open: true;
      /** When the open window closes (the latest end when several overlap). */
      closesAt: string;
      window: ReleaseWindowConfig;
    }
  | {
      configured: true;
      open: false;
      /** When the next window opens; absent when no opening is left (e.g. a year-bound cron). */
      opensAt?: string;
      /** When that window closes. */
      closesAt?: string;
      window?: ReleaseWindowConfig;
    };

/** The windows that apply to a rung: its own when it has any, otherwise its ladder's. */
export function windowsOf(
  ladder: { windows?: ReleaseWindowConfig[] },
  rung: { windows?: ReleaseWindowConfig[] },
): ReleaseWindowConfig[] {
  return rung.windows?.length ? rung.windows : ladder.windows ?? [];
}

/** How far back to look for an opening that is still open (windows longer than their period). */
const MAX_PREVIOUS_OPENINGS = 64;

function openingsBefore(w: ReleaseWindowConfig, at: Date): Date[] {
  // `prev()` is strictly before its current date: one ms later makes an opening at `at` count.
  const cron = CronExpressionParser.parse(w.cron, {
    tz: w.timeZone,
    currentDate: new Date(at.getTime() + 1),
  });
  const starts: Date[] = [];
  for (let i = 0; i < MAX_PREVIOUS_OPENINGS && cron.hasPrev(); i++) {
    const start = cron.prev().toDate();
    if (start.getTime() + w.duration * 1000 <= at.getTime()) break;
    starts.push(start);
  }
  return starts;
}

function nextOpening(w: ReleaseWindowConfig, at: Date): Date | undefined {
  const cron = CronExpressionParser.parse(w.cron, {
    tz: w.timeZone,
    currentDate: at,
  });
  return cron.hasNext() ? cron.next().toDate() : undefined;
}

/**
 * Whether a window is open at `now` (an opening at `now` is open; its end is not), and when it
 * closes, or when the next one opens.
 */
export function windowState(
  windows: ReleaseWindowConfig[],
  now: Date = new Date(),
): WindowState {
  if (windows.length === 0) return { configured: false };
  let open: { closesAt: number; window: ReleaseWindowConfig } | undefined;
  for (const w of windows) {
    for (const start of openingsBefore(w, now)) {
      const end = start.getTime() + w.duration * 1000;
      if (!open || end > open.closesAt) open = { closesAt: end, window: w };
    }
  }
  if (open) {
    return {
      configured: true,
      open: true,
      closesAt: new Date(open.closesAt).toISOString(),
      window: open.window,
    };
  }
  let next: { at: number; window: ReleaseWindowConfig } | undefined;
  for (const w of windows) {
    const at = nextOpening(w, now)?.getTime();
    if (at !== undefined && (!next || at < next.at)) next = { at, window: w };
  }
  if (!next) return { configured: true, open: false };
  return {
    configured: true,
    open: false,
    opensAt: new Date(next.at).toISOString(),
    closesAt: new Date(next.at + next.window.duration * 1000).toISOString(),
    window: next.window,
  };
}

/** "Tue 09:00 America/Sao_Paulo": an instant on the wall clock of a window's zone. */
export function formatWindowTime(iso: string, timeZone: string): string {
  return `${DateTime.fromISO(iso, { zone: timeZone })
    .setLocale('en')
    .toFormat('ccc dd LLL HH:mm')} ${timeZone}`;
}

/**
 * One sentence for people: "open until Thu 17:00 America/Sao_Paulo (in 2 h 5 min)" or "closed;
 * opens Tue 09:00 America/Sao_Paulo, in 3 h 10 min". Undefined without windows.
 */
export function describeWindow(
  state: WindowState,
  now: Date = new Date(),
): string | undefined {
  if (!state.configured) return undefined;
  const until = (iso: string) =>
    formatSeconds((Date.parse(iso) - now.getTime()) / 1000);
  const name = (w?: ReleaseWindowConfig) => (w?.title ? ` (${w.title})` : '');
  if (state.open) {
    return `release window open${name(state.window)} until ${formatWindowTime(
      state.closesAt,
      state.window.timeZone,
    )}, in ${until(state.closesAt)}`;
  }
  if (!state.opensAt || !state.window) {
    return 'release window closed, and no configured window opens again';
  }
  return `release window closed; opens${name(state.window)} ${formatWindowTime(
    state.opensAt,
    state.window.timeZone,
  )}, in ${until(state.opensAt)} (until ${formatWindowTime(
    state.closesAt!,
    state.window.timeZone,
  )})`;
}
