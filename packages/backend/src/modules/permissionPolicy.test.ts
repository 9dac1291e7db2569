import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { UserInfoService } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import {
  unprocessedEntitiesDeletePermission,
  unprocessedEntitiesReadPermission,
} from '@backstage/plugin-catalog-unprocessed-entities-common';
import {
  ladderReadPermission,
  parseLadderConfig,
  promotionApprovePermission,
  promotionCreatePermission,
} from '@khal/plugin-ladder-common';
import { LadderPermissionPolicy } from './permissionPolicy';

const ladder = parseLadderConfig({
  ladders: [
    {
      id: 'khal',
      title: 'KhalOS',
      rungs: [
        { id: 'local', title: 'Local', runtime: 'pm2', mutationPolicy: 'self' },
        {
          id: 'hml',
          title: 'HML',
          runtime: 'k3s',
          mutationPolicy: 'approval',
          approvers: {
            groups: ['group:default/customer-stakeholders'],
            minimum: 1,
          },
        },
      ],
    },
  ],
});

function userWith(ownershipEntityRefs: string[]): UserInfoService {
  return {
    getUserInfo: async () => ({
      userEntityRef: ownershipEntityRefs[0],
      ownershipEntityRefs,
    }),
  };
}

function policyFor(refs: string[]) {
  return new LadderPermissionPolicy(ladder, userWith(refs));
}

const user = {
  credentials: mockCredentials.user('user:default/alice'),
  info: { userEntityRef: 'user:default/alice', ownershipEntityRefs: [] },
};

describe('LadderPermissionPolicy', () => {
  it('denies anonymous requests', async () => {
    const decision = await policyFor([]).handle({
      permission: ladderReadPermission,
    });
    expect(decision.result).toBe(AuthorizeResult.DENY);
  });

  it('lets every signed-in user read the ladder', async () => {
    const decision = await policyFor(['user:default/guest']).handle(
      { permission: ladderReadPermission },
      user,
    );
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
  });

  it('makes promotion requests conditional on entity ownership', async () => {
    const decision = await policyFor([
      'user:default/alice',
      'group:default/fdes',
    ]).handle({ permission: promotionCreatePermission }, user);
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: { claims: ['user:default/alice', 'group:default/fdes'] },
      },
    });
  });

  it('lets operators request promotions for any entity', async () => {
    const decision = await policyFor([
      'user:default/olga',
      'group:default/operators',
    ]).handle({ permission: promotionCreatePermission }, user);
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
  });

  it('grants approval to members of approver groups and operators only', async () => {
    const stakeholder = await policyFor([
      'user:default/sam',
      'group:default/customer-stakeholders',
    ]).handle({ permission: promotionApprovePermission }, user);
    const operator = await policyFor([
      'user:default/olga',
      'group:default/operators',
    ]).handle({ permission: promotionApprovePermission }, user);
    const fde = await policyFor([
      'user:default/alice',
      'group:default/fdes',
    ]).handle({ permission: promotionApprovePermission }, user);
    expect(stakeholder.result).toBe(AuthorizeResult.ALLOW);
    expect(operator.result).toBe(AuthorizeResult.ALLOW);
    expect(fde.result).toBe(AuthorizeResult.DENY);
  });

  it('keeps catalog entity deletion for operators', async () => {
    const fde = await policyFor(['user:default/alice']).handle(
      { permission: catalogEntityDeletePermission },
      user,
    );
    expect(fde.result).toBe(AuthorizeResult.DENY);
  });

  it('lets everyone see unprocessed entities but only operators delete them', async () => {
    const fde = policyFor(['user:default/alice', 'group:default/fdes']);
    const operator = policyFor([
      'user:default/olga',
      'group:default/operators',
    ]);
    const decide = async (
      p: typeof fde,
      permission: typeof unprocessedEntitiesReadPermission,
    ) => (await p.handle({ permission }, user)).result;
    expect(await decide(fde, unprocessedEntitiesReadPermission)).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(await decide(fde, unprocessedEntitiesDeletePermission)).toBe(
      AuthorizeResult.DENY,
    );
    expect(await decide(operator, unprocessedEntitiesDeletePermission)).toBe(
      AuthorizeResult.ALLOW,
    );
  });

  it('is constructible from the mock user info service', () => {
    expect(
      new LadderPermissionPolicy(ladder, mockServices.userInfo()),
    ).toBeDefined();
  });
});
