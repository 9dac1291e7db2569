import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  IDEMPOTENCY_KEY_HEADER,
  LADDER_PLUGIN_ID,
  auditListResponseSchema,
  changesResponseSchema,
  deployPlanSchema,
  entityLadderResponseSchema,
  evidenceListResponseSchema,
  evidenceSchema,
  laddersResponseSchema,
  overviewResponseSchema,
  promotionListResponseSchema,
  promotionSchema,
  unresolvedFactSchema,
  type ChangesResponse,
  type CreateEvidenceRequest,
  type CreatePromotionRequest,
  type DeployPlan,
  type EntityLadderResponse,
  type Evidence,
  type LaddersResponse,
  type ListPromotionsQuery,
  type OverviewQuery,
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
  LadderApi,
  ListEvidenceQuery,
  PlanQuery,
  PromotionDecision,
} from './LadderApi';
import { PlanUnresolvedError } from './PlanUnresolvedError';

/** Anything with a `parse` that returns the typed value: the zod schemas of ladder-common. */
interface Parser<T> {
  parse(value: unknown): T;
}

function queryString(query: object | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The HTTP client of the ladder backend. Failed responses become `ResponseError`s, successful
 * ones are parsed with the response schemas of `@khal/plugin-ladder-common`, so a backend that
 * drifts from the contract fails loudly here rather than deep inside a component.
 *
 * @public
 */
export class LadderClient implements LadderApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getLadders(): Promise<LaddersResponse> {
    return this.request('/ladders', laddersResponseSchema);
  }

  getEntityLadder(entityRef: string, options?: { clusterState?: 'live' | 'recent' }): Promise<EntityLadderResponse> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const path = [kind, namespace, name].map(encodeURIComponent).join('/');
    const live = options?.clusterState === 'live' ? '?clusterState=live' : '';
    return this.request(`/entities/${path}${live}`, entityLadderResponseSchema);
  }

  getOverview(query?: OverviewQuery): Promise<OverviewResponse> {
    return this.request(
      `/overview${queryString(query)}`,
      overviewResponseSchema,
    );
  }

  listPromotions(query?: ListPromotionsQuery): Promise<PromotionListResponse> {
    return this.request(
      `/promotions${queryString(query)}`,
      promotionListResponseSchema,
    );
  }

  getPromotion(id: string): Promise<Promotion> {
    return this.request(`/promotions/${encodeURIComponent(id)}`, promotionSchema);
  }

  createPromotion(
    request: CreatePromotionRequest,
    options?: IdempotentWriteOptions,
  ): Promise<Promotion> {
    return this.request('/promotions', promotionSchema, {
      method: 'POST',
      body: request,
      idempotencyKey: options?.idempotencyKey,
    });
  }

  decide(
    promotionId: string,
    decision: PromotionDecision,
    options?: IdempotentWriteOptions,
  ): Promise<Promotion> {
    return this.request(
      `/promotions/${encodeURIComponent(promotionId)}/approvals`,
      promotionSchema,
      { method: 'POST', body: decision, idempotencyKey: options?.idempotencyKey },
    );
  }

  cancel(promotionId: string, reason?: string): Promise<Promotion> {
    return this.request(
      `/promotions/${encodeURIComponent(promotionId)}/cancel`,
      promotionSchema,
      { method: 'POST', body: reason ? { reason } : {} },
    );
  }

  recheck(promotionId: string): Promise<Promotion> {
    return this.request(
      `/promotions/${encodeURIComponent(promotionId)}/recheck`,
      promotionSchema,
      { method: 'POST', body: {} },
    );
  }

  createEvidence(request: CreateEvidenceRequest): Promise<Evidence> {
    return this.request('/evidence', evidenceSchema, {
      method: 'POST',
      body: request,
    });
  }

  listEvidence(query: ListEvidenceQuery): Promise<EvidenceListResponse> {
    return this.request(
      `/evidence${queryString(query)}`,
      evidenceListResponseSchema,
    );
  }

  async getPlan(query: PlanQuery): Promise<DeployPlan> {
    const response = await this.fetch(`/plan${queryString(query)}`);
    if (response.status === 422) {
      // Read the body twice: once for the facts, once for the standard ResponseError.
      const facts = unresolvedFacts(await response.clone().json().catch(() => undefined));
      const error = await ResponseError.fromResponse(response);
      throw new PlanUnresolvedError(error.cause.message, facts, error);
    }
    return this.parse(response, deployPlanSchema);
  }

  getAudit(query: AuditQuery): Promise<AuditListResponse> {
    return this.request(
      `/audit${queryString(query)}`,
      auditListResponseSchema,
    );
  }

  getChanges(query: ChangesQuery): Promise<ChangesResponse> {
    return this.request(`/changes${queryString(query)}`, changesResponseSchema);
  }

  getPromotionChanges(promotionId: string): Promise<ChangesResponse> {
    return this.request(
      `/promotions/${encodeURIComponent(promotionId)}/changes`,
      changesResponseSchema,
    );
  }

  private async request<T>(
    path: string,
    schema: Parser<T>,
    init?: { method: 'POST'; body: unknown; idempotencyKey?: string },
  ): Promise<T> {
    return this.parse(await this.fetch(path, init), schema);
  }

  private async fetch(
    path: string,
    init?: { method: 'POST'; body: unknown; idempotencyKey?: string },
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl(LADDER_PLUGIN_ID);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init) headers['content-type'] = 'application/json';
    if (init?.idempotencyKey) headers[IDEMPOTENCY_KEY_HEADER] = init.idempotencyKey;
    return this.fetchApi.fetch(`${baseUrl}${path}`, {
      method: init?.method ?? 'GET',
      headers,
      body: init ? JSON.stringify(init.body) : undefined,
    });
  }

  private async parse<T>(response: Response, schema: Parser<T>): Promise<T> {
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return schema.parse(await response.json());
  }
}

/**
 * Finds the unresolved facts in a 422 body. The backend's error handler keeps the enumerable
 * fields of the thrown error, so the list is looked for on the error and at the top level.
 */
function unresolvedFacts(body: unknown): UnresolvedFact[] {
  const candidates: unknown[] = [];
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
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
