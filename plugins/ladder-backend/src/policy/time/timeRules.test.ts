/*
 * Time rules in the engine, on SQLite and PostgreSQL, with a clock the test moves: release
 * windows (edges, a DST change), soak time (exactly elapsed, due at soak end), expiry of open
 * promotions and of approvals (one expiring while the quorum is gathered), approver reminders
 * (once per interval, also when two runs race).
 */
import path from 'node:path';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { parseLadderConfig } from '@khal/plugin-ladder-common';
import { builtinGates } from '../../gates/builtinGates';
import { createWindowGate } from '../../gates/windowGate';
import { createSoakGate } from '../../gates/soakGate';
import {
  catalogEntities,
  createAppRepository,
} from '../../__testUtils__/ladderFixture';
import { callerFrom } from '../../access/Caller';
import { createLadderServices } from '../../service/createLadderServices';
import { runRecheck } from '../../service/RecheckTask';
import { runReminders } from './reminders';
import { entryGatesFor } from '../../gates/effectiveGates';

jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const ENTITY = 'component:default/orders-api';
const user = (name: string) =>
  callerFrom(mockCredentials.user(`user:default/${name}`));
const alice = user('alice');

describe.each(databases.eachSupportedId())('time rules on %p', databaseId => {
  const repo = createAppRepository();
  let clock = new Date();
  const now = () => clock;

  async function services(dev: object, extra: object = {}) {
    const gateList = [
      ...builtinGates({ dryRunMaxAgeMs: () => 24 * 3600 * 1000 }).filter(
        g => g.id !== 'window-open' && g.id !== 'soak',
      ),
      createWindowGate(now),
      createSoakGate(now),
    ];
    const config = {
      localRepositoriesRoot: path.dirname(repo.dir),
      ...extra,
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
              mutationPolicy: 'self',
              ...dev,
            },
          ],
        },
      ],
    };
    const notifications = { send: jest.fn() };
    const s = await createLadderServices({
      config: mockServices.rootConfig({ data: { ladder: config } }),
      ladderConfig: parseLadderConfig(config, {
        knownGateIds: gateList.map(g => g.id),
      }),
      logger: mockServices.logger.mock(),
      database: mockServices.database({
        knex: await databases.init(databaseId),
      }),
      auth: mockServices.auth(),
      permissions: mockServices.permissions(),
      urlReader: mockServices.urlReader.mock(),
      catalog: catalogServiceMock({
        entities: catalogEntities(path.basename(repo.dir)),
      }),
      notifications,
      gates: new Map(gateList.map(g => [g.id, g])),
      settingsSources: [],
      clusterState: () => undefined,
      now,
    });
    await s.commands.enroll(alice, { entityRef: ENTITY, ref: repo.commits.a });
    const placedAt = (await s.store.listPlacements([ENTITY]))[0].placedAt;
    return { ...s, notifications, placedAt };
  }
  const gate = async (
    s: Awaited<ReturnType<typeof services>>,
    id: string,
    gateId: string,
  ) => (await s.store.listGateResults([id])).find(r => r.gateId === gateId);
  const recheck = (s: Awaited<ReturnType<typeof services>>) =>
    runRecheck({
      ...s,
      logger: mockServices.logger.mock(),
      auth: mockServices.auth(),
      now,
    });

  describe('release windows', () => {
    // Tuesday 09:00–17:00 in Berlin; 2026-03-31 is a Tuesday after the change to CEST (UTC+2).
    const windows = [
      { cron: '0 9 * * 2', timeZone: 'Europe/Berlin', duration: 'PT8H' },
    ];

    it('one second before the window opens the promotion waits, saying when it opens; at the opening it goes on', async () => {
      clock = new Date('2026-03-31T06:59:59Z');
      const s = await services({ windows });
      const created = await s.commands.create(alice, {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
        kind: 'promotion',
      });
      expect(created.phase).toBe('Blocked');
      expect(await gate(s, created.id, 'window-open')).toMatchObject({
        status: 'pending',
        summary:
          'release window closed; opens Tue 31 Mar 09:00 Europe/Berlin, in 1 s (until Tue 31 Mar 17:00 Europe/Berlin)',
      });
      expect((await s.store.getPromotion(created.id))!.dueAt).toBe(
        '2026-03-31T07:00:00.000Z',
      );

      clock = new Date('2026-03-31T07:00:00Z');
      await recheck(s);
      const after = (await s.store.getPromotion(created.id))!;
      expect(after.phase).not.toBe('Blocked');
      expect(await gate(s, created.id, 'window-open')).toMatchObject({
        status: 'passed',
      });
    });

    it('at the closing instant the window is shut (the end is excluded); a week before the DST change it opened an hour later in UTC', async () => {
      clock = new Date('2026-03-31T15:00:00Z');
      const s = await services({ windows });
      const created = await s.commands.create(alice, {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
        kind: 'promotion',
      });
      expect(created.phase).toBe('Blocked');
      expect((await gate(s, created.id, 'window-open'))?.summary).toMatch(
        /^release window closed; opens Tue 07 Apr 09:00 Europe\/Berlin/,
      );

      clock = new Date('2026-03-24T07:30:00Z'); // 08:30 CET: not yet open before the change
      const s2 = await services({ windows });
      const early = await s2.commands.create(alice, {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
        kind: 'promotion',
      });
      expect(await gate(s2, early.id, 'window-open')).toMatchObject({
        status: 'pending',
      });
    });

    it('bypass: a rollback or an adoption is not held by a window, a soak or a freeze; a promotion is', () => {
      const rung = parseLadderConfig({
        ladders: [
          {
            id: 'l',
            title: 'L',
            rungs: [
              {
                id: 'dev',
                title: 'Dev',
                runtime: 'kind',
                mutationPolicy: 'self',
                windows,
                minSoak: 'PT1H',
                freezes: [
                  {
                    from: '2026-01-01T00:00:00Z',
                    to: '2027-01-01T00:00:00Z',
                    reason: 'x',
                  },
                ],
              },
            ],
          },
        ],
      }).ladders[0].rungs[0];
      expect(entryGatesFor(rung, 'promotion').map(g => g.id)).toEqual([
        'freeze',
        'window-open',
        'soak',
      ]);
      expect(entryGatesFor(rung, 'rollback')).toEqual([]);
      expect(entryGatesFor(rung, 'adoption').map(g => g.id)).toEqual([
        'adoption-evidence',
        'approval',
      ]);
    });
  });

  describe('release windows at deploy time', () => {
    it('bypass: an approved promotion cannot be deployed (claimed) once its window has closed; inside the window it can', async () => {
      const windows = [
        { cron: '0 9 * * 2', timeZone: 'Europe/Berlin', duration: 'PT8H' },
      ];
      clock = new Date('2026-03-31T08:00:00Z');
      const s = await services({
        windows,
        mutationPolicy: 'approval',
        approvers: {
          groups: ['group:default/customer-stakeholders'],
          minimum: 1,
        },
      });
      const created = await s.commands.create(alice, {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
        kind: 'promotion',
      });
      const approved = await s.commands.approve(
        user('sam'),
        (await s.store.getPromotion(created.id))!,
        { decision: 'approve', comment: '' },
      );
      expect(approved.phase).toBe('Approved');

      clock = new Date('2026-03-31T15:00:00Z'); // 17:00 CEST: the window has just closed
      await expect(
        s.commands.claim(alice, approved, {
          toRung: 'dev',
          sha: repo.commits.b,
        }),
      ).rejects.toThrow(
        /^not claimed: Shared dev changes only inside its release window: release window closed; opens Tue 07 Apr 09:00 Europe\/Berlin/,
      );
      expect((await s.store.getPromotion(created.id))!.phase).toBe('Approved');

      clock = new Date('2026-04-07T07:00:00Z'); // the next opening
      const claimed = await s.commands.claim(alice, approved, {
        toRung: 'dev',
        sha: repo.commits.b,
      });
      expect(claimed.phase).toBe('Deploying');
    });
  });

  describe('soak', () => {
    it('waits until the soak has exactly elapsed, showing the time left, and is due at soak end', async () => {
      const s = await services({ minSoak: 'PT1H' });
      const soakEnd = new Date(Date.parse(s.placedAt) + 3600_000);
      clock = new Date(soakEnd.getTime() - 60_000);
      const created = await s.commands.create(alice, {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.a,
        kind: 'promotion',
      });
      expect(created.phase).toBe('Blocked');
      expect(await gate(s, created.id, 'soak')).toMatchObject({
        status: 'pending',
        summary: expect.stringMatching(
          /^[0-9a-f]{40} is soaking on Local: 1 min left of 1 h \(placed on Local at .*; done at /,
        ),
      });
      expect((await s.store.getPromotion(created.id))!.dueAt).toBe(
        soakEnd.toISOString(),
      );

      clock = new Date(soakEnd.getTime() - 1);
      await recheck(s);
      expect((await s.store.getPromotion(created.id))!.phase).toBe('Blocked');

      clock = soakEnd;
      await recheck(s);
      expect((await s.store.getPromotion(created.id))!.phase).not.toBe(
        'Blocked',
      );
      expect(await gate(s, created.id, 'soak')).toMatchObject({
        status: 'passed',
      });
    });

    it('bypass: a ref that is not on the rung below has not started to soak', async () => {
      const s = await services({ minSoak: 'PT1H' });
      clock = new Date(Date.now() + 10 * 3600_000);
      const created = await s.commands.create(alice, {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.b,
        kind: 'promotion',
      });
      expect(await gate(s, created.id, 'soak')).toMatchObject({
        status: 'failed',
        summary: expect.stringMatching(/is not on Local/),
      });
    });
  });

  describe('expiry', () => {
    it('an open promotion expires at its age limit (not a second before), with an audit row and the requester told', async () => {
      clock = new Date();
      const s = await services(
        { minSoak: 'P30D' },
        { expiry: { openPromotions: 'P1D' } },
      );
      const created = await s.commands.create(alice, {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.a,
        kind: 'promotion',
      });
      expect(created.phase).toBe('Blocked');
      const limit = Date.parse(created.createdAt) + 86400_000;
      clock = new Date(limit - 1000);
      await recheck(s);
      expect((await s.store.getPromotion(created.id))!.phase).toBe('Blocked');
      clock = new Date(limit);
      await recheck(s);
      const expired = (await s.store.getPromotion(created.id))!;
      expect(expired).toMatchObject({
        phase: 'Expired',
        phaseMessage: expect.stringMatching(/^expired: it stayed open for 1 d/),
        dueAt: null,
      });
      const audit = await s.store.listAudit({ entityRef: ENTITY, limit: 50 });
      expect(audit).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'promotion.expire',
            fromPhase: 'Blocked',
            toPhase: 'Expired',
          }),
        ]),
      );
      expect(s.notifications.send).toHaveBeenCalledWith(
        expect.objectContaining({
          payload: expect.objectContaining({
            title: expect.stringMatching(/: Expired$/),
          }),
        }),
      );
    });

    const approvalRung = {
      mutationPolicy: 'approval',
      approvers: {
        groups: ['group:default/customer-stakeholders'],
        minimum: 2,
      },
    };

    it('an approval that expires while the quorum is gathered does not count; its author approves again', async () => {
      clock = new Date();
      const s = await services(approvalRung, { expiry: { approvals: 'PT1H' } });
      const created = await s.commands.create(alice, {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.a,
        kind: 'promotion',
      });
      expect(created.phase).toBe('AwaitingApproval');
      await s.commands.approve(
        user('sam'),
        (await s.store.getPromotion(created.id))!,
        { decision: 'approve', comment: '' },
      );
      const samAt = Date.parse(
        (await s.store.listApprovals([created.id]))[0].createdAt,
      );

      clock = new Date(samAt + 3600_000); // sam's approval is exactly one hour old: expired
      const afterSue = await s.commands.approve(
        user('sue'),
        (await s.store.getPromotion(created.id))!,
        { decision: 'approve', comment: '' },
      );
      expect(afterSue.phase).toBe('AwaitingApproval');
      expect(afterSue.phaseMessage).toMatch(/1 of 2 approval/);

      const renewed = await s.commands.approve(user('sam'), afterSue, {
        decision: 'approve',
        comment: 'still fine',
      });
      expect(renewed.phase).toBe('Approved');
      expect(
        (await s.store.listApprovals([created.id])).map(a => a.approver).sort(),
      ).toEqual(['user:default/sam', 'user:default/sue']);
    });

    it('an approved promotion nobody deployed expires when its approvals are older than the limit', async () => {
      clock = new Date();
      const s = await services(
        {
          ...approvalRung,
          approvers: { ...approvalRung.approvers, minimum: 1 },
        },
        { expiry: { approvals: 'PT1H' } },
      );
      const created = await s.commands.create(alice, {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.a,
        kind: 'promotion',
      });
      const approved = await s.commands.approve(
        user('sam'),
        (await s.store.getPromotion(created.id))!,
        { decision: 'approve', comment: '' },
      );
      expect(approved.phase).toBe('Approved');
      const at = Date.parse(
        (await s.store.listApprovals([created.id]))[0].createdAt,
      );
      clock = new Date(at + 3600_000 - 1);
      await recheck(s);
      expect((await s.store.getPromotion(created.id))!.phase).not.toBe(
        'Expired',
      );
      clock = new Date(at + 3600_000);
      await recheck(s);
      expect((await s.store.getPromotion(created.id))!).toMatchObject({
        phase: 'Expired',
        phaseMessage: expect.stringMatching(
          /expired after 1 h \(expiry.approvals\) before a deploy claimed it/,
        ),
      });
    });
  });

  describe('approver reminders', () => {
    it('reminds the approvers who have not decided once per interval, also when two runs race', async () => {
      clock = new Date();
      const s = await services(
        {
          mutationPolicy: 'approval',
          approvers: {
            groups: ['group:default/customer-stakeholders'],
            minimum: 2,
          },
        },
        { expiry: { remindApproversAfter: 'PT4H' } },
      );
      const created = await s.commands.create(alice, {
        entityRef: ENTITY,
        toRung: 'dev',
        ref: repo.commits.a,
        kind: 'promotion',
      });
      await s.commands.approve(
        user('sam'),
        (await s.store.getPromotion(created.id))!,
        { decision: 'approve', comment: '' },
      );
      const config = {
        expiry: { remindApproversAfter: 4 * 3600 },
        ladders: [],
      };
      const run = () =>
        runReminders({ ...s, logger: mockServices.logger.mock(), config, now });
      const reminders = () =>
        s.notifications.send.mock.calls.filter(
          ([o]) => o.payload.topic === 'ladder.approval-reminder',
        );

      const entered = Date.parse(
        (await s.store.getPromotion(created.id))!.phaseEnteredAt!,
      );
      clock = new Date(entered + 4 * 3600_000 - 1000);
      expect(await run()).toEqual({ reminded: 0 });

      clock = new Date(entered + 4 * 3600_000);
      const [a, b] = await Promise.all([run(), run()]);
      expect(a.reminded + b.reminded).toBe(1);
      expect(reminders()).toHaveLength(1);
      expect(reminders()[0][0]).toMatchObject({
        recipients: { entityRef: ['user:default/sue'] },
        payload: {
          title: expect.stringMatching(/^Reminder: approval needed/),
          description: expect.stringMatching(/waited for approval for 4 h/),
        },
      });

      clock = new Date(entered + 6 * 3600_000);
      expect(await run()).toEqual({ reminded: 0 });
      clock = new Date(entered + 8 * 3600_000);
      expect(await run()).toEqual({ reminded: 1 });
      const audit = await s.store.listAudit({ entityRef: ENTITY, limit: 50 });
      expect(
        audit.filter(r => r.action === 'promotion.approval-reminder'),
      ).toHaveLength(2);
    });
  });
});
