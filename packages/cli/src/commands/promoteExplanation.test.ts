import * as fixtures from '../testing/fixtures';
import { FakePortal } from '../testing/fakePortal';
import { FakePortalSession, useFakePortal } from '../testing/useFakePortal';
import { runKhal } from '../testing/runKhal';

jest.setTimeout(60_000);

const ENTITY_PATH = 'GET /api/ladder/entities/component/default/orders-api';

describe('khal promote to a rung that asks for an explanation', () => {
  let portal: FakePortal;
  let app: FakePortalSession['app'];
  let env: Record<string, string>;

  useFakePortal(s => ({ portal, app, env } = s));

  beforeEach(() => {
    const entity = fixtures.entityLadder();
    entity.ladder = {
      ...entity.ladder,
      rungs: entity.ladder.rungs.map(r =>
        r.id === 'hml'
          ? {
              ...r,
              metadata: {
                customer: 'Acme Retail',
                contacts: [],
                requiresExplanation: true,
              },
            }
          : r,
      ),
    };
    portal.route(ENTITY_PATH, { body: entity });
    portal.route('POST /api/ladder/promotions', {
      status: 201,
      body: fixtures.promotion({ toRung: 'hml' }),
    });
  });

  it('stops before requesting and names the --explanation flag when it is missing (exit 2)', async () => {
    const run = await runKhal(
      ['promote', '--to', 'hml', '--ref', fixtures.REF],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--explanation "<what changes for Acme Retail and why>"',
    );
    expect(portal.requests.filter(r => r.method === 'POST')).toHaveLength(0);
  });

  it('requests the promotion with the explanation given', async () => {
    const run = await runKhal(
      [
        'promote',
        '--to',
        'hml',
        '--ref',
        fixtures.REF,
        '--explanation',
        'FAKE: checkout button moves; tested on dev',
      ],
      { env, cwd: app.dir },
    );
    expect(run.code).toBe(0);
    const post = portal.requests.find(r => r.method === 'POST')!;
    expect(post.body).toMatchObject({
      toRung: 'hml',
      explanation: 'FAKE: checkout button moves; tested on dev',
    });
  });
});
