/*
 * In-memory object store of one simulated cluster. Objects are bucketed by
 * resource type (group/plural) and keyed by namespace/name. Every write takes
 * a new resourceVersion from a per-cluster counter, like etcd revisions.
 */
import { KubeObject } from './types';
import { ResourceType, typeKey } from './resources';
import { compareStrings } from './names';

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** Deep copy of a JSON-compatible value. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

export class ObjectStore {
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private revision = 1000;

  /** The latest resourceVersion handed out (as a string, like the API). */
  currentResourceVersion(): string {
    return String(this.revision);
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    const key = typeKey(type);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** The stored object (live reference; callers that hand it out must clone). */
  get(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    return this.bucket(type).get(
      objectKey(type.namespaced ? namespace : undefined, name),
    );
  }

  /** Stored objects of a type, optionally in one namespace, sorted by namespace then name. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const all = [...this.bucket(type).values()];
    const filtered =
      namespace === undefined
        ? all
        : all.filter(o => o.metadata.namespace === namespace);
    return filtered.sort((a, b) => {
      const ka = objectKey(a.metadata.namespace, a.metadata.name);
      const kb = objectKey(b.metadata.namespace, b.metadata.name);
      return compareStrings(ka, kb);
    });
  }

  /** Stores an object (create or replace) and stamps a new resourceVersion. */
  put(type: ResourceType, object: KubeObject): KubeObject {
    this.revision += 1;
    object.metadata.resourceVersion = String(this.revision);
    const ns = type.namespaced ? object.metadata.namespace : undefined;
    this.bucket(type).set(objectKey(ns, object.metadata.name), object);
    return object;
  }

  /** Removes an object; returns it when it existed. */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const bucket = this.bucket(type);
    const key = objectKey(type.namespaced ? namespace : undefined, name);
    const existing = bucket.get(key);
    if (existing) {
      bucket.delete(key);
      this.revision += 1;
    }
    return existing;
  }

  /** Removes every namespaced object in a namespace. */
  deleteNamespaceContents(namespace: string): void {
    for (const bucket of this.buckets.values()) {
      for (const [key, object] of [...bucket.entries()]) {
        if (object.metadata.namespace === namespace) bucket.delete(key);
      }
    }
    this.revision += 1;
  }
}
