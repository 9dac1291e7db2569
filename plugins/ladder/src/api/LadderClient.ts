// openapi-fetch names its methods after the HTTP verbs (client.GET, client.POST).
/* eslint-disable new-cap */
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  LADDER_PLUGIN_ID,
  createLadderApiClient,
  unresolvedFactSchema,
  type BadCommit,
  type BadCommitResponse,
  type ChangesResponse,
  type CreateBadCommitRequest,
  type CreateLinePauseRequest,
  type LinePause,
  type CreateEvidenceRequest,
  type DeliveryInsights,
  type CreatePromotionRequest,
  type DeployPlan,
  type EntityLadderResponse,
  type Evidence,
  type LadderApiClient,
  type LaddersResponse,
  type OverviewResponse,
  type Promotion,
  type PromotionListResponse,
  type UnresolvedFact,
} from '@khal/plugin-ladder-common';
import type {
  AuditListResponse,
  AuditQuery,
  ChangesQuery,
  EvidenceListResponse,
  IdempotentWriteOptions,
  InsightsQuery,
  LadderApi,
  ListEvidenceQuery,
  ListPromotionsQuery,
  OverviewQuery,
  PlanQuery,
  PromotionDecision,
} from './LadderApi';
import { PlanUnresolvedError } from './PlanUnresolvedError';

/** What the generated client answers on success: the body, typed by the OpenAPI contract. */
async function body<T>(call: Promise<{ data?: T }>): Promise<T> {
  return (await call).data as T;
}

const idempotency = (options?: IdempotentWriteOptions) =>
  options?.idempotencyKey
    ? { 'Idempotency-Key': options.idempotencyKey }
    : undefined;

/**
 * The ladder backend as the frontend calls it: the client generated from the OpenAPI contract
 * (`@khal/plugin-ladder-common`), sent with Backstage's fetchApi. A failed answer becomes a
 * `ResponseError` (its `cause.message` is the backend's, written for people). Answers are not
 * re-parsed here: the backend's tests check every route's answers against the same contract.
 *
 * @public
 */
