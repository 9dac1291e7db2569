/*
 * Fault: the ladder backend is killed (SIGKILL: no shutdown hook, no finally, sockets dropped)
 * half-way through a promotion, then started again on the same database — a real child process
 * (ladderBackendMain.ts), on the database a test file names (killedBackend.sqlite.test.ts,
 * killedBackend.postgres.test.ts). Killed twice: while the entry gates of a just-created
 * promotion run, and while the proof checks of a just-claimed deploy run (both requests carried an
 * Idempotency-Key); killedInTransaction.test.ts kills it inside a transaction. After each restart,
 * with no manual repair, the scheduled re-check brings the promotion to its correct phase, a
 * retry with the same key returns the first request's promotion (never a second change, never
 * "still processing" forever), and every invariant holds: one audit row per state change, one
 * decision per approver, placements as promoted, evidence as stored.
 */
import type { Knex } from 'knex';
// Shared by the *.test.ts files beside it (never built or shipped), so it uses the fixture too.
// eslint-disable-next-line no-restricted-imports
import { createAppRepository } from '../__testUtils__/ladderFixture';
import { ladderInvariantViolations } from './invariants';
import { LadderProcess } from './LadderProcess';

const ENTITY = 'component:default/orders-api';

/** The database the processes share, as the test opens it too. */
export type Target = {
  env: Record<string, string>;
  knex: Knex;
};

/**
 * The kill-and-restart scenario on one database: starts, kills and restarts ladder processes on
 * `target`, asserting as it goes; `who` makes the Authorization header of a catalog user.
 */
