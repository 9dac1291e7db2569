/*
 * PATCH bodies: JSON merge patch (RFC 7386), a strategic-merge subset
 * (lists of known kinds merged by their merge key, `$patch: delete|replace`),
 * and JSON patch (RFC 6902: add, remove, replace, test, copy, move).
 */
import { applyPatch, JsonPatchError, type Operation, validate } from 'fast-json-patch';

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
/** RFC 6902 JSON patch (fast-json-patch, operations validated first; the target is not changed). */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops))
    throw new PatchError('a JSON patch must be an array of operations');
  const doc = structuredClone(target);
  const problem = validate(ops as Operation[], doc);
  if (problem) throw new PatchError(`${problem.name}: ${problem.message.split('\n')[0]}`);
  try {
    return applyPatch(doc, ops as Operation[], false, true).newDocument;
  } catch (error) {
    if (error instanceof JsonPatchError) {
      throw new PatchError(`${error.name}: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
}

/** Content types accepted for PATCH, mapped to their implementation. */
export const PATCH_TYPES: Record<string, (target: Json, patch: Json) => Json> =
  {
    'application/merge-patch+json': mergePatch,
    'application/strategic-merge-patch+json': strategicMergePatch,
    'application/json-patch+json': jsonPatch,
  };
