import { LadderConfigError, parseLadderConfig } from './parse';
import { policyDurationSchema } from './durations';
import { approvalExpired, expiryOf, expiryReason } from './expiry';
import {
  ReleaseWindowConfig,
  describeWindow,
  releaseWindowSchema,
  windowState,
  windowsOf,
} from './windows';

const window = (w: Record<string, unknown>): ReleaseWindowConfig =>
  releaseWindowSchema.parse(w);
const at = (iso: string) => new Date(iso);

function problemsOf(raw: unknown) {
  try {
    parseLadderConfig(raw);
  } catch (e) {
    return (e as LadderConfigError).problems;
  }
  return [];
}
const rung = (extra: Record<string, unknown> = {}) => ({
  id: 'a',
  title: 'A',
  runtime: 'pm2',
  mutationPolicy: 'self',
  ...extra,
});

describe('policy durations', () => {
  it.each([
    ['PT8H', 8 * 3600],
    ['P2D', 2 * 86400],
    ['PT90M', 5400],
    [{ hours: 1, minutes: 30 }, 5400],
  ])('reads %p as %p seconds', (input, seconds) => {
    expect(policyDurationSchema.parse(input)).toBe(seconds);
  });

  it.each(['P1M', 'P1Y', '8h', 'PT0S', ''])(
    'bypass: %p (calendar, unitless, zero or empty) is refused with how to write it',
    input => {
      const result = policyDurationSchema.safeParse(input);
      expect(result.success).toBe(false);
    },
  );
});

describe('release windows: weekdays 09:00–17:00 São Paulo (UTC−3, no DST)', () => {
  const w = window({
    cron: '0 9 * * 2-4',
    timeZone: 'America/Sao_Paulo',
    duration: 'PT8H',
  });
  // Tuesday 2026-12-08 09:00 in São Paulo is 12:00Z.
  it('is open at the exact opening instant', () => {
    expect(windowState([w], at('2026-12-08T12:00:00Z'))).toMatchObject({
      open: true,
      closesAt: '2026-12-08T20:00:00.000Z',
    });
  });

  it('is closed one millisecond before it opens, and says when it opens', () => {
    const now = at('2026-12-08T11:59:59.999Z');
    const state = windowState([w], now);
    expect(state).toMatchObject({
      open: false,
      opensAt: '2026-12-08T12:00:00.000Z',
    });
    expect(describeWindow(state, at('2026-12-08T08:50:00Z'))).toBe(
      'release window closed; opens Tue 08 Dec 09:00 America/Sao_Paulo, in 3 h 10 min (until Tue 08 Dec 17:00 America/Sao_Paulo)',
    );
  });

  it('is closed at the exact closing instant (the end is excluded)', () => {
    const state = windowState([w], at('2026-12-08T20:00:00Z'));
    expect(state).toMatchObject({
      open: false,
      opensAt: '2026-12-09T12:00:00.000Z',
    });
  });

  it('after Thursday it opens again next Tuesday', () => {
    const state = windowState([w], at('2026-12-10T21:00:00Z'));
    expect(state).toMatchObject({ opensAt: '2026-12-15T12:00:00.000Z' });
  });

  it('says how long it stays open', () => {
    const now = at('2026-12-08T18:00:00Z');
    expect(describeWindow(windowState([w], now), now)).toBe(
      'release window open until Tue 08 Dec 17:00 America/Sao_Paulo, in 2 h',
    );
  });
});

describe('release windows across a daylight-saving change (Europe/Berlin, 2026-03-29)', () => {
  const w = window({
    cron: '0 9 * * *',
    timeZone: 'Europe/Berlin',
    duration: { hours: 2 },
    title: 'morning',
  });
  it('opens at 09:00 CET (08:00Z) the day before', () => {
    expect(windowState([w], at('2026-03-28T07:59:00Z'))).toMatchObject({
      open: false,
    });
    expect(windowState([w], at('2026-03-28T08:00:00Z'))).toMatchObject({
      open: true,
    });
  });

  it('opens at 09:00 CEST (07:00Z) after the change, not an hour late', () => {
    expect(windowState([w], at('2026-03-30T07:00:00Z'))).toMatchObject({
      open: true,
      closesAt: '2026-03-30T09:00:00.000Z',
    });
    expect(windowState([w], at('2026-03-30T06:59:59Z'))).toMatchObject({
      open: false,
      opensAt: '2026-03-30T07:00:00.000Z',
    });
  });

  it('names the next opening on the wall clock of its zone across the change', () => {
    const now = at('2026-03-28T12:00:00Z');
    expect(describeWindow(windowState([w], now), now)).toMatch(
      /^release window closed; opens \(morning\) Sun 29 Mar 09:00 Europe\/Berlin, in 19 h/,
    );
  });
});

describe('several windows and where they come from', () => {
  const morning = window({
    cron: '0 8 * * *',
    timeZone: 'UTC',
    duration: 'PT2H',
  });
  const long = window({ cron: '0 9 * * *', timeZone: 'UTC', duration: 'PT4H' });

  it('an overlap closes with the window that ends last', () => {
    expect(
      windowState([morning, long], at('2026-12-08T09:30:00Z')),
    ).toMatchObject({
      open: true,
      closesAt: '2026-12-08T13:00:00.000Z',
    });
  });

  it('a window longer than its period is open across openings', () => {
    const wide = window({
      cron: '0 * * * *',
      timeZone: 'UTC',
      duration: 'PT3H',
    });
    expect(windowState([wide], at('2026-12-08T09:30:00Z'))).toMatchObject({
      open: true,
      closesAt: '2026-12-08T12:00:00.000Z',
    });
  });

  it("a rung's own windows replace its ladder's", () => {
    expect(windowsOf({ windows: [morning] }, { windows: [long] })).toEqual([
      long,
    ]);
    expect(windowsOf({ windows: [morning] }, {})).toEqual([morning]);
    expect(windowState(windowsOf({}, {}))).toEqual({ configured: false });
  });
});

