import {
  coreServices,
  createBackendModule,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  Permission,
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
import {
  createScaffolderTaskConditionalDecision,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogEntityRefreshPermission,
  catalogEntityValidatePermission,
  catalogIngestionManagePermission,
  catalogLocationAnalyzePermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import { unprocessedEntitiesDeletePermission } from '@backstage/plugin-catalog-unprocessed-entities-common';
import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import {
  actionExecutePermission,
  taskCancelPermission,
  taskCreatePermission,
  templateDryRunPermission,
  templateManagementPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  LadderConfig,
  parseLadderConfig,
  promotionApprovePermission,
  promotionCancelPermission,
  promotionCreatePermission,
  promotionRecheckPermission,
  promotionDeployPermission,
  evidenceCreatePermission,
  linePausePermission,
  badCommitCreatePermission,
  promotionBreakGlassPermission,
} from '@khal/plugin-ladder-common';
import { CatalogApiOwnership, CatalogOwnership } from './catalogOwnership';

/** Who a known permission is granted to. */
export type Grantee =
  /** Every signed-in user. */
  | 'signed-in'
  /** Members of the operators group (`ladder.operatorsGroup`). */
  | 'operators'
  /** Operators, and people who own at least one catalog entity (directly or through a group). */
  | 'catalog-owners'
  /** Operators, and owners of the entity the request is about (a catalog condition). */
  | 'entity-owners'
  /** Operators, and members of an approver group named in the ladder config. */
  | 'approvers'
  /** Operators, and the person who started the scaffolder task. */
  | 'task-creator';

/**
 * Every permission this policy knows that is not a plain read, and who gets it. A permission that
 * is not listed here is allowed only if its `attributes.action` is `read`: a plugin added later
 * cannot create, change or delete anything until this table says who may.
 */
export const KNOWN_PERMISSIONS: ReadonlyArray<{
  permission: Permission;
  grantee: Grantee;
}> = [
  // Catalog: re-reading, validating and analysing change nothing; the rest is guarded.
  { permission: catalogEntityRefreshPermission, grantee: 'signed-in' },
  { permission: catalogEntityValidatePermission, grantee: 'signed-in' },
  { permission: catalogLocationAnalyzePermission, grantee: 'signed-in' },
  { permission: catalogLocationCreatePermission, grantee: 'catalog-owners' },
  { permission: catalogLocationDeletePermission, grantee: 'catalog-owners' },
  { permission: catalogEntityCreatePermission, grantee: 'catalog-owners' },
  { permission: catalogEntityDeletePermission, grantee: 'operators' },
  { permission: catalogIngestionManagePermission, grantee: 'operators' },
  { permission: unprocessedEntitiesDeletePermission, grantee: 'operators' },
  // Scaffolder: FDEs run the templates; editing and dry-running templates is for operators.
  { permission: taskCreatePermission, grantee: 'signed-in' },
  { permission: actionExecutePermission, grantee: 'signed-in' },
  { permission: taskCancelPermission, grantee: 'task-creator' },
  { permission: templateDryRunPermission, grantee: 'operators' },
  { permission: templateManagementPermission, grantee: 'operators' },
  // Kubernetes: the tab reads through /services and /resources; the raw proxy is for operators,
  // and the proxy guard narrows it further to GETs of events and pod logs.
  { permission: kubernetesProxyPermission, grantee: 'operators' },
  // The ladder.
  { permission: promotionCreatePermission, grantee: 'entity-owners' },
  { permission: promotionCancelPermission, grantee: 'entity-owners' },
  { permission: promotionRecheckPermission, grantee: 'entity-owners' },
  { permission: promotionDeployPermission, grantee: 'entity-owners' },
  { permission: evidenceCreatePermission, grantee: 'entity-owners' },
  { permission: promotionApprovePermission, grantee: 'approvers' },
  // Release policy: stopping the line is for operators; marking a commit bad for those who may
  // approve (the ladder backend then requires an approver group of the entity's own ladder).
  { permission: linePausePermission, grantee: 'operators' },
  { permission: badCommitCreatePermission, grantee: 'approvers' },
  // Break glass (override failing gates, never approvals) is for operators only.
  { permission: promotionBreakGlassPermission, grantee: 'operators' },
];

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');
const decide = (allowed: boolean): PolicyDecision => ({
  result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
});

/**
 * The portal's permission policy: reads are open to every signed-in user, every mutation is
 * denied unless {@link KNOWN_PERMISSIONS} grants it.
 *
 * Approving is granted to members of any approver group named in the ladder config; the ladder
 * backend then checks eligibility for the specific rung (group, quorum, four-eyes), because only
 * it knows which rung a promotion targets. Service-to-service calls never reach a policy (the
 * permission client allows them), so the ladder's own Kubernetes reads and the scaffolder's
 * service calls are not decided here.
 */
export class LadderPermissionPolicy implements PermissionPolicy {
  private readonly approverGroups: Set<string>;
  private readonly operatorsGroup: string;
  private readonly grantees: Map<string, Grantee>;

  constructor(
    ladder: LadderConfig | undefined,
    private readonly userInfo: UserInfoService,
    private readonly ownership: CatalogOwnership,
  ) {
    this.operatorsGroup = lower(
      ladder?.operatorsGroup ?? 'group:default/operators',
    );
    this.approverGroups = new Set(
      (ladder?.ladders ?? []).flatMap(l =>
        l.rungs.flatMap(r => (r.approvers?.groups ?? []).map(lower)),
      ),
    );
    this.grantees = new Map(
      KNOWN_PERMISSIONS.map(k => [k.permission.name, k.grantee]),
    );
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return decide(false);
    }
    const { permission } = request;
    const grantee = this.grantees.get(permission.name);
    if (!grantee) {
      return decide(permission.attributes.action === 'read');
    }
    if (grantee === 'signed-in') {
      return decide(true);
    }

    const { userEntityRef, ownershipEntityRefs } =
      await this.userInfo.getUserInfo(user.credentials);
    const claims = ownershipEntityRefs.map(lower);
    if (claims.includes(this.operatorsGroup)) {
      return decide(true);
    }

    switch (grantee) {
      case 'operators':
        return decide(false);
      case 'approvers':
        return decide(claims.some(c => this.approverGroups.has(c)));
      case 'catalog-owners':
        return decide(await this.ownership.ownsAnyEntity(ownershipEntityRefs));
      case 'entity-owners':
        if (isResourcePermission(permission, 'catalog-entity')) {
          return createCatalogConditionalDecision(
            permission,
            catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
          );
        }
        return decide(false);
      case 'task-creator':
        if (isResourcePermission(permission, 'scaffolder-task')) {
          return createScaffolderTaskConditionalDecision(
            permission,
            scaffolderTaskConditions.isTaskOwner({
              createdBy: [userEntityRef],
            }),
          );
        }
        return decide(false);
      default:
        return decide(false);
    }
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
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ policy, config, userInfo, discovery, auth }) {
        const raw = config.getOptional('ladder');
        // The ladder backend reports config problems with their paths; here we only need groups.
        const ladder = raw ? parseLadderConfig(raw) : undefined;
        policy.setPolicy(
          new LadderPermissionPolicy(
            ladder,
            userInfo,
            new CatalogApiOwnership(discovery, auth),
          ),
        );
      },
    });
  },
});
