/*
 * One writer: every change of a promotion is decided on one read of it and applied only if
 * nobody changed it since (a version check), on SQLite and PostgreSQL. The interleavings are
 * forced, not hoped for: the store is wrapped so that another writer runs right after the
 * approval read the promotion.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import type { LadderGate } from '@khal/plugin-ladder-node';
import { createAppRepository } from '../__testUtils__/ladderFixture';
import {
  ENGINE_ENTITY as ENTITY,
  engineServices,
  shortLadder,
  userCaller as as,
} from '../__testUtils__/engineServices';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

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

describe.each(databases.eachSupportedId())('one writer on %p', databaseId => {
  const repo = createAppRepository();
  const start = engineServices({
    ladder: shortLadder({ minimum: 2, devGates: ['counting'] }),
    repoDir: repo.dir,
    extraGates: [countingGate],
  });

  async function services() {
    return start(await databases.init(databaseId));
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
