import express, { Request } from 'express';
import Router from 'express-promise-router';
import type {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import {
  EVIDENCE_MAX_BYTES,
  LadderConfig,
  Promotion,
  approvalRequestSchema,
  auditQuerySchema,
  auditReadPermission,
  cancelRequestSchema,
  changesQuerySchema,
  claimRequestSchema,
  deployResultRequestSchema,
  entityLadderQuerySchema,
  createEnrollmentRequestSchema,
  createEvidenceRequestSchema,
  createPromotionRequestSchema,
  evidenceCreatePermission,
  isPromotionPhase,
  ladderEntityReadPermission,
  ladderReadPermission,
  listEvidenceQuerySchema,
  listPromotionsQuerySchema,
  overviewQuerySchema,
  planQuerySchema,
  promotionApprovePermission,
  promotionCancelPermission,
  promotionCreatePermission,
  promotionDeployPermission,
  promotionRecheckPermission,
  resolveRung,
} from '@khal/plugin-ladder-common';
import type { ChangeView } from '../changes/ChangeView';
import type { LadderStore } from '../database/LadderStore';
import { callerFrom, Caller } from '../service/Caller';
import { allowedEntityRefs, createAuthorize } from '../service/authorize';
import { PermissionDecisions } from '../service/PermissionDecisions';
import type { DeployPlanner } from '../service/DeployPlanner';
import type { EntityLadderView } from '../service/EntityLadderView';
import type { EvidenceIntake } from '../service/EvidenceIntake';
import { describeLimit } from '../service/EvidenceIntake';
import { LadderEntities, normalizeEntityRef } from '../service/LadderEntities';
import type { LadderOverview } from '../service/LadderOverview';
import { decodeCursor, encodeCursor } from '../service/LadderOverview';
import type { PromotionCommands } from '../service/PromotionCommands';
import type { PromotionViews } from '../service/PromotionViews';
import type { GroupMemberships } from '../service/GroupMemberships';
import { ladderSummary } from '../service/rungSummary';
import { PayloadTooLargeError } from './httpErrors';
import { idempotent } from './idempotency';
import { parseInput } from './validation';

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
  views: PromotionViews;
  entityView: EntityLadderView;
  overview: LadderOverview;
  planner: DeployPlanner;
  evidence: EvidenceIntake;
  changes: ChangeView;
}

