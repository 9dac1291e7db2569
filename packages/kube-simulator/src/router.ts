/*
 * Routes one API request against one cluster's model and produces the
 * response the Kubernetes API server would give: discovery, list / get with
 * label and field selectors and metadata-only negotiation, create, replace,
 * patch, delete, and the deployment scale subresource. Transport concerns
 * (sockets, latency, reachability) live in server.ts.
 */
import { KubeObject } from './types';
import { ClusterModel } from './cluster';
import { ResourceType, groupVersion } from './resources';
import { ApiTarget, parseApiPath } from './paths';
import { authenticate } from './auth';
import {
  negotiate,
  toPartialObjectMetadata,
  toPartialObjectMetadataList,
} from './accept';
import {
  SelectorError,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors';
import { PATCH_TYPES, PatchError } from './patch';
import { podMetricsFor } from './metrics';
import { podLog } from './podLogs';
import { DEPLOYMENT, POD } from './deployments';
import { clone } from './store';
import { WatchSpec } from './watch';
import { openApiDocument, openApiIndex } from './openapi';
import {
  ApiError,
  badRequest,
  methodNotAllowed,
  notFound,
  pathNotFound,
  statusBody,
  unauthorized,
} from './status';
import {
  apiGroupBody,
  apiGroupListBody,
  apiResourceListBody,
  apiVersionsBody,
  versionBody,
} from './discovery';

/** A request as the router sees it. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  accept?: string;
  contentType?: string;
  authorization?: string;
  body: string;
}

/** The router's answer. */
export interface ApiResponse {
  status: number;
  /** JSON body, or a plain string (health endpoints). */
  body: unknown;
  /** Whether Secret data left the simulator in this response. */
  returnedSecretData: boolean;
  /** Set for a watch: the transport streams its events instead of writing `body`. */
  watch?: WatchSpec;
}

/** What the router needs from the cluster besides its model. */
export interface RouteContext {
  model: ClusterModel;
  token: string;
  /** host:port, for /api discovery. */
  serverAddress: string;
}

type ResourceTarget = Extract<ApiTarget, { kind: 'resource' }>;

const ok = (
  body: unknown,
  status = 200,
  returnedSecretData = false,
): ApiResponse => ({
  status,
  body,
  returnedSecretData,
});

/** Handles one request; never throws. */
export function route(ctx: RouteContext, req: ApiRequest): ApiResponse {
  try {
    return routeOrThrow(ctx, req);
  } catch (e) {
    if (e instanceof ApiError)
      return ok(statusBody(e.code, e.reason, e.message, e.details), e.code);
    if (e instanceof SelectorError)
      return ok(
        statusBody(
          400,
          'BadRequest',
          `unable to parse requirement: ${e.message}`,
        ),
        400,
      );
    if (e instanceof PatchError)
      return ok(statusBody(422, 'Invalid', e.message), 422);
    const message = e instanceof Error ? e.message : String(e);
    return ok(
      statusBody(
        500,
        'InternalError',
        `kube-simulator internal error: ${message}`,
      ),
      500,
    );
  }
}

function routeOrThrow(ctx: RouteContext, req: ApiRequest): ApiResponse {
  const target = parseApiPath(req.path);
  const auth = authenticate(req.authorization, ctx.token);
  if (auth === 'rejected' || (auth === 'anonymous' && target.kind !== 'public'))
    throw unauthorized();
  const method = req.method.toUpperCase();
  if (target.kind !== 'resource' && method !== 'GET' && method !== 'HEAD') {
    if (target.kind === 'notFound') throw pathNotFound();
    throw methodNotAllowed(
      `the server does not allow this method on the requested resource`,
    );
  }
  switch (target.kind) {
    case 'public':
      return ok(target.what === 'version' ? versionBody() : 'ok');
    case 'coreVersions':
      return ok(apiVersionsBody(ctx.serverAddress));
    case 'groupList':
      return ok(apiGroupListBody());
    case 'group':
      return ok(apiGroupBody(target.group));
    case 'resourceList':
      return ok(apiResourceListBody(target.group, target.version));
    case 'openapi': {
      if (target.specPath === undefined) return ok(openApiIndex());
      const document = openApiDocument(target.specPath);
      if (!document) throw pathNotFound();
      return ok(document);
    }
    case 'resource':
      return routeResource(ctx, req, method, target);
    case 'notFound':
    default:
      throw pathNotFound();
  }
}

function routeResource(
  ctx: RouteContext,
  req: ApiRequest,
  method: string,
  t: ResourceTarget,
): ApiResponse {
  const watch = req.query.get('watch');
  if (watch === 'true' || watch === '1') {
    if (method !== 'GET') throw methodNotAllowed('watch supports get only');
    return watchObjects(ctx, req, t);
  }
  if (t.type.virtual && method !== 'GET')
    throw methodNotAllowed('metrics are read-only');
  if (t.name === undefined) {
    if (method === 'GET' || method === 'HEAD') return listObjects(ctx, req, t);
    if (method === 'POST' && (t.namespace !== undefined || !t.type.namespaced))
      return createObject(ctx, req, t);
    throw methodNotAllowed(
      `the server does not allow this method on the requested resource`,
    );
  }
  if (t.subresource === 'scale') return scale(ctx, req, method, t);
  if (t.subresource === 'log') {
    if (method !== 'GET') throw methodNotAllowed('pod logs are read-only');
    return ok(podLog(findObject(ctx, t), req.query.get('container')));
  }
  switch (method) {
    case 'GET':
    case 'HEAD':
      return getObject(ctx, req, t);
    case 'PUT':
      return ok(
        present(
          t,
          ctx.model.replace(
            t.type,
            t.namespace,
            t.name,
            parseBody(req),
            t.subresource,
          ),
        ),
      );
    case 'PATCH':
      return ok(present(t, patchObject(ctx, req, t)));
    case 'DELETE': {
      const removed = ctx.model.remove(t.type, t.namespace, t.name);
      return ok(
        statusBody(200, '', '', {
          name: t.name,
          group: t.group || undefined,
          kind: t.type.plural,
          uid: removed.metadata.uid,
        }),
      );
    }
    default:
      throw methodNotAllowed(
        `the server does not allow this method on the requested resource`,
      );
  }
}

/** An object as served under the requested group/version. */
function present(t: ResourceTarget, object: KubeObject): KubeObject {
  return {
    ...object,
    apiVersion: groupVersion(t.group, t.version),
    kind: t.type.kind,
  };
}

function parseBody(req: ApiRequest): KubeObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body || 'null');
  } catch {
    throw badRequest(
      'the request body is not valid JSON (kube-simulator accepts JSON only)',
    );
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw badRequest('the request body must be a JSON object');
  const body = parsed as KubeObject;
  body.metadata = body.metadata ?? { name: '' };
  return body;
}