describe('release window config errors name the path and the fix', () => {
  it.each([
    [
      { cron: '0 9 * *', timeZone: 'UTC', duration: 'PT1H' },
      'windows[0].cron',
      'five fields',
    ],
    [
      { cron: '0 99 * * *', timeZone: 'UTC', duration: 'PT1H' },
      'windows[0].cron',
      'not a cron expression',
    ],
    [
      { cron: '0 9 * * *', timeZone: 'Mars/Olympus', duration: 'PT1H' },
      'windows[0].timeZone',
      'IANA time zone',
    ],
    [
      { cron: '0 9 * * *', timeZone: 'UTC', duration: 'P1M' },
      'windows[0].duration',
      'no months or years',
    ],
    [{ cron: '0 9 * * *', timeZone: 'UTC' }, 'windows[0].duration', ''],
    [
      { cron: '0 9 * * *', timeZone: 'UTC', duration: 'PT1H', tz: 'x' },
      'windows[0]',
      'tz',
    ],
  ])('%j', (w, path, message) => {
    const problems = problemsOf({
      ladders: [{ id: 'l', title: 'L', rungs: [rung({ windows: [w] })] }],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: expect.stringContaining(`ladder.ladders[0].rungs[0].${path}`),
          message: expect.stringContaining(message),
        }),
      ]),
    );
  });

  it('minSoak and expiry parse to seconds', () => {
    const cfg = parseLadderConfig({
      ladders: [{ id: 'l', title: 'L', rungs: [rung({ minSoak: 'PT30M' })] }],
      expiry: {
        approvals: 'P1D',
        openPromotions: 'P7D',
        remindApproversAfter: { hours: 4 },
      },
    });
    expect(cfg.ladders[0].rungs[0].minSoak).toBe(1800);
    expect(cfg.expiry).toEqual({
      approvals: 86400,
      openPromotions: 7 * 86400,
      remindApproversAfter: 14400,
    });
    expect(
      parseLadderConfig({ ladders: [{ id: 'l', title: 'L', rungs: [rung()] }] })
        .expiry,
    ).toEqual({});
  });

  it("a rung's own expiry is over the ladder config's, key by key", () => {
    const cfg = parseLadderConfig({
      ladders: [
        {
          id: 'l',
          title: 'L',
          rungs: [rung({ expiry: { openPromotions: 'PT2M' } })],
        },
      ],
      expiry: { approvals: 'P1D', openPromotions: 'P7D' },
    });
    expect(expiryOf(cfg.expiry, cfg.ladders[0].rungs[0])).toEqual({
      approvals: 86400,
      openPromotions: 120,
    });
    expect(expiryOf(cfg.expiry, {})).toEqual({
      approvals: 86400,
      openPromotions: 7 * 86400,
    });
  });

  it('an unknown expiry key is an error naming it', () => {
    expect(
      problemsOf({
        ladders: [{ id: 'l', title: 'L', rungs: [rung()] }],
        expiry: { approval: 'P1D' },
      }),
    ).toEqual([
      expect.objectContaining({
        path: 'ladder.expiry',
        message: expect.stringContaining('approval'),
      }),
    ]);
  });
});

describe('expiry', () => {
  const created = '2026-12-01T10:00:00.000Z';
  const approval = { decision: 'approve', createdAt: created };
  const expiry = { approvals: 3600, openPromotions: 86400 };

  it('an approval counts until one second before its age limit, not at it', () => {
    expect(approvalExpired(approval, expiry, at('2026-12-01T10:59:59Z'))).toBe(
      false,
    );
    expect(approvalExpired(approval, expiry, at('2026-12-01T11:00:00Z'))).toBe(
      true,
    );
    expect(
      approvalExpired(
        { ...approval, decision: 'reject' },
        expiry,
        at('2027-01-01T00:00:00Z'),
      ),
    ).toBe(false);
    expect(approvalExpired(approval, {}, at('2027-01-01T00:00:00Z'))).toBe(
      false,
    );
  });

  it('an open promotion expires at its age limit, saying why and what to do', () => {
    const base = { phase: 'Blocked', createdAt: created, counted: [], expiry };
    expect(
      expiryReason({ ...base, now: at('2026-12-02T09:59:59Z') }),
    ).toBeUndefined();
    expect(expiryReason({ ...base, now: at('2026-12-02T10:00:00Z') })).toMatch(
      /^it stayed open for 1 d, longer than the 1 d the ladder allows \(expiry.openPromotions\).*request it again$/,
    );
  });

  it('an approved promotion expires when its approval is older than the limit', () => {
    const base = {
      phase: 'Approved',
      createdAt: created,
      counted: [approval],
      expiry: { approvals: 3600 },
    };
    expect(
      expiryReason({ ...base, now: at('2026-12-01T10:59:00Z') }),
    ).toBeUndefined();
    expect(expiryReason({ ...base, now: at('2026-12-01T11:00:00Z') })).toMatch(
      /expired after 1 h \(expiry.approvals\)/,
    );
  });

  it.each(['Deploying', 'Verifying', 'Promoted', 'Failed'])(
    'bypass: a %s promotion never expires (a deploy claimed it or it ended)',
    phase => {
      expect(
        expiryReason({
          phase,
          createdAt: created,
          counted: [approval],
          expiry,
          now: at('2030-01-01T00:00:00Z'),
        }),
      ).toBeUndefined();
    },
  );
});
