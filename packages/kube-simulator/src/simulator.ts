/*
 * The programmatic entry point: starts one HTTP server per simulated
 * cluster and hands back URLs, tokens, the shared request log and per
 * cluster handles for tests.
 */
import {
  ClusterSpec,
  KubeObject,
  ObjectRef,
  RequestLogEntry,
  UnreachableMode,
} from './types';
import { ClusterModel } from './cluster';
import { ClusterServer } from './server';
import { loadFixtureFiles, parseObjects } from './fixtures';
import { RolloutInfo } from './rollout';
import { clone } from './store';

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  clusters: ClusterSpec[];
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Called after each answered request (e.g. for logging). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Maximum entries kept in requestLog (oldest dropped first). Default 100000. */
  requestLogLimit?: number;
  /**
   * Serve https with this server certificate and key (PEM), e.g. from
   * `ensureTlsMaterial()`; plain http without. Real Kubernetes clients send
   * bearer tokens only over TLS.
   */
  tls?: { cert: string; key: string };
}

/** Test and tooling access to one running simulated cluster. */
export interface ClusterHandle {
  readonly name: string;
  readonly url: string;
  readonly token: string;
  /** A copy of a stored object. */
  get(ref: ObjectRef): KubeObject | undefined;
  /** Copies of stored objects of a kind, optionally in one namespace. */
  list(kind: string, namespace?: string, apiVersion?: string): KubeObject[];
  /**
   * Creates or replaces an object. On create the given status is kept (and
   * pinned for Deployments and Pods); a replace behaves like PUT (a changed
   * Deployment pod template starts a rollout).
   */
  put(object: KubeObject): KubeObject;
  /** Loads fixture objects or multi-document YAML text like the fixture files. */
  load(objectsOrYaml: KubeObject[] | string): KubeObject[];
  /** Deletes an object (cascading); false when it did not exist. */
  delete(ref: ObjectRef): boolean;
  /** Pins an object's status to a value. */
  setStatus(ref: ObjectRef, status: unknown): KubeObject;
  /** Makes the cluster stop answering ('hang' default, 'reset', 'refuse'), or answer again. */
  setUnreachable(unreachable: boolean, mode?: UnreachableMode): Promise<void>;
  /** Sets the added latency of every answer. */
  setLatency(ms: number): void;
  /** Moves every rollout in progress `steps` steps (default 1). */
  advance(steps?: number): void;
  /** Runs every rollout in progress to its end. */
  completeRollouts(): void;
  /** Rollouts in progress. */
  rollouts(): RolloutInfo[];
}

/** A running simulator. */
export interface RunningSimulator {
  clusters: Array<{ name: string; url: string; token: string }>;
  /** Every request seen by any cluster, in arrival order (live array). */
  requestLog: RequestLogEntry[];
  cluster(name: string): ClusterHandle;
  stop(): Promise<void>;
}

function handleFor(
  spec: ClusterSpec,
  model: ClusterModel,
  server: ClusterServer,
): ClusterHandle {
  return {
    name: spec.name,
    get url() {
      return server.url;
    },
    token: spec.token,
    get: ref => model.get(ref),
    list: (kind, namespace, apiVersion) =>
      model.store
        .list(model.typeFor({ kind, apiVersion }), namespace)
        .map(o => clone(o)),
    put: object => {
      const type = model.typeFor(object);
      const ns = type.namespaced
        ? object.metadata.namespace || 'default'
        : undefined;
      if (model.store.get(type, ns, object.metadata.name)) {
        const next = clone(object);
        delete next.metadata.resourceVersion;
        return model.replace(type, ns, object.metadata.name, next);
      }
      return model.load([object])[0];
    },
    load: objectsOrYaml =>
      model.load(
        typeof objectsOrYaml === 'string'
          ? parseObjects(objectsOrYaml)
          : objectsOrYaml,
      ),
    delete: ref => {
      const type = model.typeFor(ref);
      const ns = type.namespaced ? ref.namespace ?? 'default' : undefined;
      if (!model.store.get(type, ns, ref.name)) return false;
      model.remove(type, ns, ref.name);
      return true;
    },
    setStatus: (ref, status) => model.setStatus(ref, status),
    setUnreachable: (unreachable, mode) =>
      server.setUnreachable(unreachable, mode),
    setLatency: ms => server.setLatency(ms),
    advance: steps => model.rollouts.advance(steps),
    completeRollouts: () => model.rollouts.completeAll(),
    rollouts: () => model.rollouts.active(),
  };
}

/** Starts the simulated clusters. */
export async function startSimulator(
  options: SimulatorOptions,
): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const requestLog: RequestLogEntry[] = [];
  const names = new Set<string>();
  const started: Array<{
    spec: ClusterSpec;
    model: ClusterModel;
    server: ClusterServer;
  }> = [];
  const stopAll = async () => {
    for (const s of started) s.model.rollouts.stop();
    await Promise.all(started.map(s => s.server.close()));
  };
  try {
    for (const spec of options.clusters) {
      if (names.has(spec.name))
        throw new Error(`duplicate cluster name ${spec.name}`);
      names.add(spec.name);
      const model = new ClusterModel({
        durationMs: spec.rolloutDurationMs,
        tickMs: spec.tickMs,
        manual: spec.manualRollouts,
      });
      model.load([
        ...loadFixtureFiles(spec.fixtureFiles ?? []),
        ...(spec.objects ?? []),
      ]);
      const server = new ClusterServer({
        name: spec.name,
        token: spec.token,
        host,
        latencyMs: spec.latencyMs,
        model,
        log: requestLog,
        logLimit: options.requestLogLimit ?? 100000,
        onRequest: options.onRequest,
        tls: options.tls,
      });
      started.push({ spec, model, server });
      await server.listen(spec.port ?? 0);
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  const handles = new Map(
    started.map(s => [s.spec.name, handleFor(s.spec, s.model, s.server)]),
  );
  return {
    clusters: started.map(s => ({
      name: s.spec.name,
      url: s.server.url,
      token: s.spec.token,
    })),
    requestLog,
    cluster(name: string) {
      const handle = handles.get(name);
      if (!handle) throw new Error(`no simulated cluster named ${name}`);
      return handle;
    },
    stop: stopAll,
  };
}
