/*
 * Stop the line and bad commits, on SQLite and PostgreSQL: every way a promotion moves towards a
 * paused rung (request, approve, claim, deploy result, re-check) is tried and must be refused with
 * the reason, who paused and since when; a pause decided while a claim is being decided must not
 * let the claim through; a bad commit ends its open promotions and is never promoted again.
 */
import { knex as createKnex } from 'knex';
import { TestDatabases } from '@backstage/backend-test-utils';
import { createAppRepository } from '../__testUtils__/ladderFixture';
import {
  ENGINE_ENTITY as ENTITY,
  engineServices,
  shortLadder,
  userCaller as as,
} from '../__testUtils__/engineServices';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const olga = as('olga');

const STOPPED =
  /the line is stopped: .* was paused by user:default\/olga since \d{4}-\d\d-\d\dT[\d:.]+Z: "cluster upgrade"/;

describe.each(databases.eachSupportedId())('stop the line on %p', databaseId => {
  const repo = createAppRepository();
  /** Local, then a rung deployed by claim that one stakeholder approves. */
  const start = engineServices({ ladder: shortLadder({ minimum: 1 }), repoDir: repo.dir });

  async function services(knex?: Awaited<ReturnType<typeof databases.init>>) {
    return start(knex ?? (await databases.init(databaseId)));
  }
  type Services = Awaited<ReturnType<typeof services>>;

  async function awaitingApproval(s: Services) {
    await s.commands.enroll(as('alice'), { entityRef: ENTITY, ref: repo.commits.a });
    const created = await s.commands.create(as('alice'), {
      entityRef: ENTITY,
      toRung: 'dev',
      ref: repo.commits.b,
      kind: 'promotion',
    });
    expect(created.phase).toBe('AwaitingApproval');
    return created;
  }
  async function approved(s: Services) {
    const created = await awaitingApproval(s);
    const record = await s.commands.approve(as('sam'), created, {
      decision: 'approve',
      comment: 'ok',
    });
    expect(record.phase).toBe('Approved');
    return record;
  }
  const pauseDev = (s: Services) =>
    s.policy.pause(olga, {
      scope: 'rung',
      ladderId: 'khal',
      rungId: 'dev',
      reason: 'cluster upgrade',
    });

  it('refuses to request a promotion to a paused rung, ladder or entity, naming the reason, who and since when', async () => {
    const s = await services();
    await s.commands.enroll(as('alice'), { entityRef: ENTITY, ref: repo.commits.a });
    const request = () =>
      s.commands.create(as('alice'), {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
        kind: 'promotion',
      });
    for (const scope of [
      { scope: 'rung' as const, ladderId: 'khal', rungId: 'dev' },
      { scope: 'ladder' as const, ladderId: 'khal' },
      { scope: 'entity' as const, entityRef: ENTITY },
    ]) {
      const pause = await s.policy.pause(olga, { ...scope, reason: 'cluster upgrade' });
      await expect(request()).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringMatching(STOPPED),
      });
      expect(await s.store.listPromotions({ entityRef: ENTITY, limit: 10, offset: 0 })).toEqual([]);
      await s.policy.resume(olga, pause.id, { reason: 'done' });
    }
    // A pause of another rung or entity holds nothing here.
    await s.policy.pause(olga, { scope: 'rung', ladderId: 'khal', rungId: 'local', reason: 'x' });
    expect((await request()).phase).toBe('AwaitingApproval');
  });

  it('refuses the creating transaction too, when the pause lands after the early check (bypass: check outside the transaction)', async () => {
    const s = await services();
    await s.commands.enroll(as('alice'), { entityRef: ENTITY, ref: repo.commits.a });
    const { createPromotion } = s.store;
    s.store.createPromotion = async (...args) => {
      await pauseDev(s);
      return createPromotion.apply(s.store, args);
    };
    await expect(
      s.commands.create(as('alice'), {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
        kind: 'promotion',
      }),
    ).rejects.toThrow(STOPPED);
    s.store.createPromotion = createPromotion;
    expect(await s.store.listPromotions({ entityRef: ENTITY, limit: 10, offset: 0 })).toEqual([]);
  });

  it('refuses an approval while paused (bypass: the approve route) and records none; resumed, it is approved', async () => {
    const s = await services();
    const created = await awaitingApproval(s);
    const pause = await pauseDev(s);
    await expect(
      s.commands.approve(as('sam'), created, { decision: 'approve', comment: 'ok' }),
    ).rejects.toMatchObject({ name: 'ConflictError', message: expect.stringMatching(STOPPED) });
    expect(await s.store.listApprovals([created.id])).toEqual([]);
    expect((await s.store.getPromotion(created.id))!.phase).toBe('AwaitingApproval');
    // A rejection ends it, which a stopped line does not prevent — but this one is resumed instead.
    const resumed = await s.policy.resume(olga, pause.id, { reason: 'upgrade finished' });
    expect(resumed).toMatchObject({ resumedBy: 'user:default/olga', resumeReason: 'upgrade finished' });
    const after = await s.commands.approve(as('sam'), created, { decision: 'approve', comment: 'ok' });
    expect(after.phase).toBe('Approved');
    const audit = await s.store.listAudit({ entityRef: 'ladder:khal', limit: 10 });
    expect(audit.map(a => a.action)).toEqual(['line.resumed', 'line.paused']);
    expect(audit[0]).toMatchObject({ actor: 'user:default/olga', detail: expect.objectContaining({ pauseId: pause.id, reason: 'upgrade finished' }) });
  });

  it('refuses a claim while paused (bypass: the claim route), and a re-check does not move an approved promotion', async () => {
    const s = await services();
    const record = await approved(s);
    await pauseDev(s);
    await expect(
      s.commands.claim(as('alice'), record, { toRung: 'dev', sha: repo.commits.b }),
    ).rejects.toThrow(STOPPED);
    await s.commands.recheck(as('alice'), record);
    const after = (await s.store.getPromotion(record.id))!;
    expect(after).toMatchObject({ phase: 'Approved', claim: null });
  });

  it('refuses a claim decided on a read from before the pause (bypass: a pause racing the claim)', async () => {
    const s = await services();
    const record = await approved(s);
    // Right after the claim read the promotion, the line is stopped.
    let armed = true;
    const { getPromotion } = s.store;
    s.store.getPromotion = async (...args) => {
      const read = await getPromotion.apply(s.store, args);
      if (armed) {
        armed = false;
        await pauseDev(s);
      }
      return read;
    };
    await expect(
      s.commands.claim(as('alice'), record, { toRung: 'dev', sha: repo.commits.b }),
    ).rejects.toThrow(STOPPED);
    s.store.getPromotion = getPromotion;
    expect((await s.store.getPromotion(record.id))!.phase).toBe('Approved');
  });

  it('refuses a successful deploy result while paused (bypass: deploy-result) and keeps the placement; resumed, it lands', async () => {
    const s = await services();
    const record = await approved(s);
    const claimed = await s.commands.claim(as('alice'), record, { toRung: 'dev', sha: repo.commits.b });
    expect(claimed.phase).toBe('Deploying');
    const pause = await s.policy.pause(olga, { scope: 'entity', entityRef: ENTITY, reason: 'cluster upgrade' });
    const report = { exitCode: 0, summary: 'deployed' };
    await expect(s.commands.reportDeploy(as('alice'), claimed, report)).rejects.toThrow(STOPPED);
    // Nor does anything else move it (the re-check task goes through the engine too).
    await s.engine.advance(claimed.id, 'ladder:recheck');
    expect((await s.store.getPromotion(claimed.id))!.phase).toBe('Deploying');
    expect((await s.store.listPlacements([ENTITY])).find(p => p.rungId === 'dev')).toBeUndefined();

    await s.policy.resume(olga, pause.id, {});
    const landed = await s.commands.reportDeploy(as('alice'), claimed, report);
    expect(landed.phase).toBe('Promoted');
    expect((await s.store.listPlacements([ENTITY])).find(p => p.rungId === 'dev')?.ref).toBe(repo.commits.b);
  });

  it('lets a stopped line end promotions (reject, cancel) and refuses a second pause of the same scope', async () => {
    const s = await services();
    const created = await awaitingApproval(s);
    await pauseDev(s);
    await expect(pauseDev(s)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(/already paused by user:default\/olga since .*: "cluster upgrade"/),
    });
    const rejected = await s.commands.approve(as('sam'), created, { decision: 'reject', comment: 'not now' });
    expect(rejected.phase).toBe('Rejected');
    await expect(s.policy.pause(olga, { scope: 'rung', ladderId: 'khal', rungId: 'nope', reason: 'x' })).rejects.toThrow(
      /ladder "khal" has no rung "nope"; its rungs are local, dev/,
    );
    await expect(s.policy.pause(olga, { scope: 'ladder', ladderId: 'other', reason: 'x' })).rejects.toThrow(
      /no ladder "other"; the ladders are khal/,
    );
  });

  describe('bad commits', () => {
    it('ends the open promotions of a commit marked bad and refuses to promote it anywhere', async () => {
      const s = await services();
      const created = await awaitingApproval(s);
      const marked = await s.policy.markBad(as('sam'), {
        entityRef: ENTITY,
        sha: repo.commits.b,
        reason: 'corrupts orders',
      });
      expect(marked.endedPromotions).toEqual([{ id: created.id, toRung: 'dev', phase: 'Superseded' }]);
      const ended = (await s.store.getPromotion(created.id))!;
      expect(ended.phaseMessage).toMatch(/marked bad by user:default\/sam .*"corrupts orders"/);
      await expect(
        s.commands.create(as('alice'), { entityRef: ENTITY, toRung: 'dev', ref: repo.commits.b, kind: 'promotion' }),
      ).rejects.toThrow(/commit [0-9a-f]{40} of component:default\/orders-api was marked bad by user:default\/sam .*"corrupts orders"\. It cannot be requested on any rung/);
      const audit = await s.store.listAudit({ entityRef: ENTITY, limit: 20 });
      expect(audit.map(a => a.action)).toEqual(expect.arrayContaining(['commit.marked-bad', 'promotion.superseded-bad-commit']));
      await expect(
        s.policy.markBad(as('sue'), { entityRef: ENTITY, sha: repo.commits.b, reason: 'again' }),
      ).rejects.toThrow(/already marked bad by user:default\/sam/);
    });

    it('refuses an approval decided on a read from before the mark (bypass: a mark racing the approval)', async () => {
      const s = await services();
      const created = await awaitingApproval(s);
      let armed = true;
      const { getPromotion } = s.store;
      s.store.getPromotion = async (...args) => {
        const read = await getPromotion.apply(s.store, args);
        if (armed) {
          armed = false;
          await s.store.markBadCommit({ entityRef: ENTITY, sha: repo.commits.b, reason: 'broken', actor: 'user:default/sue' });
        }
        return read;
      };
      await expect(
        s.commands.approve(as('sam'), created, { decision: 'approve', comment: 'ok' }),
      ).rejects.toThrow(/marked bad by user:default\/sue/);
      s.store.getPromotion = getPromotion;
      expect(await s.store.listApprovals([created.id])).toEqual([]);
      // The re-check ends it.
      expect((await s.engine.advance(created.id, 'ladder:recheck')).phase).toBe('Superseded');
    });

    it('fails a claimed promotion of a commit marked bad, saying to roll back', async () => {
      const s = await services();
      const record = await approved(s);
      await s.commands.claim(as('alice'), record, { toRung: 'dev', sha: repo.commits.b });
      const marked = await s.policy.markBad(as('olga'), { entityRef: ENTITY, sha: repo.commits.b, reason: 'leaks memory' });
      expect(marked.endedPromotions).toEqual([{ id: record.id, toRung: 'dev', phase: 'Failed' }]);
      expect((await s.store.getPromotion(record.id))!.phaseMessage).toMatch(/roll dev back/);
    });

    it('is for people who may approve a rung of the ladder, or operators', async () => {
      const s = await services();
      await s.commands.enroll(as('alice'), { entityRef: ENTITY, ref: repo.commits.a });
      await expect(
        s.policy.markBad(as('alice'), { entityRef: ENTITY, sha: repo.commits.b, reason: 'mine' }),
      ).rejects.toMatchObject({ name: 'NotAllowedError', message: expect.stringMatching(/only people who may approve a rung of ladder "khal"/) });
      expect(await s.store.listBadCommits([ENTITY])).toEqual([]);
    });

    it('takes a mark back (audited, same people): the commit may be requested again, what it ended stays ended', async () => {
      const s = await services();
      const created = await awaitingApproval(s);
      const marked = await s.policy.markBad(as('sam'), { entityRef: ENTITY, sha: repo.commits.b, reason: 'corrupts orders' });
      // Bypass: the entity's owner, who may not mark, may not take a mark back either.
      await expect(s.policy.unmarkBad(as('alice'), { id: marked.id, reason: 'it is fine' })).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringMatching(/may take back a bad mark of component:default\/orders-api/),
      });
      expect(await s.store.listBadCommits([ENTITY])).toHaveLength(1);
      const unmarked = await s.policy.unmarkBad(as('sue'), { id: marked.id, reason: 'false alarm: the test data was wrong' });
      expect(unmarked).toMatchObject({ sha: repo.commits.b, markedBy: 'user:default/sam' });
      expect(await s.store.listBadCommits([ENTITY])).toEqual([]);
      expect((await s.store.getPromotion(created.id))!.phase).toBe('Superseded');
      const [row] = await s.store.listAudit({ entityRef: ENTITY, limit: 1 });
      expect(row).toMatchObject({ action: 'commit.unmarked-bad', actor: 'user:default/sue' });
      expect(row.detail).toMatchObject({ reason: 'false alarm: the test data was wrong', markReason: 'corrupts orders', markedBy: 'user:default/sam' });
      await expect(s.policy.unmarkBad(as('sue'), { id: marked.id, reason: 'again' })).rejects.toMatchObject({ name: 'NotFoundError' });
      const again = await s.commands.create(as('alice'), { entityRef: ENTITY, toRung: 'dev', ref: repo.commits.b, kind: 'promotion' });
      expect(again.phase).toBe('AwaitingApproval');
    });

    it('two people taking the same mark back: exactly one succeeds', async () => {
      const s = await services();
      await s.commands.enroll(as('alice'), { entityRef: ENTITY, ref: repo.commits.a });
      const marked = await s.policy.markBad(as('sam'), { entityRef: ENTITY, sha: repo.commits.b, reason: 'broken' });
      const results = await Promise.allSettled([
        s.policy.unmarkBad(as('sam'), { id: marked.id, reason: 'fixed' }),
        s.policy.unmarkBad(as('olga'), { id: marked.id, reason: 'fixed' }),
      ]);
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
      const audit = await s.store.listAudit({ entityRef: ENTITY, limit: 20 });
      expect(audit.filter(a => a.action === 'commit.unmarked-bad')).toHaveLength(1);
    });
  });

  if (databaseId === 'POSTGRES_15') {
    it('two replicas: a pause racing claims never lets a claim commit after the pause (bypass: concurrent pause vs claim)', async () => {
      const knex = await databases.init(databaseId);
      // The second replica: its own connection pool on the same database.
      const knex2 = createKnex({ client: 'pg', connection: knex.client.config.connection, pool: { min: 0, max: 4 } });
      try {
        const a = await services(knex);
        const b = await services(knex2);
        await a.commands.enroll(as('alice'), { entityRef: ENTITY, ref: repo.commits.a });
        const outcomes: Array<{ ok: boolean; later: string }> = [];
        for (let round = 0; round < 6; round++) {
          // Start over: the previous round left a pause in force and maybe a placement.
          for (const p of await a.store.listPauses()) await a.policy.resume(olga, p.id, {});
          const placed = (await a.store.listPlacements([ENTITY])).find(p => p.rungId === 'dev');
          const target = placed?.ref === repo.commits.b ? repo.commits.a : repo.commits.b;
          const created = await a.commands.create(as('alice'), { entityRef: ENTITY, toRung: 'dev', ref: target, kind: 'promotion' });
          const approvedNow = await a.commands.approve(as('sam'), created, { decision: 'approve', comment: '' });
          const [claim, pause] = await Promise.allSettled([
            b.commands.claim(as('alice'), approvedNow, { toRung: 'dev', sha: target }),
            pauseDev(a),
          ]);
          const pausedRow = (await a.store.listAudit({ entityRef: 'ladder:khal', limit: 1 }))[0];
          const claimedRow = (await a.store.listAudit({ entityRef: ENTITY, promotionId: created.id, limit: 50 })).find(
            r => r.action === 'promotion.claimed',
          );
          const phase = (await a.store.getPromotion(created.id))!.phase;
          // Either the claim came first (its row was written before the pause's), or it was refused
          // naming the pause and the promotion is still Approved, unclaimed.
          const ok =
            pause.status === 'fulfilled' &&
            (claim.status === 'fulfilled'
              ? claimedRow !== undefined && Number(claimedRow.id) < Number(pausedRow.id)
              : STOPPED.test(String(claim.reason?.message)) && claimedRow === undefined && phase === 'Approved');
          // Whatever happened, nothing is claimed after the pause committed.
          const later = await b.commands
            .claim(as('alice'), (await b.store.getPromotion(created.id))!, { toRung: 'dev', sha: target })
            .then(
              () => 'claimed',
              e => String(e.message),
            );
          outcomes.push({ ok, later });
          // End the round's promotion: a failed deploy report ends a claimed one, a cancel the other.
          const current = (await a.store.getPromotion(created.id))!;
          if (current.phase === 'Deploying') {
            await b.commands.reportDeploy(as('alice'), current, { exitCode: 1, summary: 'aborted' });
          } else {
            await a.commands.cancel(as('alice'), current, {});
          }
        }
        expect(outcomes.filter(o => !o.ok)).toEqual([]);
        expect(outcomes.filter(o => o.later === 'claimed')).toEqual([]);
      } finally {
        await knex2.destroy();
      }
    });
  }
});
