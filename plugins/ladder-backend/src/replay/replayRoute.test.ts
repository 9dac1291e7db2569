import { NotAllowedError } from '@backstage/errors';
import { mockCredentials } from '@backstage/backend-test-utils';
import { callerFrom } from '../access/Caller';
import type { GroupMemberships } from '../service/GroupMemberships';
import type { AuditReplay } from './AuditReplay';
import { replayHandler } from './replayRoute';

const OPERATORS = 'group:default/operators';
const report = {
  checkedAt: 'now',
  events: 1,
  placements: 1,
  promotions: 0,
  differences: [],
};

function handler(options: { policyAllows: boolean; operators: string[] }) {
  const memberships = {
    isMember: jest.fn(
      async (user: string, groups: string[]) =>
        groups.includes(OPERATORS) && options.operators.includes(user),
    ),
  };
  const replay = { check: jest.fn(async () => report) };
  const run = replayHandler({
    user: async req => callerFrom(mockCredentials.user((req as any).user)),
    authorize: async (caller, permission) => {
      if (!options.policyAllows)
        throw new NotAllowedError(`${caller.actor} may not ${permission.name}`);
    },
    memberships: memberships as unknown as GroupMemberships,
    operatorsGroup: OPERATORS,
    replay: replay as unknown as AuditReplay,
  });
  const res = { json: jest.fn() };
  return {
    call: (user: string) => run({ user } as any, res as any),
    res,
    replay,
    memberships,
  };
}

describe('GET /admin/replay', () => {
  it('answers an operator the policy allows', async () => {
    const h = handler({ policyAllows: true, operators: ['user:default/olga'] });
    await h.call('user:default/olga');
    expect(h.res.json).toHaveBeenCalledWith(report);
    // Membership is read fresh: someone removed from the operators group a moment ago is not one.
    expect(h.memberships.isMember).toHaveBeenCalledWith(
      'user:default/olga',
      [OPERATORS],
      { fresh: true },
    );
  });

  it('refuses an operator the policy denies (bypass: membership alone)', async () => {
    const h = handler({
      policyAllows: false,
      operators: ['user:default/olga'],
    });
    await expect(h.call('user:default/olga')).rejects.toThrow(
      /may not ladder.admin.replay/,
    );
    expect(h.replay.check).not.toHaveBeenCalled();
  });

  it('refuses a non-operator the policy allows (bypass: a permissive policy), naming the group', async () => {
    const h = handler({ policyAllows: true, operators: ['user:default/olga'] });
    await expect(h.call('user:default/alice')).rejects.toThrow(
      'user:default/alice may not run the replay check: it is for members of group:default/operators (ladder.operatorsGroup)',
    );
    expect(h.replay.check).not.toHaveBeenCalled();
  });
});
