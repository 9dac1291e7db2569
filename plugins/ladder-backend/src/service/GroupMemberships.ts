import type { AuthService } from '@backstage/backend-plugin-api';
import {
  RELATION_HAS_MEMBER,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { PromiseCache } from '@khal/plugin-ladder-node';

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * How long a group's member list is reused: 10 s. A member list decides who may approve, so a
 * stale one may let someone removed from a group approve for at most this long after the catalog
 * shows the removal (and may delay a new member as long); it never widens a group beyond what
 * the catalog said within the last TTL, because the clock starts when the lookup starts. The
 * catalog itself picks up membership changes only at its processing pace (minutes), and sign-in
 * tokens carry ownership claims for up to an hour, so 10 s adds little; it is long enough that a
 * burst of approvals and promotion lists costs one catalog lookup per group, not one per request.
 */
export const MEMBERSHIP_TTL_MS = 10_000;
/** The most groups whose member lists are kept. */
const MEMBERSHIP_MAX_GROUPS = 2_000;

/**
 * Group memberships from the catalog (approver groups, the operators group), read with the
 * plugin's own credentials and cached for MEMBERSHIP_TTL_MS per group. Concurrent lookups of a
 * group share one catalog read; a failed read is not remembered.
 */
export class GroupMemberships {
  private readonly cache: PromiseCache<string, string[]>;

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    ttlMs = MEMBERSHIP_TTL_MS,
  ) {
    this.cache = new PromiseCache({ ttlMs, maxEntries: MEMBERSHIP_MAX_GROUPS });
  }

  /**
   * User entity refs (lower case) that are direct members of a group. `fresh` reads the catalog
   * now (and refreshes the cache): decisions that let a promotion through (quorum, a claim) must
   * not rest on a membership someone lost within the TTL.
   */
  async membersOf(
    groupRef: string,
    options: { fresh?: boolean } = {},
  ): Promise<string[]> {
    const key = lower(groupRef);
    return this.cache.get(key, () => this.load(key), options);
  }

  /** Users who are members of any of the groups. */
  async membersOfAny(
    groupRefs: string[],
    options: { fresh?: boolean } = {},
  ): Promise<string[]> {
    const lists = await Promise.all(
      groupRefs.map(g => this.membersOf(g, options)),
    );
    return [...new Set(lists.flat())].sort();
  }

  async isMember(
    userRef: string,
    groupRefs: string[],
    options: { fresh?: boolean } = {},
  ): Promise<boolean> {
    return (await this.membersOfAny(groupRefs, options)).includes(
      lower(userRef),
    );
  }

  private async load(groupRef: string): Promise<string[]> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const [group, users] = await Promise.all([
      this.catalog.getEntityByRef(groupRef, { credentials }),
      this.catalog.getEntities(
        {
          filter: {
            kind: 'User',
            [`relations.${RELATION_MEMBER_OF}`]: groupRef,
          },
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        },
        { credentials },
      ),
    ]);
    const fromGroup = (group?.relations ?? [])
      .filter(
        r => r.type === RELATION_HAS_MEMBER && r.targetRef.startsWith('user:'),
      )
      .map(r => lower(r.targetRef));
    const fromUsers = users.items.map(u => lower(stringifyEntityRef(u)));
    return [...new Set([...fromGroup, ...fromUsers])];
  }
}
