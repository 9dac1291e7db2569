/*
 * Freezes in the engine, on SQLite and PostgreSQL: a promotion onto a frozen rung is Blocked by the
 * implied freeze gate, which says why and until when; the entity view shows the freeze on the rung.
 */
import path from 'node:path';
import { TestDatabases, mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { parseLadderConfig } from '@khal/plugin-ladder-common';
import { builtinGates } from '../gates/builtinGates';
import { catalogEntities, createAppRepository } from '../__testUtils__/ladderFixture';
import { callerFrom } from '../access/Caller';
import { createLadderServices } from '../service/createLadderServices';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const ENTITY = 'component:default/orders-api';
const alice = callerFrom(mockCredentials.user('user:default/alice'));
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

describe.each(databases.eachSupportedId())('freezes on %p', databaseId => {
  const repo = createAppRepository();
  const gateList = builtinGates({ dryRunMaxAgeMs: () => 24 * 3600 * 1000 });

  async function services(freezes: object[]) {
    const config = {
      localRepositoriesRoot: path.dirname(repo.dir),
      ladders: [
        {
          id: 'khal',
          title: 'Short',
          rungs: [
            { id: 'local', title: 'Local', runtime: 'pm2', mutationPolicy: 'self', host: 'localhost' },
            { id: 'dev', title: 'Shared dev', runtime: 'pm2-mirror', host: 'mirror', mutationPolicy: 'self', freezes },
          ],
        },
      ],
    };
    return createLadderServices({
      config: mockServices.rootConfig({ data: { ladder: config } }),
      ladderConfig: parseLadderConfig(config, { knownGateIds: gateList.map(g => g.id) }),
      logger: mockServices.logger.mock(),
      database: mockServices.database({ knex: await databases.init(databaseId) }),
      auth: mockServices.auth(),
      permissions: mockServices.permissions(),
      urlReader: mockServices.urlReader.mock(),
      catalog: catalogServiceMock({ entities: catalogEntities(path.basename(repo.dir)) }),
      gates: new Map(gateList.map(g => [g.id, g])),
      settingsSources: [],
      clusterState: () => undefined,
    });
  }

  it('blocks a promotion onto a frozen rung, saying why and until when', async () => {
    const until = iso(2 * 3600_000);
    const s = await services([{ from: iso(-3600_000), to: until, reason: 'customer demo week' }]);
    await s.commands.enroll(alice, { entityRef: ENTITY, ref: repo.commits.a });
    const created = await s.commands.create(alice, { entityRef: ENTITY, toRung: 'dev', ref: repo.commits.b, kind: 'promotion' });
    expect(created.phase).toBe('Blocked');
    const [gate] = (await s.store.listGateResults([created.id])).filter(r => r.gateId === 'freeze');
    expect(gate).toMatchObject({
      status: 'failed',
      summary: expect.stringMatching(new RegExp(`^Shared dev is frozen until ${until.replace(/[.]/g, '\\.')} \\(in (1 h 59 min|2 h)\\): customer demo week$`)),
    });
    const view = await s.entityView.get(ENTITY, alice.credentials);
    expect(view.ladder.rungs[1].freezes).toEqual([{ from: expect.any(String), to: until, reason: 'customer demo week', scope: 'rung' }]);
  });

  it('lets a promotion through once the freeze has ended', async () => {
    const s = await services([{ from: iso(-7200_000), to: iso(-1000), reason: 'over' }]);
    await s.commands.enroll(alice, { entityRef: ENTITY, ref: repo.commits.a });
    const created = await s.commands.create(alice, { entityRef: ENTITY, toRung: 'dev', ref: repo.commits.b, kind: 'promotion' });
    expect(created.phase).not.toBe('Blocked');
    const [gate] = (await s.store.listGateResults([created.id])).filter(r => r.gateId === 'freeze');
    expect(gate).toMatchObject({ status: 'passed', summary: 'no freeze in force' });
  });
});
