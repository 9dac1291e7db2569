import { z } from 'zod';
import { manifestSchema } from './schema';

/** Where the schema is published; manifests may point their `$schema` at it. @public */
export const MANIFEST_JSON_SCHEMA_ID =
  'https://khal.ai/schemas/khal-app.schema.json';

/**
 * The khal-app.json manifest as JSON Schema (draft 2020-12), for editors and the scaffolder form.
 *
 * Generated from `manifestSchema` so the two cannot drift; the checked-in copy at
 * `schema/khal-app.schema.json` is compared with this value by a test. It describes the file as
 * written (`io: 'input'`), so fields with defaults are optional. Cross-field rules that JSON Schema
 * can state (a secret has no default; a typed default has the right form) are `allOf` if/then
 * clauses in the schema's metadata; the rest (unique setting names, a default within its enum or
 * pattern, regex safety) are enforced only by `validateManifest`.
 * @public
 */
export const manifestJsonSchema: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: MANIFEST_JSON_SCHEMA_ID,
  title: 'khal-app.json',
  description:
    'Khal Ladder app manifest: identity, owner, runtime, settings contract and deployment of an app. Setting values are never stored here; they are supplied per target as App Settings.',
  ...withoutDialect(
    z.toJSONSchema(manifestSchema, { io: 'input', target: 'draft-2020-12' }),
  ),
};

function withoutDialect(
  schema: Record<string, unknown>,
): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}
