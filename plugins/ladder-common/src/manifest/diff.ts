import { KhalAppManifest, ManifestSetting } from './schema';

/** A field value as it appears in a diff. */
export type ManifestDiffValue =
  | string
  | number
  | boolean
  | string[]
  | undefined;

/** @public */
export interface ManifestFieldChange<Field extends string> {
  field: Field;
  from: ManifestDiffValue;
  to: ManifestDiffValue;
}

/** The setting fields a diff compares; `description` is prose and left out on purpose. @public */
export type ManifestSettingField =
  | 'required'
  | 'secret'
  | 'default'
  | 'enum'
  | 'pattern'
  | 'type'
  | 'rungs';
/** @public */
export type ManifestRuntimeField =
  | 'kind'
  | 'build'
  | 'typecheck'
  | 'start'
  | 'port'
  | 'health';
/** @public */
export type ManifestIdentityField = 'name' | 'title' | 'description' | 'owner';
/** @public */
export type ManifestDeployField =
  | 'kubernetes.id'
  | 'kubernetes.chart'
  | 'kubernetes.namespace';

/**
 * What changed between two manifests, as the deploy plan and the HML "what changed vs shared dev"
 * question need it. Settings are compared by name; values never appear because the manifest has
 * none (and a secret's `default`, should one slip through unvalidated, is dropped).
 * @public
 */
export interface ManifestDiff {
  settingsAdded: ManifestSetting[];
  settingsRemoved: ManifestSetting[];
  settingsChanged: Array<{
    name: string;
    changes: Array<ManifestFieldChange<ManifestSettingField>>;
  }>;
  runtimeChanges: Array<ManifestFieldChange<ManifestRuntimeField>>;
  identityChanges: Array<ManifestFieldChange<ManifestIdentityField>>;
  /** Changes under `deploy`, e.g. a new Kubernetes id (which re-targets the entity's objects). */
  deployChanges: Array<ManifestFieldChange<ManifestDeployField>>;
}

const settingFields: ManifestSettingField[] = [
  'required',
  'secret',
  'default',
  'enum',
  'pattern',
  'type',
  'rungs',
];
const runtimeFields: ManifestRuntimeField[] = [
  'kind',
  'build',
  'typecheck',
  'start',
  'port',
  'health',
];
const identityFields: ManifestIdentityField[] = [
  'name',
  'title',
  'description',
  'owner',
];

/** Secrets have no default by schema; this keeps it so for manifests built by hand. */
function withoutSecretValue(setting: ManifestSetting): ManifestSetting {
  if (!setting.secret || setting.default === undefined) return { ...setting };
  const { default: _dropped, ...rest } = setting;
  return rest;
}

function settingValue(
  setting: ManifestSetting,
  field: ManifestSettingField,
): ManifestDiffValue {
  if (field === 'default' && setting.secret) return undefined;
  const value = setting[field];
  return Array.isArray(value) ? [...value] : value;
}

function same(
  a: ManifestDiffValue,
  b: ManifestDiffValue,
  unordered: boolean,
): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const left = unordered ? [...a].sort() : a;
    const right = unordered ? [...b].sort() : b;
    return left.every((v, i) => v === right[i]);
  }
  return a === b;
}

function compare<Field extends string>(
  fields: readonly Field[],
  from: (field: Field) => ManifestDiffValue,
  to: (field: Field) => ManifestDiffValue,
): Array<ManifestFieldChange<Field>> {
  const changes: Array<ManifestFieldChange<Field>> = [];
  for (const field of fields) {
    const before = from(field);
    const after = to(field);
    if (!same(before, after, field === 'rungs'))
      changes.push({ field, from: before, to: after });
  }
  return changes;
}

/**
 * Compares two manifests; `from` is undefined for an app's first manifest, in which case
 * everything in `to` counts as added or changed from undefined.
 * @public
 */
export function diffManifests(
  from: KhalAppManifest | undefined,
  to: KhalAppManifest,
): ManifestDiff {
  const before = new Map((from?.env ?? []).map(s => [s.name, s] as const));
  const after = new Map(to.env.map(s => [s.name, s] as const));

  const settingsChanged: ManifestDiff['settingsChanged'] = [];
  for (const setting of to.env) {
    const previous = before.get(setting.name);
    if (!previous) continue;
    const changes = compare(
      settingFields,
      field => settingValue(previous, field),
      field => settingValue(setting, field),
    );
    if (changes.length > 0)
      settingsChanged.push({ name: setting.name, changes });
  }

  const kubernetes = (m: KhalAppManifest | undefined) => m?.deploy?.kubernetes;
  return {
    settingsAdded: to.env
      .filter(s => !before.has(s.name))
      .map(withoutSecretValue),
    settingsRemoved: (from?.env ?? [])
      .filter(s => !after.has(s.name))
      .map(withoutSecretValue),
    settingsChanged,
    runtimeChanges: compare(
      runtimeFields,
      field => from?.runtime[field],
      field => to.runtime[field],
    ),
    identityChanges: compare(
      identityFields,
      field => from?.[field],
      field => to[field],
    ),
    deployChanges: compare<ManifestDeployField>(
      ['kubernetes.id', 'kubernetes.chart', 'kubernetes.namespace'],
      field =>
        kubernetes(from)?.[
          field.slice('kubernetes.'.length) as 'id' | 'chart' | 'namespace'
        ],
      field =>
        kubernetes(to)?.[
          field.slice('kubernetes.'.length) as 'id' | 'chart' | 'namespace'
        ],
    ),
  };
}
