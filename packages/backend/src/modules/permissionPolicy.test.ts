import { mockCredentials } from '@backstage/backend-test-utils';
import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  createPermission,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
  catalogLocationReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  unprocessedEntitiesDeletePermission,
  unprocessedEntitiesReadPermission,
} from '@backstage/plugin-catalog-unprocessed-entities-common';
import {
  kubernetesClustersReadPermission,
  kubernetesProxyPermission,
  kubernetesResourcesReadPermission,
} from '@backstage/plugin-kubernetes-common';
import {
  actionExecutePermission,
  taskCancelPermission,
  taskCreatePermission,
  templateManagementPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  evidenceCreatePermission,
  ladderEntityReadPermission,
  ladderReadPermission,
  parseLadderConfig,
  promotionApprovePermission,
  linePausePermission,
  promotionBreakGlassPermission,
  badCommitCreatePermission,
  promotionCreatePermission,
  promotionRecheckPermission,
} from '@khal/plugin-ladder-common';
import { KNOWN_PERMISSIONS, LadderPermissionPolicy } from './permissionPolicy';
import { CatalogOwnership } from './catalogOwnership';

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

// The people of the demo org: what the catalog says they own and which groups they are in.
const people = {
  guest: ['user:development/guest'],
  alice: ['user:default/alice', 'group:default/fdes'],
  sam: ['user:default/sam', 'group:default/customer-stakeholders'],
  olga: ['user:default/olga', 'group:default/operators'],
};
type Person = keyof typeof people;
// Owners of catalog entities: the FDE group owns the demo apps.
const catalogOwners = new Set(['group:default/fdes']);

const ownership: CatalogOwnership = {
  ownsAnyEntity: async refs => refs.some(r => catalogOwners.has(r)),
};

function policy() {
  const userInfo: UserInfoService = {
    getUserInfo: async credentials => {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      const person = ref.split('/')[1] as Person;
      return { userEntityRef: ref, ownershipEntityRefs: people[person] };
    },
  };
  return new LadderPermissionPolicy(ladder, userInfo, ownership);
}

async function decide(who: Person | 'anonymous', permission: Permission) {
  if (who === 'anonymous') {
    return policy().handle({ permission });
  }
  const ref = people[who][0];
  return policy().handle(
    { permission },
    {
      credentials: mockCredentials.user(ref),
      info: { userEntityRef: ref, ownershipEntityRefs: people[who] },
    },
  );
}

const { ALLOW, DENY, CONDITIONAL } = AuthorizeResult;

