import {
  coreServices,
  createBackendModule,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import { unprocessedEntitiesDeletePermission } from '@backstage/plugin-catalog-unprocessed-entities-common';
import {
  LadderConfig,
  parseLadderConfig,
  promotionApprovePermission,
  promotionCancelPermission,
  promotionCreatePermission,
  promotionRecheckPermission,
  promotionDeployPermission,
  evidenceCreatePermission,
} from '@khal/plugin-ladder-common';

/**
 * The portal's permission policy.
 *
 * - Reading (catalog, ladder, audit, Kubernetes) is open to every signed-in user.
 * - Owners of an entity may request promotions, record evidence, cancel and re-check
 *   (a conditional decision the catalog resolves); operators may do so for any entity.
 * - Approving is granted to members of any approver group named in the ladder config, and to
 *   operators; the ladder backend then checks eligibility for the specific rung (group, quorum,
 *   four-eyes), because only it knows which rung a promotion targets.
 * - Deleting catalog entities, and unprocessed entities (the catalog's failed ingestions), is for
 *   operators only.
 * Service-to-service calls never reach a policy (the permission client allows them).
 */
export class LadderPermissionPolicy implements PermissionPolicy {
  private readonly approverGroups: Set<string>;
  private readonly operatorsGroup: string;

  constructor(
    ladder: LadderConfig | undefined,
    private readonly userInfo: UserInfoService,
  ) {
    this.operatorsGroup = ladder?.operatorsGroup ?? 'group:default/operators';
    this.approverGroups = new Set(
      (ladder?.ladders ?? []).flatMap(l =>
        l.rungs.flatMap(r => r.approvers?.groups ?? []),
      ),
    );
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const { ownershipEntityRefs } = await this.userInfo.getUserInfo(
      user.credentials,
    );
    const claims = ownershipEntityRefs.map(r => r.toLocaleLowerCase('en-US'));
    const isOperator = claims.includes(
      this.operatorsGroup.toLocaleLowerCase('en-US'),
    );
    const { permission } = request;

    if (
      isPermission(permission, catalogEntityDeletePermission) ||
      isPermission(permission, unprocessedEntitiesDeletePermission)
    ) {
      return {
        result: isOperator ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      };
    }

    if (isPermission(permission, promotionApprovePermission)) {
      const approver =
        isOperator ||
        claims.some(c =>
          [...this.approverGroups].some(
            g => g.toLocaleLowerCase('en-US') === c,
          ),
        );
      return {
        result: approver ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      };
    }

    const ownerOnly = [
      promotionCreatePermission,
      promotionCancelPermission,
      promotionRecheckPermission,
      promotionDeployPermission,
      evidenceCreatePermission,
    ];
    if (ownerOnly.some(p => isPermission(permission, p))) {
      if (isOperator) return { result: AuthorizeResult.ALLOW };
      if (isResourcePermission(permission, 'catalog-entity')) {
        return createCatalogConditionalDecision(
          permission,
          catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
        );
      }
    }

    return { result: AuthorizeResult.ALLOW };
  }
}

export const ladderPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'khal-ladder-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, config, userInfo }) {
        const raw = config.getOptional('ladder');
        // The ladder backend reports config problems with their paths; here we only need groups.
        const ladder = raw ? parseLadderConfig(raw) : undefined;
        policy.setPolicy(new LadderPermissionPolicy(ladder, userInfo));
      },
    });
  },
});