/** The ladder REST API (`/api/ladder`). Every route checks a permission; errors come from @backstage/errors. */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { httpAuth, permissions, auditor, store, commands, views, entities } = options;
  const decisions = options.decisions ?? new PermissionDecisions(permissions, { ttlMs: 0 });
  const authorize = createAuthorize(permissions, decisions);
  const router = Router();

  // Bodies are checked against the evidence limit (413 naming it) after parsing; the parser's own
  // cap only stops abuse and is reported the same way.
  const jsonLimit = EVIDENCE_MAX_BYTES * 4;
  router.use(express.json({ limit: jsonLimit }));
  router.use((error: any, _req: Request, _res: express.Response, next: express.NextFunction) => {
    if (error?.type === 'entity.too.large') {
      next(new PayloadTooLargeError(`the request body is larger than ${describeLimit(jsonLimit)}; evidence content is limited to ${describeLimit(EVIDENCE_MAX_BYTES)}`));
    } else if (error?.type === 'entity.parse.failed') {
      next(new InputError(`the request body is not valid JSON: ${error.message}`));
    } else {
      next(error);
    }
  });

  const user = async (req: Request): Promise<Caller> =>
    callerFrom(await httpAuth.credentials(req, { allow: ['user'] }));
  const anyone = async (req: Request): Promise<Caller> =>
    callerFrom(await httpAuth.credentials(req, { allow: ['user', 'service'] }));

  /** Records a mutation with the auditor: success with its outcome, or fail with the error. */
  async function audited<T>(
    req: Request,
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
    const caller = await anyone(req);
    await authorize(caller, ladderReadPermission);
    res.json({ items: options.config.ladders.map(ladderSummary) });
  });

  router.get('/entities/:kind/:namespace/:name', async (req, res) => {
    const caller = await anyone(req);
    const entityRef = normalizeEntityRef(`${req.params.kind}:${req.params.namespace}/${req.params.name}`);
    const query = parseInput(entityLadderQuerySchema, req.query, 'query');
    // The view is built (its catalog read follows the caller's catalog.entity.read decision) while
    // the ladder permission is decided; nothing of it is sent unless that allows, and a denial answers first.
    const view = options.entityView.get(entityRef, caller.credentials, { live: query.clusterState === 'live' });
    view.catch(() => undefined);
    await authorize(caller, ladderEntityReadPermission, entityRef);
    res.json(await view);
  });

  router.get('/overview', async (req, res) => {
    const caller = await anyone(req);
    await authorize(caller, ladderReadPermission);
    const query = parseInput(overviewQuerySchema, req.query, 'query');
    res.json(await options.overview.get(caller.credentials, query));
  });

  router.post('/promotions', async (req, res) => {
    const caller = await user(req);
    const body = parseInput(createPromotionRequestSchema, req.body, 'promotion request');
    const entityRef = normalizeEntityRef(body.entityRef);
    await authorize(caller, promotionCreatePermission, entityRef);
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
    const caller = await anyone(req);
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
    if (entityRef) await authorize(caller, ladderEntityReadPermission, entityRef);
    const records = await store.listPromotions({
      entityRef,
      phases: awaitingMine ? ['AwaitingApproval'] : (phases as any),
      limit: query.limit + 1,
      offset,
    });
    const page = records.slice(0, query.limit);
    const readable = entityRef
      ? new Set([entityRef])
      : await allowedEntityRefs(permissions, decisions, caller, ladderEntityReadPermission, page.map(p => p.entityRef));
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
    const caller = await anyone(req);
    const promotion = await loadPromotion(req.params.id);
    await authorize(caller, ladderEntityReadPermission, promotion.entityRef);
    res.json(await views.one(promotion));
  });

  router.get('/promotions/:id/changes', async (req, res) => {
    const caller = await anyone(req);
    const promotion = await loadPromotion(req.params.id);
    await authorize(caller, ladderEntityReadPermission, promotion.entityRef);
    res.json(await options.changes.forPromotion(promotion));
  });

  router.get('/changes', async (req, res) => {
    const caller = await anyone(req);
    const query = parseInput(changesQuerySchema, req.query, 'query');
    const entityRef = normalizeEntityRef(query.entityRef);
    await authorize(caller, ladderEntityReadPermission, entityRef);
    res.json(await options.changes.between(caller, { ...query, entityRef }));
  });

  router.post('/promotions/:id/approvals', async (req, res) => {
    // Services are let through here only to be told why they cannot approve.
    const caller = await anyone(req);
    const body = parseInput(approvalRequestSchema, req.body, 'approval');
    const promotion = await loadPromotion(req.params.id);
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
    const promotion = await loadPromotion(req.params.id);
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

  router.post('/promotions/:id/recheck', async (req, res) => {
    const caller = await anyone(req);
    const promotion = await loadPromotion(req.params.id);
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
    const caller = await anyone(req);
    const body = parseInput(createEvidenceRequestSchema, req.body, 'evidence');
    const entityRef = normalizeEntityRef(body.entityRef);
    await authorize(caller, evidenceCreatePermission, entityRef);
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
    const caller = await anyone(req);
    const query = parseInput(listEvidenceQuerySchema, req.query, 'query');
    const entityRef = normalizeEntityRef(query.entityRef);
    await authorize(caller, ladderEntityReadPermission, entityRef);
    let rungId = query.rung;
    if (rungId) {
      const { ladder } = await entities.load(entityRef, caller.credentials);
      rungId = resolveRung(ladder, rungId)?.rung.id ?? rungId;
    }
    const items = await store.findEvidence({
      entityRef,
      rungId,
      ref: query.ref,
      kinds: query.kind ? [query.kind] : undefined,
      limit: query.limit,
    });
    res.json({ items });
  });

  router.get('/plan', async (req, res) => {
    const caller = await anyone(req);
    const query = parseInput(planQuerySchema, req.query, 'query');
    const entityRef = normalizeEntityRef(query.entityRef);
    await authorize(caller, ladderEntityReadPermission, entityRef);
    res.json(await options.planner.plan(caller, { ...query, entityRef }));
  });

  router.get('/audit', async (req, res) => {
    const caller = await anyone(req);
    const query = parseInput(auditQuerySchema, req.query, 'query');
    let entityRef = query.entityRef ? normalizeEntityRef(query.entityRef) : undefined;
    if (query.promotionId) {
      const promotion = await loadPromotion(query.promotionId);
      if (entityRef && entityRef !== promotion.entityRef) {
        throw new InputError(`promotion ${promotion.id} belongs to ${promotion.entityRef}, not ${entityRef}`);
      }
      entityRef = promotion.entityRef;
    }
    await authorize(caller, auditReadPermission, entityRef!);
    let beforeId: number | undefined;
    if (query.cursor) {
      try {
        beforeId = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')).beforeId;
      } catch {
        throw new InputError('cursor is not one this API returned; start again without it');
      }
    }
    const items = await store.listAudit({
      entityRef,
      promotionId: query.promotionId,
      limit: query.limit + 1,
      afterId: beforeId,
    });
    const page = items.slice(0, query.limit);
    res.json({
      items: page,
      ...(items.length > query.limit
        ? {
            nextCursor: Buffer.from(JSON.stringify({ beforeId: Number(page[page.length - 1].id) }), 'utf8').toString(
              'base64url',
            ),
          }
        : {}),
    });
  });

  router.post('/enrollments', async (req, res) => {
    const caller = await anyone(req);
    const body = parseInput(createEnrollmentRequestSchema, req.body, 'enrollment');
    const entityRef = normalizeEntityRef(body.entityRef);
    await authorize(caller, promotionCreatePermission, entityRef);
    const placement = await audited(
      req,
      'enrollment-create',
      { entityRef, ref: body.ref },
      () => commands.enroll(caller, { entityRef, ref: body.ref }),
      p => ({ rung: p.rungId, ref: p.ref }),
    );
    res.status(201).json(placement);
  });

  return router;
}