describe('LadderPermissionPolicy', () => {
  it('denies anonymous requests, even reads', async () => {
    expect((await decide('anonymous', ladderReadPermission)).result).toBe(DENY);
  });

  it.each([
    ladderReadPermission,
    ladderEntityReadPermission,
    catalogEntityReadPermission,
    catalogLocationReadPermission,
    unprocessedEntitiesReadPermission,
    kubernetesClustersReadPermission,
    kubernetesResourcesReadPermission,
  ])('lets every signed-in user read: $name', async permission => {
    expect((await decide('guest', permission)).result).toBe(ALLOW);
    expect((await decide('alice', permission)).result).toBe(ALLOW);
  });

  it('bypass: a mutation of a plugin the policy does not know is denied, even to operators; its reads are allowed', async () => {
    const unknownDelete = createPermission({
      name: 'someplugin.thing.delete',
      attributes: { action: 'delete' },
    });
    const unknownNoAction = createPermission({
      name: 'someplugin.thing.poke',
      attributes: {},
    });
    const unknownRead = createPermission({
      name: 'someplugin.thing.read',
      attributes: { action: 'read' },
    });
    for (const who of ['alice', 'olga'] as const) {
      expect((await decide(who, unknownDelete)).result).toBe(DENY);
      expect((await decide(who, unknownNoAction)).result).toBe(DENY);
      expect((await decide(who, unknownRead)).result).toBe(ALLOW);
    }
  });

  it('bypass: the Kubernetes proxy (raw cluster access) is denied to users; operators get it', async () => {
    expect((await decide('guest', kubernetesProxyPermission)).result).toBe(
      DENY,
    );
    expect((await decide('alice', kubernetesProxyPermission)).result).toBe(
      DENY,
    );
    expect((await decide('sam', kubernetesProxyPermission)).result).toBe(DENY);
    expect((await decide('olga', kubernetesProxyPermission)).result).toBe(
      ALLOW,
    );
  });

  it.each([catalogLocationCreatePermission, catalogLocationDeletePermission])(
    'bypass: $name by someone who owns nothing in the catalog is denied; owners and operators may',
    async permission => {
      expect((await decide('guest', permission)).result).toBe(DENY);
      expect((await decide('sam', permission)).result).toBe(DENY);
      expect((await decide('alice', permission)).result).toBe(ALLOW);
      expect((await decide('olga', permission)).result).toBe(ALLOW);
    },
  );

  it('lets everyone refresh catalog entities (the scaffolder registers apps with it)', async () => {
    expect((await decide('guest', catalogEntityRefreshPermission)).result).toBe(
      ALLOW,
    );
  });

  it('lets every signed-in user run templates, and the task creator or operators cancel them', async () => {
    expect((await decide('alice', taskCreatePermission)).result).toBe(ALLOW);
    expect((await decide('alice', actionExecutePermission)).result).toBe(ALLOW);
    expect(await decide('alice', taskCancelPermission)).toMatchObject({
      result: CONDITIONAL,
      pluginId: 'scaffolder',
      resourceType: 'scaffolder-task',
      conditions: {
        rule: 'IS_TASK_OWNER',
        params: { createdBy: ['user:default/alice'] },
      },
    });
    expect((await decide('olga', taskCancelPermission)).result).toBe(ALLOW);
    expect((await decide('alice', templateManagementPermission)).result).toBe(
      DENY,
    );
  });

  it.each([
    promotionCreatePermission,
    promotionRecheckPermission,
    evidenceCreatePermission,
  ])(
    'makes $name conditional on entity ownership, and allows it to operators',
    async permission => {
      expect(await decide('alice', permission)).toMatchObject({
        result: CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          params: { claims: people.alice },
        },
      });
      expect((await decide('olga', permission)).result).toBe(ALLOW);
    },
  );

  it('grants approval to members of approver groups and operators only', async () => {
    expect((await decide('sam', promotionApprovePermission)).result).toBe(
      ALLOW,
    );
    expect((await decide('olga', promotionApprovePermission)).result).toBe(
      ALLOW,
    );
    expect((await decide('alice', promotionApprovePermission)).result).toBe(
      DENY,
    );
  });

  it('lets operators stop the line, and approvers and operators mark a commit bad', async () => {
    expect((await decide('olga', linePausePermission)).result).toBe(ALLOW);
    expect((await decide('sam', linePausePermission)).result).toBe(DENY);
    expect((await decide('alice', linePausePermission)).result).toBe(DENY);
    expect((await decide('sam', badCommitCreatePermission)).result).toBe(ALLOW);
    expect((await decide('olga', badCommitCreatePermission)).result).toBe(ALLOW);
    expect((await decide('alice', badCommitCreatePermission)).result).toBe(DENY);
  });

  it('lets operators only break glass; approvers and owners are denied', async () => {
    expect((await decide('olga', promotionBreakGlassPermission)).result).toBe(ALLOW);
    expect((await decide('sam', promotionBreakGlassPermission)).result).toBe(DENY);
    expect((await decide('alice', promotionBreakGlassPermission)).result).toBe(DENY);
  });

  it('keeps deleting catalog entities and unprocessed entities for operators', async () => {
    for (const permission of [
      catalogEntityDeletePermission,
      unprocessedEntitiesDeletePermission,
    ]) {
      expect((await decide('alice', permission)).result).toBe(DENY);
      expect((await decide('olga', permission)).result).toBe(ALLOW);
    }
  });

  it('knows no permission twice, and names only mutations (reads need no entry)', () => {
    const names = KNOWN_PERMISSIONS.map(k => k.permission.name);
    expect(new Set(names).size).toBe(names.length);
    expect(
      KNOWN_PERMISSIONS.filter(k => k.permission.attributes.action === 'read'),
    ).toEqual([]);
  });
});