export class LadderClient implements LadderApi {
  private readonly client: LadderApiClient;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.client = createLadderApiClient({
      baseUrl: () => options.discoveryApi.getBaseUrl(LADDER_PLUGIN_ID),
      fetch: async (url, init) => {
        const response = await options.fetchApi.fetch(url, init);
        if (!response.ok) throw await ResponseError.fromResponse(response);
        return response;
      },
    });
  }

  getLadders(): Promise<LaddersResponse> {
    return body(this.client.GET('/ladders'));
  }

  getEntityLadder(
    entityRef: string,
    options?: { clusterState?: 'live' | 'recent' },
  ): Promise<EntityLadderResponse> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    return body(
      this.client.GET('/entities/{kind}/{namespace}/{name}', {
        params: {
          path: { kind, namespace, name },
          query:
            options?.clusterState === 'live'
              ? { clusterState: 'live' }
              : undefined,
        },
      }),
    );
  }

  getOverview(query?: OverviewQuery): Promise<OverviewResponse> {
    return body(this.client.GET('/overview', { params: { query } }));
  }

  listPromotions(query?: ListPromotionsQuery): Promise<PromotionListResponse> {
    return body(this.client.GET('/promotions', { params: { query } }));
  }

  getPromotion(id: string): Promise<Promotion> {
    return body(
      this.client.GET('/promotions/{id}', { params: { path: { id } } }),
    );
  }

  createPromotion(
    request: CreatePromotionRequest,
    options?: IdempotentWriteOptions,
  ): Promise<Promotion> {
    return body(
      this.client.POST('/promotions', {
        body: request,
        params: { header: idempotency(options) },
      }),
    );
  }

  decide(
    promotionId: string,
    decision: PromotionDecision,
    options?: IdempotentWriteOptions,
  ): Promise<Promotion> {
    return body(
      this.client.POST('/promotions/{id}/approvals', {
        params: { path: { id: promotionId }, header: idempotency(options) },
        body: decision,
      }),
    );
  }

  cancel(promotionId: string, reason?: string): Promise<Promotion> {
    return body(
      this.client.POST('/promotions/{id}/cancel', {
        params: { path: { id: promotionId } },
        body: reason ? { reason } : {},
      }),
    );
  }

  recheck(promotionId: string): Promise<Promotion> {
    return body(
      this.client.POST('/promotions/{id}/recheck', {
        params: { path: { id: promotionId } },
      }),
    );
  }

  breakGlass(promotionId: string, reason: string): Promise<Promotion> {
    return body(
      this.client.POST('/promotions/{id}/break-glass', {
        params: { path: { id: promotionId } },
        body: { reason },
      }),
    );
  }

  acknowledgeBreakGlassReview(promotionId: string, comment?: string): Promise<Promotion> {
    return body(
      this.client.POST('/promotions/{id}/break-glass/review', {
        params: { path: { id: promotionId } },
        body: comment ? { comment } : {},
      }),
    );
  }

  pauseLine(request: CreateLinePauseRequest): Promise<LinePause> {
    return body(this.client.POST('/pauses', { body: request }));
  }

  resumeLine(pauseId: string, reason?: string): Promise<LinePause> {
    return body(
      this.client.POST('/pauses/{id}/resume', {
        params: { path: { id: pauseId } },
        body: reason ? { reason } : {},
      }),
    );
  }

  markBadCommit(request: CreateBadCommitRequest): Promise<BadCommitResponse> {
    return body(this.client.POST('/bad-commits', { body: request }));
  }

  unmarkBadCommit(badCommitId: string, reason: string): Promise<BadCommit> {
    return body(
      this.client.POST('/bad-commits/{id}/unmark', { params: { path: { id: badCommitId } }, body: { reason } }),
    );
  }

  createEvidence(request: CreateEvidenceRequest): Promise<Evidence> {
    return body(this.client.POST('/evidence', { body: request }));
  }

  listEvidence(query: ListEvidenceQuery): Promise<EvidenceListResponse> {
    return body(this.client.GET('/evidence', { params: { query } }));
  }

  async getPlan(query: PlanQuery): Promise<DeployPlan> {
    try {
      return await body(this.client.GET('/plan', { params: { query } }));
    } catch (error) {
      if (ResponseError.is(error) && error.statusCode === 422) {
        throw new PlanUnresolvedError(
          error.cause.message,
          unresolvedFacts(error.body),
          error,
        );
      }
      throw error;
    }
  }

  getAudit(query: AuditQuery): Promise<AuditListResponse> {
    return body(this.client.GET('/audit', { params: { query } }));
  }

  getInsights(query: InsightsQuery): Promise<DeliveryInsights> {
    return body(this.client.GET('/insights', { params: { query } }));
  }

  getChanges(query: ChangesQuery): Promise<ChangesResponse> {
    return body(this.client.GET('/changes', { params: { query } }));
  }

  getPromotionChanges(promotionId: string): Promise<ChangesResponse> {
    return body(
      this.client.GET('/promotions/{id}/changes', {
        params: { path: { id: promotionId } },
      }),
    );
  }
}

/**
 * Finds the unresolved facts in a 422 body. The backend's error handler keeps the enumerable
 * fields of the thrown error, so the list is looked for on the error and at the top level.
 */
function unresolvedFacts(errorBody: unknown): UnresolvedFact[] {
  const candidates: unknown[] = [];
  if (errorBody && typeof errorBody === 'object') {
    const b = errorBody as Record<string, unknown>;
    candidates.push(b.unresolved, b.facts);
    if (b.error && typeof b.error === 'object') {
      const e = b.error as Record<string, unknown>;
      candidates.push(e.unresolved, e.facts, e.details);
    }
  }
  for (const candidate of candidates) {
    const parsed = unresolvedFactSchema.array().safeParse(candidate);
    if (parsed.success && parsed.data.length > 0) return parsed.data;
  }
  return [];
}
