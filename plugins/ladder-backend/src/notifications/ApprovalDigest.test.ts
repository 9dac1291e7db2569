import { mockServices } from '@backstage/backend-test-utils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { parseLadderConfig } from '@khal/plugin-ladder-common';
import { ladderConfig } from '../__testUtils__/ladderFixture';
import type { PromotionRecord } from '../database/records';
import { APPROVALS_INBOX_LINK, DIGEST_SCOPE, sendApprovalDigest } from './ApprovalDigest';

const config = parseLadderConfig(ladderConfig);
const SHA = (c: string) => c.repeat(40);

/** What the digest reads of a promotion (the rest of the record does not matter to it). */
function waiting(id: string, toRung: string, requestedBy: string, createdAt: string): PromotionRecord {
  return {
    id,
    entityRef: `component:default/app-${id}`,
    ladderId: 'khal',
    toRung,
    ref: SHA(id.slice(-1)),
    kind: 'promotion',
    phase: 'AwaitingApproval',
    requestedBy,
    createdAt,
  } as unknown as PromotionRecord;
}

const groups: Record<string, string[]> = {
  'group:default/customer-stakeholders': ['user:default/sam', 'user:default/sue', 'user:default/alice'],
  'group:default/operators': ['user:default/olga', 'user:default/omar'],
};

async function digest(promotions: PromotionRecord[], approvals: Array<{ promotionId: string; approver: string }> = []) {
  const sent: NotificationSendOptions[] = [];
  const count = await sendApprovalDigest({
    store: {
      listPromotions: async filter => promotions.filter(p => filter.phases?.includes(p.phase) ?? true),
      listApprovals: async ids => approvals.filter(a => ids.includes(a.promotionId)) as any,
    },
    memberships: {
      membersOfAny: async refs => [...new Set(refs.flatMap(r => groups[r] ?? []))].sort(),
    },
    notifications: { send: async n => void sent.push(n) },
    config,
    logger: mockServices.logger.mock(),
  });
  return { count, sent, to: (user: string) => sent.filter(n => (n.recipients as any).entityRef === `user:default/${user}`) };
}

describe('the approvers digest', () => {
  it('sends one notification per approver, listing every promotion waiting for them, oldest first, linked to the inbox', async () => {
    const { count, sent, to } = await digest([
      waiting('p2', 'hml', 'user:default/bob', '2026-12-03T10:00:00Z'),
      waiting('p1', 'hml', 'user:default/carol', '2026-12-02T10:00:00Z'),
      waiting('p3', 'prod', 'user:default/bob', '2026-12-03T11:00:00Z'),
    ]);
    expect(count).toBe(sent.length);
    // sam, sue, alice (hml stakeholders) and olga, omar (operators for prod): one each.
    expect(sent.map(n => (n.recipients as any).entityRef).sort()).toEqual(
      ['alice', 'olga', 'omar', 'sam', 'sue'].map(u => `user:default/${u}`),
    );
    const [sams] = to('sam');
    expect(sams.payload.title).toBe('2 promotions waiting for your approval');
    expect(sams.payload.metadata).toEqual({ promotionIds: ['p1', 'p2'] });
    expect(sams.payload.description!.split('\n')[0]).toContain('component:default/app-p1');
    expect(sams.payload.link).toBe(APPROVALS_INBOX_LINK);
    expect(to('olga')[0].payload.title).toBe('1 promotion waiting for your approval');
    // One scope for every digest: the next one replaces it in each person's inbox.
    expect(new Set(sent.map(n => n.payload.scope))).toEqual(new Set([DIGEST_SCOPE]));
  });

  it('bypass: the requester is in the approver group but is never asked to approve their own promotion', async () => {
    const { to } = await digest([waiting('p1', 'hml', 'user:default/alice', '2026-12-02T10:00:00Z')]);
    expect(to('alice')).toEqual([]);
    expect(to('sam')).toHaveLength(1);
  });

  it('leaves out a promotion the approver already decided on', async () => {
    const { to } = await digest(
      [waiting('p1', 'hml', 'user:default/bob', '2026-12-02T10:00:00Z'), waiting('p2', 'hml', 'user:default/bob', '2026-12-03T10:00:00Z')],
      [{ promotionId: 'p1', approver: 'user:default/sam' }],
    );
    expect(to('sam')[0].payload.metadata).toEqual({ promotionIds: ['p2'] });
    expect(to('sue')[0].payload.metadata).toEqual({ promotionIds: ['p1', 'p2'] });
  });

  it('sends nothing when nothing waits, or when what waits is on a rung without an approval gate', async () => {
    expect((await digest([])).sent).toEqual([]);
    expect((await digest([waiting('p1', 'dev', 'user:default/bob', '2026-12-02T10:00:00Z')])).sent).toEqual([]);
  });
});