/** Stored or computed objects of a target, before selectors. */
function candidates(ctx: RouteContext, t: ResourceTarget): KubeObject[] {
  if (t.type.virtual) {
    return ctx.model.store
      .list(POD, t.namespace)
      .map(podMetricsFor)
      .filter((m): m is KubeObject => m !== undefined);
  }
  return ctx.model.store.list(t.type, t.namespace);
}

function listObjects(
  ctx: RouteContext,
  req: ApiRequest,
  t: ResourceTarget,
): ApiResponse {
  const labels = parseLabelSelector(req.query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(req.query.get('fieldSelector') ?? '');
  const items = candidates(ctx, t).filter(
    o => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o),
  );
  const representation = negotiate(req.accept, true);
  if (!representation)
    throw new ApiError(
      406,
      'NotAcceptable',
      `only the following media types are accepted: application/json, application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`,
    );
  const resourceVersion = ctx.model.store.currentResourceVersion();
  if (representation.kind === 'metadata') {
    return ok(
      toPartialObjectMetadataList(
        items,
        resourceVersion,
        representation.version,
      ),
    );
  }
  // Like the real API server, items of a typed list carry no kind/apiVersion.
  const bare = items.map(o => {
    const { kind: _kind, apiVersion: _apiVersion, ...rest } = clone(o);
    return rest;
  });
  const isSecret = t.group === '' && t.type.plural === 'secrets';
  return ok(
    {
      kind: `${t.type.kind}List`,
      apiVersion: groupVersion(t.group, t.version),
      metadata: { resourceVersion },
      items: bare,
    },
    200,
    isSecret && items.length > 0,
  );
}

/** The API server's default for watches without `timeoutSeconds` (its min-request-timeout). */
const DEFAULT_WATCH_TIMEOUT_S = 1800;

