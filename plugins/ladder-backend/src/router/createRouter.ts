import express, { Request } from 'express';
import Router from 'express-promise-router';
import type {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import {
  LadderConfig,
  Promotion,
  approvalRequestSchema,
  auditQuerySchema,
  insightsQuerySchema,
  auditReadPermission,
  badCommitCreatePermission,
  cancelRequestSchema,
  breakGlassRequestSchema,
  breakGlassReviewRequestSchema,
  promotionBreakGlassPermission,
  createBadCommitRequestSchema,
  createLinePauseRequestSchema,
  linePausePermission,
  listBadCommitsQuerySchema,
  unmarkBadCommitRequestSchema,
  listLinePausesQuerySchema,
  resumeLinePauseRequestSchema,
  changesQuerySchema,
  claimRequestSchema,
  deployResultRequestSchema,
  entityLadderQuerySchema,
  createEnrollmentRequestSchema,
  createEvidenceRequestSchema,
  createPromotionRequestSchema,
  evidenceCreatePermission,
  isPromotionPhase,
  ladderReadPermission,
  listEvidenceQuerySchema,
  listPromotionsQuerySchema,
  overviewQuerySchema,
  planQuerySchema,
  sourceQuerySchema,
  promotionApprovePermission,
  promotionCancelPermission,
  promotionCreatePermission,
  promotionDeployPermission,
  promotionRecheckPermission,
  resolveRung,
  ServiceRoute,
} from '@khal/plugin-ladder-common';
import type { ChangeView } from '../changes/ChangeView';
import type { DeliveryInsights } from '../service/DeliveryInsights';
import type { Redactor } from '../evidence/Redactor';
import { redactErrorInPlace } from '../evidence/redactedErrors';
import type { LadderStore } from '../database/LadderStore';
import { callerFrom, Caller } from '../access/Caller';
import { createAuthorize } from '../access/authorize';
import { EntityAccess } from '../access/EntityAccess';
import { PermissionDecisions } from '../access/PermissionDecisions';
import { ServicePrincipals } from '../access/ServicePrincipals';
import type { DeployPlanner } from '../service/DeployPlanner';
import type { SourceResolver } from '../sources/SourceResolver';
import { withoutCredentials } from '../sources/repositoryKey';
import type { EntityLadderView } from '../service/EntityLadderView';
import type { EvidenceIntake } from '../service/EvidenceIntake';
import { LadderEntities, normalizeEntityRef } from '../service/LadderEntities';
import type { LadderOverview } from '../service/LadderOverview';
import { decodeCursor, encodeCursor } from '../service/LadderOverview';
import type { PromotionCommands } from '../service/PromotionCommands';
import type { PromotionViews } from '../service/PromotionViews';
import type { PolicyCommands } from '../policy/PolicyCommands';
import type { BreakGlassCommands } from '../policy/BreakGlassCommands';
import type { GroupMemberships } from '../service/GroupMemberships';
import { ladderSummary } from '../service/rungSummary';
import { createOpenApiRouter } from '../schema/openapi';
import { jsonBodyParsers } from './bodyLimits';
import { decodeEvidenceCursor, encodeEvidenceCursor, evidencePreview } from './evidencePages';
import { idempotent } from './idempotency';
import { parseInput } from './validation';
import { decodeAuditCursor, encodeAuditCursor } from './auditCursor';
import { noBadMark } from '../database/policyTables';

import type { AuditReplay } from '../replay/AuditReplay';
import { replayHandler } from '../replay/replayRoute';
import { correlationMiddleware } from '../correlation/correlationId';

/** A request whatever its typed params, query and body (the router's are typed by the spec). */
type AnyRequest = Request<any, any, any, any>;

/** What the router needs; built by the plugin. */
export interface RouterOptions {
  config: LadderConfig;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  store: LadderStore;
  entities: LadderEntities;
  /** The policy decisions reused per user (see PermissionDecisions); absent: asked every time. */
  decisions?: PermissionDecisions;
  memberships: GroupMemberships;
  commands: PromotionCommands;
  policy: PolicyCommands;
  breakGlass: BreakGlassCommands;
  views: PromotionViews;
  entityView: EntityLadderView;
  overview: LadderOverview;
  planner: DeployPlanner;
  /** Repository URL + ref → entity + commit (GET /sources). */
  sources: SourceResolver;
  evidence: EvidenceIntake;
  changes: ChangeView;
  insights: DeliveryInsights;
  /** The replay check (GET /admin/replay). */
  replay: AuditReplay;
  /** Redacts error messages before they are answered: an error often echoes its input. */
  redactor: Redactor;
}

/** The ladder REST API (`/api/ladder`). Every route checks a permission; errors come from @backstage/errors. */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { httpAuth, permissions, auditor, store, commands, views, entities } = options;
  const decisions = options.decisions ?? new PermissionDecisions(permissions, { ttlMs: 0 });
  const authorize = createAuthorize(permissions, decisions);
  const access = new EntityAccess({
    permissions,
    decisions,
    memberships: options.memberships,
    entities,
    operatorsGroup: options.config.operatorsGroup,
  });
  const servicePrincipals = new ServicePrincipals(options.config.servicePrincipals ?? []);
  // Requests are validated against the OpenAPI contract (src/schema/openapi.yaml) before any
  // handler runs; the zod schemas below still decide the finer rules and their messages.
  // Credentials are httpAuth's to judge, so the validator does not check the security scheme.
  const router = await createOpenApiRouter({
    validatorOptions: { validateSecurity: false },
  });
  // The body is parsed out here first, with a limit per route (see bodyLimits): the validated
  // router turns every error that reaches its middleware into a 400, and a body over the limit
  // is a 413 naming the limit.
  const outer = Router();
  const correlation = correlationMiddleware(options.redactor);
  outer.use(correlation.decide);
  outer.use(...jsonBodyParsers(options.config));
  outer.use(correlation.enter);
  outer.use(router);
  // Last before the platform's error handler: what an error says is redacted like any output.
  // The handler's body also names the request's URL, which holds what the caller put in a path
  // (a token pasted as an entity name), so that is redacted too.
  const redactErrors: express.ErrorRequestHandler = (error, req, _res, next) => {
    Promise.all([redactErrorInPlace(error, options.redactor), options.redactor.text(req.url)]).then(
      ([redacted, url]) => {
        if (url.redactions > 0) req.url = url.value;
        next(redacted);
      },
      () => next(new Error('the request failed, and its error could not be redacted to be shown')),
    );
  };
  outer.use(redactErrors);

  /**
   * A field that names something (a ref) holding what looks like a credential is refused, so it
   * is neither stored nor echoed; the message shows it redacted.
   */
  const refuseCredential = async (field: string, value: string | undefined) => {
    if (!value) return;
    const seen = await options.redactor.text(value);
    if (seen.redactions > 0) {
      throw new InputError(
        `${field}: "${seen.value}" looks like a credential, not a commit, tag or image tag; nothing was stored (if it is a real credential, revoke it)`,
      );
    }
  };

  const user = async (req: AnyRequest): Promise<Caller> =>
    callerFrom(await httpAuth.credentials(req, { allow: ['user'] }));
  const anyone = async (req: AnyRequest): Promise<Caller> =>
    callerFrom(await httpAuth.credentials(req, { allow: ['user', 'service'] }));
  /** People, or a service principal that ladder.servicePrincipals allows on this route. */
  const allowed = async (req: AnyRequest, route: ServiceRoute): Promise<Caller> => {
    const caller = await anyone(req);
    servicePrincipals.require(caller, route);
    return caller;
  };

  /** Records a mutation with the auditor: success with its outcome, or fail with the error. */
  async function audited<T>(
    req: AnyRequest,
    eventId: string,
    meta: JsonObject,
    run: () => Promise<T>,
    outcome: (result: T) => JsonObject,
  ): Promise<T> {
    const event = await auditor.createEvent({ eventId, request: req, severityLevel: 'medium', meta });
    try {
      const result = await run();
      await event.success({ meta: outcome(result) });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  /** A promotion the caller may see: one of an entity they cannot read answers like a missing one. */
  async function readablePromotion(caller: Caller, id: string) {
    const promotion = await loadPromotion(id);
    try {
      await access.requireReadable(caller, promotion.entityRef);
    } catch (error) {
      if ((error as Error)?.name === 'NotFoundError') throw new NotFoundError(`no promotion ${id}`);
      throw error;
    }
    return promotion;
  }

  async function loadPromotion(id: string) {
    // Promotion ids are UUIDs; anything else (a NUL byte, which PostgreSQL refuses in text, or
    // a path) is answered here instead of reaching the database.
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      throw new NotFoundError(`no promotion ${JSON.stringify(id)}: promotion ids are UUIDs`);
    }
    const promotion = await store.getPromotion(id);
    if (!promotion) throw new NotFoundError(`no promotion ${id}`);
    return promotion;
  }

  router.get('/ladders', async (req, res) => {
    const caller = await allowed(req, 'ladders.read');
    await authorize(caller, ladderReadPermission);
    res.json({ items: options.config.ladders.map(ladderSummary) });
  });

  router.get('/entities/:kind/:namespace/:name', async (req, res) => {
    const caller = await allowed(req, 'entities.read');
    const entityRef = normalizeEntityRef(`${req.params.kind}:${req.params.namespace}/${req.params.name}`);
    const query = parseInput(entityLadderQuerySchema, req.query, 'query');
    // Decided before anything is built: the view reads the clusters (live on request) and hands
    // drift to the monitor, none of which a caller who may not read the entity should cause.
    await access.requireReadable(caller, entityRef);
    res.json(await options.entityView.get(entityRef, caller.credentials, { live: query.clusterState === 'live' }));
  });

  router.get('/overview', async (req, res) => {
    const caller = await allowed(req, 'overview.read');
    await authorize(caller, ladderReadPermission);
    const query = parseInput(overviewQuerySchema, req.query, 'query');
    const overview = await options.overview.get(caller.credentials, query);
    // A customer's stakeholders see their own customers' apps only; the page may be shorter.
    const visible = await access.inCustomerScope(caller, overview.items.map(i => i.entityRef));
    const items = overview.items.filter(i => visible.has(i.entityRef));
    // A pause of one entity is shown with its row only.
    const pauses = overview.pauses?.filter(p => !p.entityRef || visible.has(p.entityRef));
    res.json({
      ...overview,
      items,
      totalItems: overview.totalItems - (overview.items.length - items.length),
      ...(pauses ? { pauses } : {}),
    });
  });

  router.post('/promotions', async (req, res) => {
    const caller = await user(req);
    const body = parseInput(createPromotionRequestSchema, req.body, 'promotion request');
    await refuseCredential('ref', body.ref);
    const entityRef = normalizeEntityRef(body.entityRef);
    await access.requireAllowed(caller, promotionCreatePermission, entityRef);
    const result = await idempotent<Promotion>({
      req,
      store,
      caller,
      operation: 'create-promotion',
      body,
      resume: async promotionId => ({ status: 201, body: await views.one(await loadPromotion(promotionId)) }),
      run: async claim => {
        const record = await audited(
          req,
          'promotion-create',
          { entityRef, toRung: body.toRung, ref: body.ref, kind: body.kind },
          () => commands.create(caller, { ...body, entityRef }, claim),
          r => ({ promotionId: r.id, phase: r.phase }),
        );
        return { status: 201, body: await views.one(record) };
      },
    });
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(result.status).json(result.body);
  });

  router.get('/promotions', async (req, res) => {
    const caller = await allowed(req, 'promotions.read');
    const query = parseInput(listPromotionsQuerySchema, req.query, 'query');
    const phases = query.phase?.split(',').map(p => p.trim()).filter(Boolean);
    const unknown = phases?.filter(p => !isPromotionPhase(p));
    if (unknown?.length) throw new InputError(`unknown phase(s) ${unknown.join(', ')}`);
    const awaitingMine = query.awaitingMyApproval === 'true';
    if (awaitingMine && !caller.userRef) {
      throw new InputError('awaitingMyApproval needs a user token: services approve nothing');
    }
    const offset = decodeCursor(query.cursor);
    const entityRef = query.entityRef ? normalizeEntityRef(query.entityRef) : undefined;
    if (entityRef) await access.requireReadable(caller, entityRef);
    const records = await store.listPromotions({
      entityRef,
      phases: awaitingMine ? ['AwaitingApproval'] : (phases as any),
      breakGlassReviewPending: query.breakGlassReview === 'pending',
      limit: query.limit + 1,
      offset,
    });
    const page = records.slice(0, query.limit);
    // Each row is shown only to who may read its entity (and, for a customer's stakeholders, only
    // their customers'); a page may hold fewer items than the limit, the cursor still moves on.
    const readable = entityRef
      ? new Set([entityRef])
      : await access.readable(caller, page.map(p => p.entityRef));
    let items = await views.many(page.filter(p => readable.has(p.entityRef)));
    if (awaitingMine) {
      items = items.filter(p => p.approvalRequirement?.eligible.includes(caller.userRef!));
    }
    res.json({
      items,
      ...(records.length > query.limit ? { nextCursor: encodeCursor(offset + query.limit) } : {}),
    });
  });

  router.get('/promotions/:id', async (req, res) => {
    const caller = await allowed(req, 'promotions.read');
    const promotion = await readablePromotion(caller, req.params.id);
    res.json(await views.one(promotion));
  });

  router.get('/promotions/:id/changes', async (req, res) => {
    const caller = await allowed(req, 'changes.read');
    const promotion = await readablePromotion(caller, req.params.id);
    res.json(await options.changes.forPromotion(promotion));
  });

  router.get('/changes', async (req, res) => {
    const caller = await allowed(req, 'changes.read');
    const query = parseInput(changesQuerySchema, req.query, 'query');
    const entityRef = normalizeEntityRef(query.entityRef);
    await access.requireReadable(caller, entityRef);
    res.json(await options.changes.between(caller, { ...query, entityRef }));
  });

  router.post('/promotions/:id/approvals', async (req, res) => {
    // Services are let through here only to be told why they cannot approve, before anything
    // about the promotion (even whether it exists) is looked up.
    const caller = await anyone(req);
    if (caller.kind !== 'user') {
      throw new NotAllowedError(
        'approvals come from people: a service token cannot approve or reject a promotion; sign in as a member of the approver groups',
      );
    }
    const body = parseInput(approvalRequestSchema, req.body, 'approval');
    const promotion = await readablePromotion(caller, req.params.id);
    await authorize(caller, promotionApprovePermission, promotion.entityRef);
    const result = await idempotent<Promotion>({
      req,
      store,
      caller,
      operation: `approve:${promotion.id}`,
      body,
      resume: async promotionId => ({ status: 201, body: await views.one(await loadPromotion(promotionId)) }),
      run: async claim => {
        const record = await audited(
          req,
          'promotion-approve',
          { promotionId: promotion.id, entityRef: promotion.entityRef, decision: body.decision },
          () => commands.approve(caller, promotion, body, claim),
          r => ({ phase: r.phase }),
        );
        return { status: 201, body: await views.one(record) };
      },
    });
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(result.status).json(result.body);
  });

  router.post('/promotions/:id/cancel', async (req, res) => {
    const caller = await user(req);
    const body = parseInput(cancelRequestSchema, req.body, 'cancellation');
    const promotion = await readablePromotion(caller, req.params.id);
    await authorize(caller, promotionCancelPermission, promotion.entityRef);
    const record = await audited(
      req,
      'promotion-cancel',
      { promotionId: promotion.id, entityRef: promotion.entityRef },
      () => commands.cancel(caller, promotion, body),
      r => ({ phase: r.phase }),
    );
    res.json(await views.one(record));
  });

  // Break glass: the caller is judged by the command (a person, an operator); a service token
  // is refused there with a sentence, not by the credentials check, so the bypass is named.
  router.post('/promotions/:id/break-glass', async (req, res) => {
    const caller = await anyone(req);
    const body = parseInput(breakGlassRequestSchema, req.body, 'break-glass');
    const promotion = await readablePromotion(caller, req.params.id);
    await authorize(caller, promotionBreakGlassPermission, promotion.entityRef);
    const record = await audited(
      req,
      'promotion-break-glass',
      { promotionId: promotion.id, entityRef: promotion.entityRef },
      () => options.breakGlass.breakGlass(caller, promotion, body),
      r => ({ phase: r.phase }),
    );
    res.json(await views.one(record));
  });

  router.post('/promotions/:id/break-glass/review', async (req, res) => {
    const caller = await anyone(req);
    const body = parseInput(breakGlassReviewRequestSchema, req.body ?? {}, 'break-glass review');
    const promotion = await readablePromotion(caller, req.params.id);
    await authorize(caller, promotionApprovePermission, promotion.entityRef);
    const record = await audited(
      req,
      'promotion-break-glass-review',
      { promotionId: promotion.id, entityRef: promotion.entityRef },
      () => options.breakGlass.acknowledgeReview(caller, promotion, body),
      r => ({ phase: r.phase }),
    );
    res.json(await views.one(record));
  });

  router.post('/promotions/:id/recheck', async (req, res) => {
    const caller = await allowed(req, 'promotions.recheck');
    const promotion = await readablePromotion(caller, req.params.id);
    await authorize(caller, promotionRecheckPermission, promotion.entityRef);
    const record = await audited(
      req,
      'promotion-recheck',
      { promotionId: promotion.id, entityRef: promotion.entityRef },
      () => commands.recheck(caller, promotion),
      r => ({ phase: r.phase }),
    );
    res.json(await views.one(record));
  });

  router.post('/promotions/:id/claim', async (req, res) => {
    const caller = await anyone(req);
    const body = parseInput(claimRequestSchema, req.body, 'claim');
    const promotion = await loadPromotion(req.params.id);
    await authorize(caller, promotionDeployPermission, promotion.entityRef);
    const result = await idempotent<Promotion>({
      req,
      store,
      caller,
      operation: `claim:${promotion.id}`,
      body,
      resume: async promotionId => ({ status: 201, body: await views.one(await loadPromotion(promotionId)) }),
      run: async claim => {
        const record = await audited(
          req,
          'promotion-claim',
          { promotionId: promotion.id, entityRef: promotion.entityRef, toRung: body.toRung, sha: body.sha },
          () => commands.claim(caller, promotion, body, claim),
          r => ({ phase: r.phase }),
        );
        return { status: 201, body: await views.one(record) };
      },
    });
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(result.status).json(result.body);
  });

  router.post('/promotions/:id/deploy-result', async (req, res) => {
    const caller = await anyone(req);
    const body = parseInput(deployResultRequestSchema, req.body, 'deploy result');
    const promotion = await loadPromotion(req.params.id);
    await authorize(caller, promotionDeployPermission, promotion.entityRef);
    const record = await audited(
      req,
      'promotion-deploy-result',
      { promotionId: promotion.id, entityRef: promotion.entityRef, exitCode: body.exitCode },
      () => commands.reportDeploy(caller, promotion, body),
      r => ({ phase: r.phase }),
    );
    res.json(await views.one(record));
  });

  router.post('/evidence', async (req, res) => {
    const caller = await allowed(req, 'evidence.create');
    const body = parseInput(createEvidenceRequestSchema, req.body, 'evidence');
    await refuseCredential('ref', body.ref);
    const entityRef = normalizeEntityRef(body.entityRef);
    await access.requireAllowed(caller, evidenceCreatePermission, entityRef);
    const record = await audited(
      req,
      'evidence-create',
      { entityRef, rung: body.rung, ref: body.ref, kind: body.kind },
      () => options.evidence.add(caller, { ...body, entityRef }),
      r => ({ evidenceId: r.id, digest: r.digest, redactions: r.redactions }),
    );
    res.status(201).json(record);
  });

  router.get('/evidence', async (req, res) => {
    const caller = await allowed(req, 'evidence.read');
    const query = parseInput(listEvidenceQuerySchema, req.query, 'query');
    const entityRef = normalizeEntityRef(query.entityRef);
    await access.requireReadable(caller, entityRef);
    let rungId = query.rung;
    if (rungId) {
      const { ladder } = await entities.load(entityRef, caller.credentials);
      rungId = resolveRung(ladder, rungId)?.rung.id ?? rungId;
    }
    const found = await store.findEvidence({
      entityRef,
      rungId,
      ref: query.ref,
      kinds: query.kind ? [query.kind] : undefined,
      limit: query.limit + 1,
      before: query.cursor ? decodeEvidenceCursor(query.cursor) : undefined,
    });
    const items = found.slice(0, query.limit);
    res.json({
      items: items.map(evidencePreview),
      ...(found.length > query.limit ? { nextCursor: encodeEvidenceCursor(items[items.length - 1]) } : {}),
    });
  });

  router.get('/evidence/:id', async (req, res) => {
    const caller = await allowed(req, 'evidence.read');
    const evidence = await store.getEvidence(req.params.id);
    const missing = `no evidence "${req.params.id}"; list an entity's evidence with GET /evidence?entityRef=…`;
    if (!evidence) throw new NotFoundError(missing);
    // evidence of an entity the caller may not read answers as if it did not exist
    await access.requireReadable(caller, evidence.entityRef).catch(error => {
      throw error instanceof NotFoundError ? new NotFoundError(missing) : error;
    });
    res.json(evidence);
  });

  router.get('/plan', async (req, res) => {
    const caller = await allowed(req, 'plan.read');
    const query = parseInput(planQuerySchema, req.query, 'query');
    const entityRef = normalizeEntityRef(query.entityRef);
    await access.requireReadable(caller, entityRef);
    res.json(await options.planner.plan(caller, { ...query, entityRef }));
  });

  router.get('/sources', async (req, res) => {
    // A URL pasted with a user or token in it: the error handler echoes the request URL, so the
    // credentials are taken out of it before anything can fail.
    const repoUrl = typeof req.query.repoUrl === 'string' ? req.query.repoUrl : '';
    if (withoutCredentials(repoUrl) !== repoUrl) {
      const cleanQuery = new URLSearchParams(req.query as Record<string, string>);
      cleanQuery.set('repoUrl', withoutCredentials(repoUrl));
      req.url = `${req.path}?${cleanQuery}`;
      throw new InputError(
        `repoUrl carries credentials; the portal never needs them: pass ${withoutCredentials(repoUrl)} (and rotate what was in it if it was a token)`,
      );
    }
    const caller = await allowed(req, 'sources.read');
    const query = parseInput(sourceQuerySchema, req.query, 'query');
    const resolution = await options.sources.resolve(caller.credentials, query);
    // The catalog already answered with the caller's credentials; the ladder's own read rule too.
    await access.requireReadable(caller, resolution.entityRef);
    res.json(resolution);
  });

  router.get('/audit', async (req, res) => {
    const caller = await allowed(req, 'audit.read');
    const query = parseInput(auditQuerySchema, req.query, 'query');
    const beforeId = query.cursor ? decodeAuditCursor(query.cursor) : undefined;
    let entityRef = query.entityRef ? normalizeEntityRef(query.entityRef) : undefined;
    if (query.promotionId) {
      const promotion = await readablePromotion(caller, query.promotionId);
      if (entityRef && entityRef !== promotion.entityRef) {
        throw new InputError(`promotion ${promotion.id} belongs to ${promotion.entityRef}, not ${entityRef}`);
      }
      entityRef = promotion.entityRef;
    }
    if (entityRef) {
      await access.requireReadable(caller, entityRef);
      await authorize(caller, auditReadPermission, entityRef);
    }
    const items = await store.listAudit({
      entityRef,
      promotionId: query.promotionId,
      limit: query.limit + 1,
      afterId: beforeId,
    });
    const page = items.slice(0, query.limit);
    // Across entities, each row is shown only to who may read that entity's audit trail; the
    // cursor moves past the rows left out, so a page may hold fewer items than the limit.
    const readable = entityRef
      ? undefined
      : await access.readable(caller, page.map(e => e.entityRef), auditReadPermission);
    res.json({
      items: readable ? page.filter(e => readable.has(e.entityRef)) : page,
      ...(items.length > query.limit ? { nextCursor: encodeAuditCursor(Number(page[page.length - 1].id)) } : {}),
    });
  });

  router.get(
    '/admin/replay',
    replayHandler({
      user,
      authorize,
      memberships: options.memberships,
      operatorsGroup: options.config.operatorsGroup,
      replay: options.replay,
    }),
  );

  router.get('/insights', async (req, res) => {
    const caller = await allowed(req, 'audit.read');
    const query = parseInput(insightsQuerySchema, req.query, 'query');
    let entityRefs: string[];
    if (query.entityRef) {
      const entityRef = normalizeEntityRef(query.entityRef);
      await access.requireReadable(caller, entityRef);
      await authorize(caller, auditReadPermission, entityRef);
      entityRefs = [entityRef];
    } else {
      // Every entity with a placement, narrowed to what the caller may read the audit trail of
      // (as the audit route does across entities); the owner filter is applied on those.
      await authorize(caller, ladderReadPermission);
      const candidates = await store.listPlacedEntityRefs();
      const readable = await access.readable(caller, candidates, auditReadPermission);
      // As on the overview: a customer's stakeholders count their own customers' apps only.
      const visible = await access.inCustomerScope(caller, candidates.filter(ref => readable.has(ref)));
      entityRefs = candidates.filter(ref => visible.has(ref));
    }
    res.json(await options.insights.compute({ entityRefs, owner: query.owner, days: query.days }));
  });

  router.post('/enrollments', async (req, res) => {
    // People only (or on behalf of one): enrolling places an entity on a ladder, so it is for its
    // owners and operators. The scaffolder calls with the credentials of whoever ran the template.
    const caller = await anyone(req);
    const body = parseInput(createEnrollmentRequestSchema, req.body, 'enrollment');
    await refuseCredential('ref', body.ref);
    const entityRef = normalizeEntityRef(body.entityRef);
    if (caller.kind !== 'user') {
      throw new NotAllowedError(
        `${caller.actor} may not enrol ${entityRef}: enrolment is done on behalf of a person who owns the entity; call with their token (a scaffolder action: ctx.getInitiatorCredentials())`,
      );
    }
    const target = await access.requireAllowed(caller, promotionCreatePermission, entityRef);
    await access.requireOwnerOrOperator(caller, target);
    const placement = await audited(
      req,
      'enrollment-create',
      { entityRef, ref: body.ref },
      () => commands.enroll(caller, { entityRef, ref: body.ref }),
      p => ({ rung: p.rungId, ref: p.ref }),
    );
    res.status(201).json(placement);
  });

  // Stop the line. Pausing a ladder or a rung spans many entities: a basic permission decides it;
  // pausing one entity also needs the entity to be readable (a hidden one answers 404).
  router.post('/pauses', async (req, res) => {
    const caller = await user(req);
    const body = parseInput(createLinePauseRequestSchema, req.body, 'pause');
    const entityRef = body.entityRef ? normalizeEntityRef(body.entityRef) : undefined;
    if (entityRef) await access.requireReadable(caller, entityRef);
    await authorize(caller, linePausePermission);
    const pause = await audited(
      req,
      'line-pause',
      { scope: body.scope, ladderId: body.ladderId ?? null, rungId: body.rungId ?? null, entityRef: entityRef ?? null },
      () => options.policy.pause(caller, { ...body, ...(entityRef ? { entityRef } : {}) }),
      p => ({ pauseId: p.id }),
    );
    res.status(201).json(pause);
  });

  router.get('/pauses', async (req, res) => {
    const caller = await allowed(req, 'overview.read');
    await authorize(caller, ladderReadPermission);
    const query = parseInput(listLinePausesQuerySchema, req.query, 'query');
    const entityRef = query.entityRef ? normalizeEntityRef(query.entityRef) : undefined;
    let ladderIds = query.ladderId ? [query.ladderId] : undefined;
    if (entityRef) {
      const target = await access.requireReadable(caller, entityRef);
      ladderIds = [...new Set([...(ladderIds ?? []), target.ladder.id])];
    }
    const filtered = ladderIds !== undefined || entityRef !== undefined;
    const pauses = await store.listPauses(
      filtered ? { ladderIds: ladderIds ?? [], entityRefs: entityRef ? [entityRef] : [] } : undefined,
    );
    // Entity pauses name the entity: shown only to who may read it.
    const named = pauses.flatMap(p => (p.entityRef ? [p.entityRef] : []));
    const readable = named.length ? await access.readable(caller, named) : new Set<string>();
    res.json({ items: pauses.filter(p => !p.entityRef || readable.has(p.entityRef)) });
  });

  router.post('/pauses/:id/resume', async (req, res) => {
    const caller = await user(req);
    const body = parseInput(resumeLinePauseRequestSchema, req.body ?? {}, 'resume');
    const pause = await store.getPause(req.params.id);
    const missing = `no pause ${JSON.stringify(req.params.id)}; list the pauses in force with GET /pauses (khal line status)`;
    if (!pause) throw new NotFoundError(missing);
    if (pause.entityRef) {
      await access.requireReadable(caller, pause.entityRef).catch(error => {
        throw error instanceof NotFoundError ? new NotFoundError(missing) : error;
      });
    }
    await authorize(caller, linePausePermission);
    const resumed = await audited(
      req,
      'line-resume',
      { pauseId: pause.id, scope: pause.scope },
      () => options.policy.resume(caller, pause.id, body),
      p => ({ pauseId: p.id, resumedAt: p.resumedAt ?? '' }),
    );
    res.json(resumed);
  });

  router.post('/bad-commits', async (req, res) => {
    const caller = await user(req);
    const body = parseInput(createBadCommitRequestSchema, req.body, 'bad commit');
    const entityRef = normalizeEntityRef(body.entityRef);
    await access.requireAllowed(caller, badCommitCreatePermission, entityRef);
    const marked = await audited(
      req,
      'commit-mark-bad',
      { entityRef, sha: body.sha },
      () => options.policy.markBad(caller, { ...body, entityRef }),
      r => ({ badCommitId: r.id, ended: r.endedPromotions.length }),
    );
    res.status(201).json(marked);
  });

  router.post('/bad-commits/:id/unmark', async (req, res) => {
    const caller = await user(req);
    const body = parseInput(unmarkBadCommitRequestSchema, req.body, 'unmark');
    const mark = await store.getBadCommitById(req.params.id);
    if (!mark) throw noBadMark(req.params.id);
    // An entity the caller may not read is a 404, like a mark that does not exist.
    await access.requireAllowed(caller, badCommitCreatePermission, mark.entityRef).catch(error => {
      throw error instanceof NotFoundError ? noBadMark(req.params.id) : error;
    });
    const unmarked = await audited(
      req,
      'commit-unmark-bad',
      { entityRef: mark.entityRef, sha: mark.sha, badCommitId: mark.id },
      () => options.policy.unmarkBad(caller, { id: mark.id, reason: body.reason }),
      r => ({ badCommitId: r.id }),
    );
    res.json(unmarked);
  });

  router.get('/bad-commits', async (req, res) => {
    const caller = await allowed(req, 'entities.read');
    const query = parseInput(listBadCommitsQuerySchema, req.query, 'query');
    const entityRef = normalizeEntityRef(query.entityRef);
    await access.requireReadable(caller, entityRef);
    res.json({ items: await store.listBadCommits([entityRef]) });
  });

  return outer;
}
