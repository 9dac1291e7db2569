/*
 * PATCH bodies: JSON merge patch (RFC 7386), a strategic-merge subset
 * (lists of known kinds merged by their merge key, `$patch: delete|replace`),
 * and JSON patch (RFC 6902: add, remove, replace, test, copy, move).
 */

/** Thrown for a patch that cannot be applied (answered with 422 / 400). */
export class PatchError extends Error {}

type Json = unknown;

function isPlainObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isPlainObject(target)
    ? { ...target }
    : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** List fields that strategic merge patch merges by key (field name -> merge key). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  conditions: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

function strategicList(field: string, target: Json, patch: Json[]): Json[] {
  const mergeKey = MERGE_KEYS[field];
  const directive = patch.find(p => isPlainObject(p) && p.$patch === 'replace');
  if (!mergeKey || !Array.isArray(target) || directive) {
    return patch
      .filter(p => !(isPlainObject(p) && p.$patch === 'replace'))
      .map(p => structuredClone(p));
  }
  const result: Json[] = target.map(t => structuredClone(t));
  for (const item of patch) {
    if (!isPlainObject(item)) {
      result.push(structuredClone(item));
      continue;
    }
    const keyValue = item[mergeKey];
    const index = result.findIndex(
      r => isPlainObject(r) && r[mergeKey] === keyValue,
    );
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMergePatch(result[index], item);
    } else {
      result.push(strategicMergePatch({}, item));
    }
  }
  return result;
}

/** Strategic merge patch, as far as the simulator needs it. */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return structuredClone(rest);
  }
  const result: Record<string, Json> = isPlainObject(target)
    ? { ...target }
    : {};
  for (const [key, value] of Object.entries(patch)) {
    if (
      key === '$patch' ||
      key.startsWith('$setElementOrder/') ||
      key === '$retainKeys'
    )
      continue;
    if (value === null) delete result[key];
    else if (Array.isArray(value))
      result[key] = strategicList(key, result[key], value);
    else result[key] = strategicMergePatch(result[key], value);
  }
  return result;
}

/** One RFC 6902 operation. */
interface JsonPatchOp {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/'))
    throw new PatchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[]): { parent: Json; key: string } {
  let current = doc;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isPlainObject(current)) current = current[part];
    else current = undefined;
    if (current === undefined)
      throw new PatchError(`path not found: /${parts.join('/')}`);
  }
  return { parent: current, key: parts[parts.length - 1] };
}

function getAt(doc: Json, path: string): Json {
  const parts = pointer(path);
  if (parts.length === 0) return doc;
  const { parent, key } = parentOf(doc, parts);
  let value: Json = undefined;
  if (Array.isArray(parent)) value = parent[Number(key)];
  else if (isPlainObject(parent)) value = parent[key];
  if (value === undefined) throw new PatchError(`path not found: ${path}`);
  return value;
}

function removeAt(doc: Json, path: string): void {
  const parts = pointer(path);
  const { parent, key } = parentOf(doc, parts);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!(index >= 0 && index < parent.length))
      throw new PatchError(`path not found: ${path}`);
    parent.splice(index, 1);
  } else if (isPlainObject(parent) && key in parent) {
    delete parent[key];
  } else {
    throw new PatchError(`path not found: ${path}`);
  }
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const parts = pointer(path);
  if (parts.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, parts);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!(index >= 0 && index <= parent.length))
      throw new PatchError(`bad array index: ${path}`);
    if (replace) parent[index] = structuredClone(value);
    else parent.splice(index, 0, structuredClone(value));
  } else if (isPlainObject(parent)) {
    if (replace && !(key in parent))
      throw new PatchError(`path not found: ${path}`);
    parent[key] = structuredClone(value);
  } else {
    throw new PatchError(`path not found: ${path}`);
  }
  return doc;
}

/** RFC 6902 JSON patch. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops))
    throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of ops as JsonPatchOp[]) {
    switch (raw.op) {
      case 'add':
        doc = addAt(doc, raw.path, raw.value, false);
        break;
      case 'replace':
        doc = addAt(doc, raw.path, raw.value, true);
        break;
      case 'remove':
        removeAt(doc, raw.path);
        break;
      case 'test':
        if (
          JSON.stringify(getAt(doc, raw.path)) !== JSON.stringify(raw.value)
        ) {
          throw new PatchError(`test failed at ${raw.path}`);
        }
        break;
      case 'copy':
        doc = addAt(doc, raw.path, getAt(doc, raw.from ?? ''), false);
        break;
      case 'move': {
        const value = getAt(doc, raw.from ?? '');
        removeAt(doc, raw.from ?? '');
        doc = addAt(doc, raw.path, value, false);
        break;
      }
      default:
        throw new PatchError(`unsupported JSON patch op "${raw.op}"`);
    }
  }
  return doc;
}

/** Content types accepted for PATCH, mapped to their implementation. */
export const PATCH_TYPES: Record<string, (target: Json, patch: Json) => Json> =
  {
    'application/merge-patch+json': mergePatch,
    'application/strategic-merge-patch+json': strategicMergePatch,
    'application/json-patch+json': jsonPatch,
  };
