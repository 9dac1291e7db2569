import type { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import type { KubeList } from './objects';

/** The header the kubernetes backend's proxy reads to pick a cluster of its configuration. */
export const CLUSTER_HEADER = 'Backstage-Kubernetes-Cluster';

/** Accept header asking the API server for metadata only (no `data`, no `spec`). */
export const METADATA_LIST_ACCEPT =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/** A cluster could not answer; `reason` is a sentence a person can act on. */
export class ClusterUnavailableError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'ClusterUnavailableError';
    this.reason = reason;
  }
}

/**
 * Reads Kubernetes API lists through the kubernetes backend's `/proxy` endpoint. The kubernetes
 * backend picks the cluster by name from its own configuration and adds the cluster's credentials
 * (its auth strategies), so this module holds no cluster URL or token of its own. The ladder calls
 * the proxy as itself: a plugin-to-plugin token of the ladder's service principal.
 */
export class KubernetesProxyClient {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      /** Per-request time limit in milliseconds. */
      timeoutMs: number;
    },
  ) {}

  /**
   * GETs a list, e.g. `/apis/apps/v1/namespaces/shop/deployments?labelSelector=…`.
   * Throws {@link ClusterUnavailableError} for every failure.
   */
  async list<T>(
    cluster: string,
    path: string,
    options?: { accept?: string; signal?: AbortSignal },
  ): Promise<KubeList<T>> {
    const { discovery, auth, timeoutMs } = this.options;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options?.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    let response: Response;
    try {
      const baseUrl = await discovery.getBaseUrl('kubernetes');
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'kubernetes',
      });
      response = await fetch(`${baseUrl}/proxy${path}`, {
        headers: {
          [CLUSTER_HEADER]: cluster,
          Authorization: `Bearer ${token}`,
          Accept: options?.accept ?? 'application/json',
        },
        signal,
      });
    } catch (e) {
      if (timeout.aborted) {
        throw new ClusterUnavailableError(
          `cluster "${cluster}" did not answer within ${timeoutMs} ms`,
        );
      }
      if (options?.signal?.aborted) {
        throw new ClusterUnavailableError(`the request to cluster "${cluster}" was cancelled`);
      }
      throw new ClusterUnavailableError(
        `the kubernetes backend could not be reached for cluster "${cluster}": ${messageOf(e)}`,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (e) {
      if (timeout.aborted) {
        throw new ClusterUnavailableError(
          `cluster "${cluster}" did not answer within ${timeoutMs} ms`,
        );
      }
      body = undefined;
    }
    if (response.ok && isList<T>(body)) return body;
    throw new ClusterUnavailableError(explainFailure(cluster, response.status, body));
  }
}

function isList<T>(body: unknown): body is KubeList<T> {
  return typeof body === 'object' && body !== null && Array.isArray((body as KubeList<T>).items);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface BackstageErrorBody {
  error?: { name?: string; message?: string; cause?: { message?: string } };
}

interface KubeStatusBody {
  kind?: string;
  message?: string;
  reason?: string;
}

/**
 * Turns a failed proxy answer into a reason. Two kinds of answers come back: a Kubernetes
 * `Status` (the cluster itself answered, e.g. 401 for a wrong token) or a Backstage error body
 * (the kubernetes backend answered: unknown cluster, denied permission, unreachable cluster).
 */
export function explainFailure(cluster: string, status: number, body: unknown): string {
  const kube = body as KubeStatusBody | undefined;
  if (kube?.kind === 'Status') {
    if (status === 401) {
      return `cluster "${cluster}" rejected the credentials the kubernetes backend sent (401 Unauthorized): check the cluster's authProvider / serviceAccountToken in the kubernetes config`;
    }
    if (status === 403) {
      return `cluster "${cluster}" refused access (403): ${kube.message ?? 'forbidden'}; grant the kubernetes backend's service account list access to Deployments, ReplicaSets, Pods, ConfigMaps and Secrets (metadata)`;
    }
    return `cluster "${cluster}" answered ${status}: ${kube.message ?? kube.reason ?? 'no message'}`;
  }
  const error = (body as BackstageErrorBody | undefined)?.error;
  if (error) {
    const detail = error.cause?.message ? `${error.message}: ${error.cause.message}` : error.message;
    switch (error.name) {
      case 'NotFoundError':
        return `the kubernetes backend does not know cluster "${cluster}" (${detail}): name a cluster of the kubernetes config in the rung's kubernetes.cluster`;
      case 'NotAllowedError':
        return `the kubernetes backend refused the ladder access to its proxy (permission kubernetes.proxy): ${detail}`;
      case 'AuthenticationError':
        return `the kubernetes backend did not accept the ladder's service token: ${detail}`;
      default:
        return `cluster "${cluster}" is unreachable: ${detail}`;
    }
  }
  return `cluster "${cluster}" answered ${status} through the kubernetes backend`;
}
