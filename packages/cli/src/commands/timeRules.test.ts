import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

const soon = () =>
  new Date(Date.now() + 3 * 3_600_000 + 10 * 60_000 + 30_000).toISOString();

describe('time rules in the CLI (process against a fake portal)', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;
  useFakePortal(s => ({ portal, app, env } = s));

  it('status prints a rung closed by its window (when it opens, in its zone) and its soak; --json carries both', async () => {
    const ladder = fixtures.entityLadder();
    const body = {
      ...ladder,
      rungs: ladder.rungs.map((v, i) =>
        i === 1
          ? {
              ...v,
              rung: {
                ...v.rung,
                windows: [
                  {
                    cron: '0 9 1 1 *',
                    timeZone: 'America/Sao_Paulo',
                    duration: 28_800,
                  },
                ],
                minSoakSeconds: 7200,
              },
            }
          : v,
      ),
    };
    portal.route('GET /api/ladder/entities/component/default/orders-api', {
      body,
    });
    const status = await runKhal(['status'], { env, cwd: app.dir });
    expect(status.code).toBe(0);
    const id = body.rungs[1].rung.id;
    expect(status.stdout).toMatch(
      new RegExp(
        `Window: ${id} closed; opens \\w{3} 01 Jan 09:00 America/Sao_Paulo, in \\d+ d( \\d+ h)? \\(until \\w{3} 01 Jan 17:00 America/Sao_Paulo\\)`,
      ),
    );
    expect(status.stdout).toContain(
      `Soak: ${id} takes a ref 2 h after it was placed on the rung below`,
    );
    const json = await runKhal(['status', '--json'], { env, cwd: app.dir });
    expect(JSON.parse(json.stdout).rungs[1].rung).toMatchObject({
      minSoakSeconds: 7200,
      windows: [expect.objectContaining({ timeZone: 'America/Sao_Paulo' })],
    });
  });

  it('promote prints the soak time left and when the promotion is re-checked; an Expired promotion reads as such', async () => {
    const dueAt = soon();
    portal.route('POST /api/ladder/promotions', {
      status: 201,
      body: fixtures.promotion({
        phase: 'Blocked',
        phaseMessage:
          '1 of 2 gates pass — waiting for the soak on Local to end',
        dueAt,
        gates: [
          {
            gateId: 'soak',
            title: 'Soaked on the rung below',
            status: 'pending',
            summary: 'a1b2c3d is soaking on Local: 3 h 10 min left of 4 h',
            howToFix: `wait until ${dueAt}: the promotion is re-checked then and goes on by itself`,
            checkedAt: fixtures.promotion().createdAt,
          },
        ],
      }),
    });
    const run = await runKhal(
      ['promote', '--to', 'dev', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Soaked on the rung below: a1b2c3d is soaking on Local: 3 h 10 min left of 4 h/,
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `next time rule change: ${dueAt.replace(
          /[.]/g,
          '\\.',
        )} \\(in 3 h 10 min\\); it is re-checked then by itself`,
      ),
    );

    portal.route('POST /api/ladder/promotions', {
      status: 201,
      body: fixtures.promotion({
        phase: 'Expired',
        phaseMessage: 'expired: it stayed open for 7 d',
        dueAt: null,
      }),
    });
    const expired = await runKhal(
      ['promote', '--to', 'dev', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(expired.stdout).toMatch(
      /: Expired — expired: it stayed open for 7 d/,
    );
    expect(expired.stdout).not.toMatch(/next time rule change/);
  });
});
