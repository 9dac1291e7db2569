import type { AuthService } from '@backstage/backend-plugin-api';
import { RELATION_HAS_MEMBER, RELATION_MEMBER_OF, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * Group memberships from the catalog (approver groups, the operators group), read with the
 * plugin's own credentials and cached briefly so that a list of promotions costs one lookup per
 * group, not one per row.
 */
export class GroupMemberships {
  private readonly cache = new Map<string, { at: number; members: Promise<string[]> }>();

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly ttlMs = 30_000,
  ) {}

  /** User entity refs (lower case) that are direct members of a group. */
  async membersOf(groupRef: string): Promise<string[]> {
    const key = lower(groupRef);
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.members;
    const members = this.load(key);
    this.cache.set(key, { at: Date.now(), members });
    members.catch(() => this.cache.delete(key));
    return members;
  }

  /** Users who are members of any of the groups. */
  async membersOfAny(groupRefs: string[]): Promise<string[]> {
    const lists = await Promise.all(groupRefs.map(g => this.membersOf(g)));
    return [...new Set(lists.flat())].sort();
  }

  async isMember(userRef: string, groupRefs: string[]): Promise<boolean> {
    return (await this.membersOfAny(groupRefs)).includes(lower(userRef));
  }

  private async load(groupRef: string): Promise<string[]> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const [group, users] = await Promise.all([
      this.catalog.getEntityByRef(groupRef, { credentials }),
      this.catalog.getEntities(
        {
          filter: { kind: 'User', [`relations.${RELATION_MEMBER_OF}`]: groupRef },
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        },
        { credentials },
      ),
    ]);
    const fromGroup = (group?.relations ?? [])
      .filter(r => r.type === RELATION_HAS_MEMBER && r.targetRef.startsWith('user:'))
      .map(r => lower(r.targetRef));
    const fromUsers = users.items.map(u => lower(stringifyEntityRef(u)));
    return [...new Set([...fromGroup, ...fromUsers])];
  }
}