function watchObjects(
  ctx: RouteContext,
  req: ApiRequest,
  t: ResourceTarget,
): ApiResponse {
  if (t.subresource)
    throw methodNotAllowed(`watch is not supported on ${t.subresource}`);
  const labels = parseLabelSelector(req.query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(req.query.get('fieldSelector') ?? '');
  const timeout = Number(req.query.get('timeoutSeconds') ?? '');
  const isSecret = t.group === '' && t.type.plural === 'secrets';
  return {
    status: 200,
    body: '',
    returnedSecretData: isSecret,
    watch: {
      list: () =>
        candidates(ctx, t)
          .filter(
            o =>
              (t.name === undefined || o.metadata.name === t.name) &&
              matchesLabels(labels, o.metadata.labels) &&
              matchesFields(fields, o),
          )
          .map(o => present(t, clone(o))),
      resourceVersion: req.query.get('resourceVersion') ?? undefined,
      timeoutMs:
        (Number.isFinite(timeout) && timeout > 0
          ? timeout
          : DEFAULT_WATCH_TIMEOUT_S) * 1000,
    },
  };
}

function findObject(ctx: RouteContext, t: ResourceTarget): KubeObject {
  const name = t.name ?? '';
  const found = candidates(ctx, t).find(
    o =>
      o.metadata.name === name &&
      (!t.type.namespaced || o.metadata.namespace === t.namespace),
  );
  if (!found) throw notFound(t.type.plural, t.group, name);
  return found;
}

function getObject(
  ctx: RouteContext,
  req: ApiRequest,
  t: ResourceTarget,
): ApiResponse {
  if (t.type.namespaced && t.namespace === undefined) throw pathNotFound();
  const object = findObject(ctx, t);
  const representation = negotiate(req.accept, false);
  if (!representation)
    throw new ApiError(
      406,
      'NotAcceptable',
      `only the following media types are accepted: application/json, application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1`,
    );
  if (representation.kind === 'metadata')
    return ok(toPartialObjectMetadata(clone(object), representation.version));
  const isSecret = t.group === '' && t.type.plural === 'secrets';
  return ok(present(t, clone(object)), 200, isSecret);
}

function createObject(
  ctx: RouteContext,
  req: ApiRequest,
  t: ResourceTarget,
): ApiResponse {
  const body = parseBody(req);
  if (t.type.namespaced) {
    if (body.metadata.namespace && body.metadata.namespace !== t.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    body.metadata.namespace = t.namespace;
  }
  if (body.kind && body.kind !== t.type.kind)
    throw badRequest(
      `kind ${body.kind} does not match the resource ${t.type.plural}`,
    );
  return ok(
    present(
      t,
      ctx.model.create(t.type, {
        ...body,
        apiVersion: groupVersion(t.group, t.version),
      }),
    ),
    201,
  );
}

function patchedDocument(req: ApiRequest, current: unknown): unknown {
  const contentType = (req.contentType ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  const apply = PATCH_TYPES[contentType];
  if (!apply) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${Object.keys(
        PATCH_TYPES,
      ).join(', ')}`,
    );
  }
  let patch: unknown;
  try {
    patch = JSON.parse(req.body || 'null');
  } catch {
    throw badRequest('the patch is not valid JSON');
  }
  return apply(clone(current), patch);
}

function patchObject(
  ctx: RouteContext,
  req: ApiRequest,
  t: ResourceTarget,
): KubeObject {
  const current = ctx.model.store.get(t.type, t.namespace, t.name ?? '');
  if (!current) throw notFound(t.type.plural, t.group, t.name ?? '');
  const patched = patchedDocument(req, current) as KubeObject;
  return ctx.model.replace(
    t.type,
    t.namespace,
    t.name ?? '',
    patched,
    t.subresource,
  );
}

function scaleOf(d: KubeObject): KubeObject {
  const matchLabels: Record<string, string> =
    d.spec?.selector?.matchLabels ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: d.metadata.name,
      namespace: d.metadata.namespace,
      uid: d.metadata.uid,
      resourceVersion: d.metadata.resourceVersion,
      creationTimestamp: d.metadata.creationTimestamp,
    },
    spec: { replicas: d.spec?.replicas ?? 1 },
    status: {
      replicas: d.status?.replicas ?? 0,
      selector: Object.entries(matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

function scale(
  ctx: RouteContext,
  req: ApiRequest,
  method: string,
  t: ResourceTarget,
): ApiResponse {
  const type: ResourceType = t.type;
  const d = ctx.model.store.get(type, t.namespace, t.name ?? '');
  if (!d || type !== DEPLOYMENT)
    throw notFound(type.plural, t.group, t.name ?? '');
  if (method === 'GET' || method === 'HEAD') return ok(scaleOf(d));
  if (method !== 'PUT' && method !== 'PATCH')
    throw methodNotAllowed('scale supports get, update and patch');
  const next = (
    method === 'PUT' ? parseBody(req) : patchedDocument(req, scaleOf(d))
  ) as KubeObject;
  const replicas = next.spec?.replicas;
  if (
    typeof replicas !== 'number' ||
    replicas < 0 ||
    !Number.isInteger(replicas)
  ) {
    throw new ApiError(
      422,
      'Invalid',
      'Scale.autoscaling "" is invalid: spec.replicas: Invalid value: must be a non-negative integer',
    );
  }
  const updated = clone(d);
  updated.spec.replicas = replicas;
  delete updated.metadata.resourceVersion;
  return ok(
    scaleOf(ctx.model.replace(type, t.namespace, t.name ?? '', updated)),
  );
}
