import { createPermission } from '@backstage/plugin-permission-common';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';

/*
 * Permissions of Khal Ladder. All but the first are resource permissions on catalog entities,
 * so a policy can use the catalog's conditional rules (e.g. `isEntityOwner`) to decide per
 * service. The backend registers them with the permissions registry and checks every one of
 * them; the UI only uses them to hide what the user may not do.
 */

/**
 * See the ladders and the overview matrix. A basic permission because the overview spans many
 * entities; policies typically allow it to every signed-in user.
 */
export const ladderReadPermission = createPermission({
  name: 'ladder.ladder.read',
  attributes: { action: 'read' },
});

/**
 * See one entity's rungs, placements and promotions. Policies typically allow it to whoever may
 * read the entity in the catalog.
 */
export const ladderEntityReadPermission = createPermission({
  name: 'ladder.entity.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Request a promotion (or a rollback) of an entity. Policies typically say "owners may request".
 * The rung's mutation policy (e.g. `operators`, `after-dry-run`) is enforced by the engine on top.
 */
export const promotionCreatePermission = createPermission({
  name: 'ladder.promotion.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Approve or reject a promotion of an entity. Policies typically allow it broadly, because
 * eligibility to approve is also checked by the engine against the rung's approver groups, and
 * the requester never approves their own promotion.
 */
export const promotionApprovePermission = createPermission({
  name: 'ladder.promotion.approve',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Cancel an open promotion of an entity. Policies typically allow owners and operators.
 */
export const promotionCancelPermission = createPermission({
  name: 'ladder.promotion.cancel',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Ask the engine to re-check a promotion's gates now instead of waiting for the scheduler.
 * Harmless (it only re-evaluates), so policies typically allow owners, approvers and operators.
 */
export const promotionRecheckPermission = createPermission({
  name: 'ladder.promotion.recheck',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Deploy an approved promotion: claim it (Approved → Deploying, single use) and report the
 * deploy's outcome. Policies typically allow owners and operators; on `operators` rungs the
 * engine also requires membership of the operators group.
 */
export const promotionDeployPermission = createPermission({
  name: 'ladder.promotion.deploy',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Attach evidence (build output, dry-run, logs, acceptance) to an entity, rung and ref. Policies
 * typically allow owners and the CI/CLI service principals that run the builds.
 */
export const evidenceCreatePermission = createPermission({
  name: 'ladder.evidence.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Read an entity's audit trail. Audit rows name people and customers, so policies typically
 * restrict it to owners, approvers and operators.
 */
export const auditReadPermission = createPermission({
  name: 'ladder.audit.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Stop the line (pause a ladder, a rung or one entity) and resume it. A basic permission: a pause
 * of a ladder or rung spans many entities. Policies typically allow operators only.
 */
export const linePausePermission = createPermission({
  name: 'ladder.line.pause',
  attributes: { action: 'update' },
});

/**
 * Mark a commit of an entity bad: it is never promoted anywhere and its open promotions end.
 * Policies typically allow approvers; the engine also requires the caller to be able to approve
 * a rung of the entity's ladder (a member of one of its approver groups) or to be an operator.
 */
export const badCommitCreatePermission = createPermission({
  name: 'ladder.badcommit.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Break glass: override the failing entry gates of an open promotion of an entity, with a
 * mandatory reason. Never the approval gate (approvals and four eyes still apply). Policies
 * typically allow operators only; the engine also requires membership of the operators group.
 */
export const promotionBreakGlassPermission = createPermission({
  name: 'ladder.promotion.breakglass',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Run the replay check: rebuild placements and promotion phases from the audit trail and compare
 * them with the live rows. A basic permission over every entity; the backend also requires
 * membership of the operators group.
 */
export const ladderReplayPermission = createPermission({
  name: 'ladder.admin.replay',
  attributes: { action: 'read' },
});

/** Every ladder permission, for the permissions registry and for policy authors. */
export const ladderPermissions = [
  ladderReadPermission,
  ladderEntityReadPermission,
  promotionCreatePermission,
  promotionApprovePermission,
  promotionCancelPermission,
  promotionRecheckPermission,
  promotionDeployPermission,
  evidenceCreatePermission,
  auditReadPermission,
  linePausePermission,
  badCommitCreatePermission,
  promotionBreakGlassPermission,
  ladderReplayPermission,
];
