import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ApprovalDecision,
  AuditEvent,
  BadCommit,
  BadCommitResponse,
  CreateBadCommitRequest,
  CreateLinePauseRequest,
  LinePause,
  ChangesResponse,
  DeliveryInsights,
  CreateEvidenceRequest,
  CreatePromotionRequest,
  DeployPlan,
  EntityLadderResponse,
  Evidence,
  LaddersResponse,
  OverviewResponse,
  Promotion,
  PromotionListResponse,
  LadderApiPaths,
} from '@khal/plugin-ladder-common';

/** Filters of the overview page, as the OpenAPI contract names them. */
export type OverviewQuery = NonNullable<
  LadderApiPaths['/overview']['get']['parameters']['query']
>;

/** Filters of the promotion list, e.g. `{ awaitingMyApproval: 'true' }`, as the contract names them. */
export type ListPromotionsQuery = NonNullable<
  LadderApiPaths['/promotions']['get']['parameters']['query']
>;

/** Options of the writes that accept an `Idempotency-Key` (a retry returns the first result). */
export interface IdempotentWriteOptions {
  idempotencyKey?: string;
}

/** A decision on a promotion: approve or reject, with a comment people can read later. */
export interface PromotionDecision {
  decision: ApprovalDecision;
  comment: string;
}

/** Filters of the evidence list of one entity. */
export interface ListEvidenceQuery {
  entityRef: string;
  rung?: string;
  ref?: string;
  kind?: string;
  limit?: number;
}

/** Delivery insights of one entity, an owning team, or everything the caller may read. */
export type InsightsQuery = NonNullable<
  LadderApiPaths['/insights']['get']['parameters']['query']
>;

/** Filters of the audit trail: by entity, by promotion, or both. */
export interface AuditQuery {
  entityRef?: string;
  promotionId?: string;
  limit?: number;
  cursor?: string;
}

/** The deploy plan of promoting `ref` of an entity onto a `target` rung. */
export interface PlanQuery {
  entityRef: string;
  target: string;
  ref?: string;
}

/**
 * The change view of an entity: between the refs placed on two rungs (`from`, `to`; settings are
 * judged for `to`), or between two refs (`fromRef`, `toRef`) judged for a `target` rung.
 */
export type ChangesQuery =
  | { entityRef: string; from: string; to: string }
  | { entityRef: string; fromRef: string; toRef: string; target: string };

/** One page of the audit trail. */
export interface AuditListResponse {
  items: AuditEvent[];
  nextCursor?: string;
}

/** The evidence of an entity. */
export interface EvidenceListResponse {
  items: Evidence[];
}

/**
 * The ladder backend (`/api/ladder`) as the frontend sees it. Every method throws a
 * `ResponseError` when the backend says no; its `cause.message` is written for people.
 * `getPlan` throws a {@link PlanUnresolvedError} when some fact of the plan cannot be resolved.
 *
 * @public
 */
export interface LadderApi {
  /** The configured ladders and their rungs. */
  getLadders(): Promise<LaddersResponse>;
  /**
   * One entity's rungs, placements, open promotions and next step. Cluster state is as observed
   * in the last few seconds unless `clusterState: 'live'` asks the clusters now.
   */
  getEntityLadder(
    entityRef: string,
    options?: { clusterState?: 'live' | 'recent' },
  ): Promise<EntityLadderResponse>;
  /** The services × rungs matrix, one page at a time. */
  getOverview(query?: OverviewQuery): Promise<OverviewResponse>;
  /** Promotions, e.g. `{ awaitingMyApproval: 'true' }` for the approvals inbox. */
  listPromotions(query?: ListPromotionsQuery): Promise<PromotionListResponse>;
  getPromotion(id: string): Promise<Promotion>;
  createPromotion(
    request: CreatePromotionRequest,
    options?: IdempotentWriteOptions,
  ): Promise<Promotion>;
  /** Approve or reject. The approver is whoever is signed in, never a field of the body. */
  decide(
    promotionId: string,
    decision: PromotionDecision,
    options?: IdempotentWriteOptions,
  ): Promise<Promotion>;
  cancel(promotionId: string, reason?: string): Promise<Promotion>;
  /** Re-evaluate the gates of an open promotion now. */
  recheck(promotionId: string): Promise<Promotion>;
  /** Operators: override the failing gates (never approvals) with a reason. */
  breakGlass(promotionId: string, reason: string): Promise<Promotion>;
  /** Acknowledge the review of a break-glass (not the person who broke it). */
  acknowledgeBreakGlassReview(promotionId: string, comment?: string): Promise<Promotion>;
  createEvidence(request: CreateEvidenceRequest): Promise<Evidence>;
  listEvidence(query: ListEvidenceQuery): Promise<EvidenceListResponse>;
  getPlan(query: PlanQuery): Promise<DeployPlan>;
  getAudit(query: AuditQuery): Promise<AuditListResponse>;
  /** Lead time, deployments, change failure rate, time to restore, approval wait. */
  getInsights(query: InsightsQuery): Promise<DeliveryInsights>;
  /** What changes between two rungs or two refs: commits, manifest diff, settings for the target. */
  getChanges(query: ChangesQuery): Promise<ChangesResponse>;
  /** What a promotion changes on its rung (from the ref the rung held before it). */
  getPromotionChanges(promotionId: string): Promise<ChangesResponse>;
  /** Stop the line: pause a ladder, one of its rungs, or one entity, with a reason. */
  pauseLine(request: CreateLinePauseRequest): Promise<LinePause>;
  /** Resume a pause in force. */
  resumeLine(pauseId: string, reason?: string): Promise<LinePause>;
  /** Mark a commit of an entity bad: never promoted anywhere; its open promotions end. */
  markBadCommit(request: CreateBadCommitRequest): Promise<BadCommitResponse>;
  /** Take a bad mark back, saying why: the commit may be promoted again (audited). */
  unmarkBadCommit(badCommitId: string, reason: string): Promise<BadCommit>;
}

/** @public */
export const ladderApiRef = createApiRef<LadderApi>({
  id: 'plugin.ladder.api',
});
