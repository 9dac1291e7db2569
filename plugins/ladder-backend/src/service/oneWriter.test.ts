/*
 * One writer: every change of a promotion is decided on one read of it and applied only if
 * nobody changed it since (a version check), on SQLite and PostgreSQL. The interleavings are
 * forced, not hoped for: the store is wrapped so that another writer runs right after the
 * approval read the promotion.
 */
import path from 'node:path';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { parseLadderConfig } from '@khal/plugin-ladder-common';
import type { LadderGate } from '@khal/plugin-ladder-node';
import { builtinGates } from '../gates/builtinGates';
import {
  catalogEntities,
  createAppRepository,
} from '../__testUtils__/ladderFixture';
import { callerFrom } from './Caller';
import { createLadderServices } from './createLadderServices';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const ENTITY = 'component:default/orders-api';
const as = (name: string) =>
  callerFrom(mockCredentials.user(`user:default/${name}`));

/** A gate whose every answer is numbered, so a test can tell which evaluation a stored result came from. */
let answers = 0;
const countingGate: LadderGate = {
  id: 'counting',
  title: 'Counting',
  async evaluate() {
    answers += 1;
    return { status: 'passed', summary: `answer #${answers}` };
  },
};

const ladder = {
  operatorsGroup: 'group:default/operators',
  ladders: [
    {
      id: 'khal',
      title: 'Short',
      rungs: [
        {
          id: 'local',
          title: 'Local',
          runtime: 'pm2',
          mutationPolicy: 'self',
          host: 'localhost',
        },
        {
          id: 'dev',
          title: 'Shared dev',
          runtime: 'pm2-mirror',
          host: 'mirror',
          mutationPolicy: 'approval',
          entryGates: ['counting'],
          approvers: {
            groups: ['group:default/customer-stakeholders'],
            minimum: 2,
          },
        },
      ],
    },
  ],
};

describe.each(databases.eachSupportedId())('one writer on %p', databaseId => {
  const repo = createAppRepository();
  // Commits are resolved with git only under the local repositories root: the temp folder
  // holding the test repository, which the entity names relative to it.
  const config = {
    ...ladder,
    localRepositoriesRoot: path.dirname(repo.dir),
  };
  const entities = catalogEntities(path.basename(repo.dir));

  const gateList = builtinGates({ dryRunMaxAgeMs: () => 24 * 3600 * 1000 });

  async function services() {
    const knex = await databases.init(databaseId);
    return createLadderServices({
      config: mockServices.rootConfig({ data: { ladder: config } }),
      ladderConfig: parseLadderConfig(config, {
        knownGateIds: [...gateList.map(g => g.id), 'counting'],
      }),
      logger: mockServices.logger.mock(),
      database: mockServices.database({ knex }),
      auth: mockServices.auth(),
      permissions: mockServices.permissions(),
      urlReader: mockServices.urlReader.mock(),
      catalog: catalogServiceMock({ entities }),
      gates: new Map([...gateList, countingGate].map(g => [g.id, g])),
      settingsSources: [],
      clusterState: () => undefined,
    });
  }

  it('an approval does not overwrite gate results a re-check wrote after the approval read the promotion (bypass: a second writer beside the engine)', async () => {
    const s = await services();
    await s.commands.enroll(as('alice'), {
      entityRef: ENTITY,
      ref: repo.commits.a,
    });
    const created = await s.commands.create(as('alice'), {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: repo.commits.b,
      kind: 'promotion',
    });
    expect(created.phase).toBe('AwaitingApproval');

    // Right after the approval reads the promotion (or its gate results), a re-check runs to the end.
    let armed = true;
    const rechecked: string[] = [];
    const interleave = async () => {
      if (!armed) return;
      armed = false;
      const after = await s.commands.recheck(
        as('sue'),
        (await s.store.getPromotion(created.id))!,
      );
      const stored = await s.store.listGateResults([created.id]);
      rechecked.push(
        after.phase,
        stored.find(r => r.gateId === 'counting')!.summary,
      );
    };
    const { getPromotion, listGateResults } = s.store;
    s.store.getPromotion = async (...args) => {
      const read = await getPromotion.apply(s.store, args);
      await interleave();
      return read;
    };
    s.store.listGateResults = async (...args) => {
      const read = await listGateResults.apply(s.store, args);
      await interleave();
      return read;
    };

    const approved = await s.commands.approve(as('sam'), created, {
      decision: 'approve',
      comment: 'fine',
    });
    s.store.getPromotion = getPromotion;
    s.store.listGateResults = listGateResults;

    expect(rechecked[0]).toBe('AwaitingApproval');
    const stored = await s.store.listGateResults([created.id]);
    // The re-check's result survives: the approval was decided again on a fresh read.
    expect(stored.find(r => r.gateId === 'counting')!.summary).toBe(
      rechecked[1],
    );
    expect(stored.find(r => r.gateId === 'approval')!.summary).toMatch(
      /^1 of 2 approval/,
    );
    expect(approved).toMatchObject({ phase: 'AwaitingApproval' });
    expect(approved.version).toBeGreaterThan(created.version + 1);
    expect(
      (await s.store.listApprovals([created.id])).map(a => a.approver),
    ).toEqual(['user:default/sam']);
  });

  it('a cancel decided on a stale read is decided again, and a claim is used once (bypass: writes without a version check)', async () => {
    const s = await services();
    await s.commands.enroll(as('alice'), {
      entityRef: ENTITY,
      ref: repo.commits.a,
    });
    const created = await s.commands.create(as('alice'), {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: repo.commits.b,
      kind: 'promotion',
    });
    await s.commands.approve(as('sam'), created, {
      decision: 'approve',
      comment: '',
    });
    const approved = await s.commands.approve(as('sue'), created, {
      decision: 'approve',
      comment: '',
    });
    expect(approved.phase).toBe('Approved');

    const claims = await Promise.allSettled([
      s.commands.claim(as('alice'), approved, {
        toRung: 'dev',
        sha: repo.commits.b,
      }),
      s.commands.claim(as('bob'), approved, {
        toRung: 'dev',
        sha: repo.commits.b,
      }),
    ]);
    expect(claims.filter(c => c.status === 'fulfilled')).toHaveLength(1);
    const refused = claims.find(
      c => c.status === 'rejected',
    ) as PromiseRejectedResult;
    expect(refused.reason.name).toBe('ConflictError');
    expect(refused.reason.message).toMatch(
      /already claimed by user:default\/(alice|bob) .*a claim is used once/,
    );

    // A cancel that read "Approved" before the claim: the engine reads again and refuses.
    await expect(
      s.commands.cancel(as('alice'), approved, { reason: 'late' }),
    ).rejects.toThrow(/rollback/);
    const audit = await s.store.listAudit({
      promotionId: created.id,
      limit: 50,
    });
    expect(audit.filter(a => a.toPhase === 'Deploying')).toHaveLength(1);
  });
});
