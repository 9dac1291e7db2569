export {
  MANIFEST_API_VERSION,
  MANIFEST_FILENAME,
  manifestSchema,
} from './schema';
export type {
  KhalAppManifest,
  KhalAppManifestInput,
  ManifestRuntime,
  ManifestRuntimeKind,
  ManifestSetting,
} from './schema';
export {
  manifestSettingTypes,
  valueTypeMismatch,
  compileSettingPattern,
} from './settingValues';
export type { ManifestSettingType } from './settingValues';
export {
  MANIFEST_DEFAULT_MAX_BYTES,
  MANIFEST_DEFAULT_MAX_DEPTH,
  settingsForRung,
  validateManifest,
} from './validate';
export type {
  ManifestValidationOptions,
  ManifestValidationResult,
} from './validate';
export { formatManifestProblems } from './problems';
export type { ManifestProblem } from './problems';
export { diffManifests } from './diff';
export type {
  ManifestDeployField,
  ManifestDiff,
  ManifestDiffValue,
  ManifestFieldChange,
  ManifestIdentityField,
  ManifestRuntimeField,
  ManifestSettingField,
} from './diff';
export { MANIFEST_JSON_SCHEMA_ID, manifestJsonSchema } from './jsonSchema';
