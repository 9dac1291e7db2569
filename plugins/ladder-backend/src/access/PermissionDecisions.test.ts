import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ladderEntityReadPermission,
  parseLadderConfig,
  ladderReadPermission,
} from '@khal/plugin-ladder-common';
import { createAuthorize } from './authorize';
import { callerFrom } from './Caller';
import { LadderEntities } from '../service/LadderEntities';
import { PermissionDecisions } from './PermissionDecisions';

const shop: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop', namespace: 'default', annotations: { 'khal.ai/ladder': 'khal' } },
  spec: { type: 'service', owner: 'group:default/team', lifecycle: 'production' },
};
const ladderConfig = parseLadderConfig({
  ladders: [
    { id: 'khal', title: 'Khal', rungs: [{ id: 'local', title: 'Local', runtime: 'pm2', mutationPolicy: 'self', host: 'localhost' }] },
  ],
});

/** A permissions service whose policy answer can be changed, counting the requests it gets. */
function policy(initial: AuthorizeResult) {
  const state = { result: initial, perEntity: AuthorizeResult.ALLOW as AuthorizeResult };
  const permissions = mockServices.permissions.mock({
    authorizeConditional: jest.fn(async requests =>
      requests.map(() =>
        state.result === AuthorizeResult.CONDITIONAL
          ? ({ result: AuthorizeResult.CONDITIONAL, pluginId: 'catalog', resourceType: 'catalog-entity', conditions: { rule: 'IS_ENTITY_OWNER', resourceType: 'catalog-entity', params: { claims: [] } } } as any)
          : { result: state.result },
      ),
    ),
    authorize: jest.fn(async requests =>
      requests.map(r => ({ result: 'resourceRef' in r && r.resourceRef ? state.perEntity : (state.result as any) })),
    ),
  });
  return { state, permissions };
}

describe('PermissionDecisions', () => {
  const alice = mockCredentials.user('user:default/alice');
  const bob = mockCredentials.user('user:default/bob');

  it('reuses a user\'s unconditional decision for a permission for the TTL, then asks again', async () => {
    let now = 1_000;
    const { state, permissions } = policy(AuthorizeResult.ALLOW);
    const decisions = new PermissionDecisions(permissions, { ttlMs: 5000, now: () => now });
    expect(await decisions.policyDecision(alice, ladderEntityReadPermission)).toBe(AuthorizeResult.ALLOW);
    state.result = AuthorizeResult.DENY; // the policy changes
    now += 4999;
    expect(await decisions.policyDecision(alice, ladderEntityReadPermission)).toBe(AuthorizeResult.ALLOW);
    expect(await decisions.policyDecision(bob, ladderEntityReadPermission)).toBe(AuthorizeResult.DENY); // per user
    now += 1;
    expect(await decisions.policyDecision(alice, ladderEntityReadPermission)).toBe(AuthorizeResult.DENY);
    expect(permissions.authorizeConditional).toHaveBeenCalledTimes(3);
    // Basic permissions go through authorize (without a resource), cached the same way.
    await decisions.policyDecision(alice, ladderReadPermission);
    await decisions.policyDecision(alice, ladderReadPermission);
    expect(permissions.authorize).toHaveBeenCalledTimes(1);
  });

  it('asks every time with a TTL of 0, for service principals, and after a failed request', async () => {
    const { permissions } = policy(AuthorizeResult.ALLOW);
    const off = new PermissionDecisions(permissions, { ttlMs: 0 });
    await off.policyDecision(alice, ladderEntityReadPermission);
    await off.policyDecision(alice, ladderEntityReadPermission);
    const on = new PermissionDecisions(permissions, { ttlMs: 5000 });
    await on.policyDecision(mockCredentials.service('plugin:scaffolder'), ladderEntityReadPermission);
    await on.policyDecision(mockCredentials.service('plugin:scaffolder'), ladderEntityReadPermission);
    expect(permissions.authorizeConditional).toHaveBeenCalledTimes(4);
    (permissions.authorizeConditional as jest.Mock).mockRejectedValueOnce(new Error('permission backend down'));
    await expect(on.policyDecision(alice, ladderEntityReadPermission)).rejects.toThrow('permission backend down');
    await expect(on.policyDecision(alice, ladderEntityReadPermission)).resolves.toBe(AuthorizeResult.ALLOW);
  });

  it('authorize: a cached ALLOW or DENY answers at once; CONDITIONAL is resolved for the entity every time', async () => {
    const { state, permissions } = policy(AuthorizeResult.CONDITIONAL);
    const authorize = createAuthorize(permissions, new PermissionDecisions(permissions, { ttlMs: 5000 }));
    const caller = callerFrom(alice);
    state.perEntity = AuthorizeResult.ALLOW;
    await expect(authorize(caller, ladderEntityReadPermission, 'component:default/shop')).resolves.toBeUndefined();
    state.perEntity = AuthorizeResult.DENY;
    await expect(authorize(caller, ladderEntityReadPermission, 'component:default/shop')).rejects.toThrow(
      /may not ladder\.entity\.read on component:default\/shop/,
    );
    expect(permissions.authorize).toHaveBeenCalledTimes(2); // per entity, with the resource ref
    expect((permissions.authorize as jest.Mock).mock.calls[1][0]).toEqual([
      { permission: ladderEntityReadPermission, resourceRef: 'component:default/shop' },
    ]);

    const { permissions: denying } = policy(AuthorizeResult.DENY);
    const denied = createAuthorize(denying, new PermissionDecisions(denying, { ttlMs: 5000 }));
    await expect(denied(caller, ladderEntityReadPermission, 'component:default/shop')).rejects.toThrow(/denied by the permission policy/);
    expect(denying.authorize).not.toHaveBeenCalled();
  });

  it("LadderEntities follows the policy's catalog.entity.read decision for the caller", async () => {
    const getEntityByRef = jest.fn(async () => shop);
    const catalog = catalogServiceMock.mock({ getEntityByRef });
    const auth = mockServices.auth();
    const load = async (result: AuthorizeResult) => {
      const { permissions } = policy(result);
      const entities = new LadderEntities(catalog, auth, ladderConfig, 5000, new PermissionDecisions(permissions, { ttlMs: 5000 }));
      getEntityByRef.mockClear();
      const loaded = await entities.load('component:default/shop', alice).catch(e => e);
      return { loaded, credentials: (getEntityByRef.mock.calls[0] as any)?.[1]?.credentials };
    };
    // Allowed for every entity: the plugin's own read (service credentials) answers.
    const allowed = await load(AuthorizeResult.ALLOW);
    expect(allowed.loaded.entityRef).toBe('component:default/shop');
    expect(allowed.credentials.principal.type).toBe('service');
    // Conditional: the catalog applies the conditions to the caller's own read.
    const conditional = await load(AuthorizeResult.CONDITIONAL);
    expect(conditional.loaded.entityRef).toBe('component:default/shop');
    expect(conditional.credentials.principal).toMatchObject({ type: 'user', userEntityRef: 'user:default/alice' });
    // Denied: a 404, as from the catalog, without reading it.
    const denied = await load(AuthorizeResult.DENY);
    expect(denied.loaded.name).toBe('NotFoundError');
    expect(getEntityByRef).not.toHaveBeenCalled();
  });
});
