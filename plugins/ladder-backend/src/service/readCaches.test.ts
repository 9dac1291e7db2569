import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { parseLadderConfig } from '@khal/plugin-ladder-common';
import { GroupMemberships, MEMBERSHIP_TTL_MS } from './GroupMemberships';
import { LadderEntities, OWN_READ_TTL_MS } from './LadderEntities';

const group = (members: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'approvers', namespace: 'default' },
  spec: { type: 'team', children: [] },
  relations: members.map(m => ({
    type: 'hasMember',
    targetRef: `user:default/${m}`,
  })),
});

const shop: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: { 'khal.ai/ladder': 'khal' },
  },
  spec: {
    type: 'service',
    owner: 'group:default/team',
    lifecycle: 'production',
  },
};

const ladderConfig = parseLadderConfig({
  ladders: [
    {
      id: 'khal',
      title: 'Khal',
      rungs: [
        {
          id: 'local',
          title: 'Local',
          runtime: 'pm2',
          mutationPolicy: 'self',
          host: 'localhost',
        },
      ],
    },
  ],
});

describe('read caches', () => {
  afterEach(() => jest.useRealTimers());

  describe('GroupMemberships', () => {
    it(`reuses a member list for ${MEMBERSHIP_TTL_MS} ms, then reads it again (a removal counts after the TTL)`, async () => {
      jest.useFakeTimers({ now: 1_000_000 });
      let members = ['alice', 'sam'];
      const catalog = catalogServiceMock.mock({
        getEntityByRef: jest.fn(async () => group(members)),
        getEntities: jest.fn(async () => ({ items: [] })),
      });
      const memberships = new GroupMemberships(catalog, mockServices.auth());
      expect(
        await memberships.isMember('user:default/sam', [
          'group:default/approvers',
        ]),
      ).toBe(true);
      members = ['alice'];
      jest.advanceTimersByTime(MEMBERSHIP_TTL_MS - 1);
      // Within the TTL: one lookup for many questions (concurrent ones included).
      await Promise.all([
        memberships.isMember('user:default/sam', ['group:default/approvers']),
        memberships.membersOf('group:default/APPROVERS'),
      ]);
      expect(catalog.getEntityByRef).toHaveBeenCalledTimes(1);
      jest.advanceTimersByTime(1);
      expect(
        await memberships.isMember('user:default/sam', [
          'group:default/approvers',
        ]),
      ).toBe(false);
      expect(catalog.getEntityByRef).toHaveBeenCalledTimes(2);
    });

    it('does not remember a failed lookup', async () => {
      const catalog = catalogServiceMock.mock({
        getEntityByRef: jest
          .fn()
          .mockRejectedValueOnce(new Error('catalog down'))
          .mockResolvedValue(group(['sam'])),
        getEntities: jest.fn(async () => ({ items: [] })),
      });
      const memberships = new GroupMemberships(catalog, mockServices.auth());
      await expect(
        memberships.membersOf('group:default/approvers'),
      ).rejects.toThrow('catalog down');
      expect(await memberships.membersOf('group:default/approvers')).toEqual([
        'user:default/sam',
      ]);
    });
  });

  describe('LadderEntities', () => {
    it(`reuses the plugin's own read of an entity for ${OWN_READ_TTL_MS} ms`, async () => {
      jest.useFakeTimers({ now: 1_000_000 });
      const catalog = catalogServiceMock.mock({
        getEntityByRef: jest.fn(async () => shop),
      });
      const entities = new LadderEntities(
        catalog,
        mockServices.auth(),
        ladderConfig,
      );
      await entities.load('component:default/shop');
      await entities.load('Component:default/SHOP');
      expect(catalog.getEntityByRef).toHaveBeenCalledTimes(1);
      jest.advanceTimersByTime(OWN_READ_TTL_MS);
      await entities.load('component:default/shop');
      expect(catalog.getEntityByRef).toHaveBeenCalledTimes(2);
    });

    it("always reads afresh with a caller's credentials (the catalog decides what they may see)", async () => {
      const catalog = catalogServiceMock.mock({
        getEntityByRef: jest.fn(async () => shop),
      });
      const entities = new LadderEntities(
        catalog,
        mockServices.auth(),
        ladderConfig,
      );
      const alice = mockCredentials.user('user:default/alice');
      await entities.load('component:default/shop');
      await entities.load('component:default/shop', alice);
      await entities.load('component:default/shop', alice);
      expect(catalog.getEntityByRef).toHaveBeenCalledTimes(3);
      expect(catalog.getEntityByRef).toHaveBeenLastCalledWith(
        'component:default/shop',
        { credentials: alice },
      );
    });

    it('does not remember an unknown entity', async () => {
      const catalog = catalogServiceMock.mock({
        getEntityByRef: jest
          .fn()
          .mockResolvedValueOnce(undefined)
          .mockResolvedValue(shop),
      });
      const entities = new LadderEntities(
        catalog,
        mockServices.auth(),
        ladderConfig,
      );
      await expect(entities.load('component:default/shop')).rejects.toThrow(
        'no entity component:default/shop',
      );
      expect((await entities.load('component:default/shop')).entityRef).toBe(
        'component:default/shop',
      );
    });
  });
});
