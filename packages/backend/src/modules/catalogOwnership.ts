import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/**
 * Answers "does this person own anything in the catalog?" — the policy's meaning of an "owner"
 * for permissions that name no entity (registering or deleting a catalog location).
 */
export interface CatalogOwnership {
  /** Whether at least one catalog entity is owned by one of these refs (a user or their groups). */
  ownsAnyEntity(ownershipEntityRefs: string[]): Promise<boolean>;
}

/**
 * Asks the catalog as the permission plugin's own service principal, so the question itself never
 * reaches the policy. `relations.ownedBy` holds full refs, so a `spec.owner: fdes` shorthand counts.
 */
export class CatalogApiOwnership implements CatalogOwnership {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  async ownsAnyEntity(ownershipEntityRefs: string[]): Promise<boolean> {
    if (ownershipEntityRefs.length === 0) return false;
    const query = new URLSearchParams();
    for (const ref of ownershipEntityRefs) {
      query.append('filter', `relations.ownedBy=${ref}`);
    }
    query.set('limit', '1');
    query.set('fields', 'metadata.name');
    const [baseUrl, { token }] = await Promise.all([
      this.discovery.getBaseUrl('catalog'),
      this.auth.getPluginRequestToken({
        onBehalfOf: await this.auth.getOwnServiceCredentials(),
        targetPluginId: 'catalog',
      }),
    ]);
    const response = await fetch(`${baseUrl}/entities/by-query?${query}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const body = (await response.json()) as { items?: unknown[] };
    return (body.items?.length ?? 0) > 0;
  }
}