export async function killAndRestart(
  target: Target,
  who: (user: string) => string,
) {
  const alice = who('alice');
  const sam = who('sam');
  const repo = createAppRepository();
  const { a } = repo.commits;
  const processes: LadderProcess[] = [];
  const start = (hang: 'entry' | 'verify' | '') => {
    const p = new LadderProcess({
      ...target.env,
      LADDER_FAULT_REPO: repo.dir,
      LADDER_FAULT_HANG: hang,
    });
    processes.push(p);
    return p.started();
  };
  /** The restarted process re-checks on start; polls its API until the promotion gets there. */
  async function waitForPhase(p: LadderProcess, id: string, phase: string) {
    let last: any;
    for (let i = 0; i < 50; i++) {
      last = (await p.call('GET', `/promotions/${id}`, alice)).body;
      if (last.phase === phase) return last;
      await new Promise(r => setTimeout(r, 200));
    }
    return last;
  }

  try {
    const { knex } = target;

    // 1. Killed while the entry gates of a new promotion run.
    const first = await start('entry');
    expect(
      (
        await first.call('POST', '/enrollments', alice, {
          entityRef: ENTITY,
          ref: a,
        })
      ).status,
    ).toBe(201);
    // Evidence recorded before the kill survives it, exactly as stored.
    const proof = await first.call('POST', '/evidence', alice, {
      entityRef: ENTITY,
      rung: 'local',
      ref: a,
      kind: 'build-output',
      summary: 'built before the kill',
      content: 'ok',
    });
    expect(proof.status).toBe(201);
    const createBody = { entityRef: ENTITY, toRung: 'dev', ref: a };
    const inFlight = first
      .call('POST', '/promotions', alice, createBody, 'create-dev-1')
      .catch(e => e);
    const [, devId] = await first.waitFor(/^gate (\S+) dev entry$/);
    await first.kill();
    expect(await inFlight).toMatchObject({
      message: expect.stringMatching(/fetch failed|terminated/),
    });
    expect(
      (await knex('ladder_promotions').where({ id: devId }).first()).phase,
    ).toBe('Checking');

    // Restarted: its scheduled re-check finishes the promotion; the retry gets the first result.
    const second = await start('verify');
    const retried = await second.call(
      'POST',
      '/promotions',
      alice,
      createBody,
      'create-dev-1',
    );
    expect(retried).toMatchObject({
      status: 201,
      replayed: 'true',
      body: { id: devId },
    });
    // The rung has no proof checks: cleared by the re-check, placed once the deploy reports success.
    expect((await waitForPhase(second, devId, 'Approved')).phase).toBe(
      'Approved',
    );
    const deployed = await second.call('POST', '/evidence', alice, {
      entityRef: ENTITY,
      rung: 'dev',
      ref: a,
      kind: 'deploy-output',
      summary: 'deployed after the restart',
      content: 'ok',
      data: { exitCode: 0 },
    });
    expect(deployed.status).toBe(201);
    const dev = await waitForPhase(second, devId, 'Promoted');
    expect(dev.phase).toBe('Promoted');
    // The same key, once more: still the first result, still one promotion.
    expect(
      (
        await second.call(
          'POST',
          '/promotions',
          alice,
          createBody,
          'create-dev-1',
        )
      ).body.id,
    ).toBe(devId);
    expect(
      await knex('ladder_promotions').where({
        entity_ref: ENTITY,
        to_rung: 'dev',
      }),
    ).toHaveLength(1);

    // 2. Killed while the proof checks of a just-claimed deploy run.
    const hml = await second.call('POST', '/promotions', alice, {
      entityRef: ENTITY,
      toRung: 'hml',
      ref: a,
    });
    expect(hml.body.phase).toBe('AwaitingApproval');
    const approved = await second.call(
      'POST',
      `/promotions/${hml.body.id}/approvals`,
      sam,
      { decision: 'approve', comment: 'ok' },
      'approve-hml-1',
    );
    expect(approved.body.phase).toBe('Approved');
    const claimBody = { toRung: 'hml', sha: a };
    const claim = second
      .call(
        'POST',
        `/promotions/${hml.body.id}/claim`,
        alice,
        claimBody,
        'claim-hml-1',
      )
      .catch(e => e);
    await second.waitFor(new RegExp(`^gate ${hml.body.id} hml verify$`));
    await second.kill();
    expect(await claim).toMatchObject({
      message: expect.stringMatching(/fetch failed|terminated/),
    });
    expect(
      (await knex('ladder_promotions').where({ id: hml.body.id }).first())
        .phase,
    ).toBe('Deploying');

    const third = await start('');
    const reclaimed = await third.call(
      'POST',
      `/promotions/${hml.body.id}/claim`,
      alice,
      claimBody,
      'claim-hml-1',
    );
    expect(reclaimed).toMatchObject({
      status: 201,
      replayed: 'true',
      body: { id: hml.body.id },
    });
    expect((await waitForPhase(third, hml.body.id, 'Promoted')).phase).toBe(
      'Promoted',
    );
    // Without the key, the claim is not used twice, and the approval not counted twice.
    expect(
      (
        await third.call(
          'POST',
          `/promotions/${hml.body.id}/claim`,
          alice,
          claimBody,
        )
      ).status,
    ).toBe(409);
    expect(
      (
        await third.call('POST', `/promotions/${hml.body.id}/approvals`, sam, {
          decision: 'approve',
        })
      ).status,
    ).toBe(409);

    // Nothing lost, nothing doubled.
    expect(await ladderInvariantViolations(knex)).toEqual([]);
    expect(
      await knex('ladder_approvals').where({ promotion_id: hml.body.id }),
    ).toHaveLength(1);
    const placements = Object.fromEntries(
      (await knex('ladder_placements').where({ entity_ref: ENTITY })).map(p => [
        p.rung_id,
        p.ref,
      ]),
    );
    expect(placements).toEqual({ local: a, dev: a, hml: a });
    const evidence = await knex('ladder_evidence').where({
      entity_ref: ENTITY,
    });
    expect(evidence.map(e => [e.id, e.digest]).sort()).toEqual(
      [
        [proof.body.id, proof.body.digest],
        [deployed.body.id, deployed.body.digest],
      ].sort(),
    );
    const changes = async (id: string) =>
      (
        await knex('ladder_audit_events')
          .where({ promotion_id: id })
          .whereNotNull('to_phase')
          .orderBy('id')
      ).map(e => `${e.from_phase ?? '-'}>${e.to_phase}`);
    expect(await changes(devId)).toEqual([
      '->Checking',
      'Checking>Approved',
      'Approved>Promoted',
    ]);
    expect(await changes(hml.body.id)).toEqual([
      '->Checking',
      'Checking>AwaitingApproval',
      'AwaitingApproval>Approved',
      'Approved>Deploying',
      'Deploying>Promoted',
    ]);
    // Both keys ended with the first request's promotion as their stored result.
    const keys = await knex('ladder_idempotency_keys').orderBy('key');
    expect(
      keys.map(k => [k.key, Number(k.status_code), JSON.parse(k.response).id]),
    ).toEqual([
      ['approve-hml-1', 201, hml.body.id],
      ['claim-hml-1', 201, hml.body.id],
      ['create-dev-1', 201, devId],
    ]);
  } finally {
    await Promise.all(processes.map(p => p.kill()));
  }
}
