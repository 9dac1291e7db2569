import { readFileSync, writeFileSync } from 'fs';
import { resolve } from 'path';
import Ajv2020 from 'ajv/dist/2020';
import { manifestCorpus } from './__fixtures__/manifestCorpus';
import {
  MANIFEST_JSON_SCHEMA_ID,
  manifestJsonSchema,
  validateManifest,
} from './index';
import { isAbsoluteUrl } from './settingValues';

/*
 * The checked-in schema/khal-app.schema.json is what editors and the scaffolder read, so it must
 * equal what manifestSchema generates. To regenerate it after changing schema.ts:
 *
 *   cd plugins/ladder-common
 *   KHAL_WRITE_MANIFEST_SCHEMA=1 npx backstage-cli package test --ci src/manifest/jsonSchema
 *   npx prettier --write schema/khal-app.schema.json
 *
 * Key order counts in the comparison (JSON.stringify of both), so a reordered schema.ts shows up
 * as stale too, and the file always reads in the same order as the code.
 */
const schemaFile = resolve(__dirname, '../../schema/khal-app.schema.json');
const generatedText = `${JSON.stringify(manifestJsonSchema, null, 2)}\n`;
const STALE =
  'schema/khal-app.schema.json is stale. Regenerate it with:\n' +
  '  cd plugins/ladder-common && KHAL_WRITE_MANIFEST_SCHEMA=1 npx backstage-cli package test --ci src/manifest/jsonSchema && npx prettier --write schema/khal-app.schema.json';

if (process.env.KHAL_WRITE_MANIFEST_SCHEMA) {
  writeFileSync(schemaFile, generatedText);
}

function compileCheckedInSchema() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  // Formats are annotations unless a validator is told how to check them. These two use the
  // same rules as validateManifest, so the comparison below is about the schema, not formats.
  ajv.addFormat('regex', value => {
    try {
      // eslint-disable-next-line no-new
      new RegExp(value, 'u');
      return true;
    } catch {
      return false;
    }
  });
  ajv.addFormat('uri', isAbsoluteUrl);
  return ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
}

describe('manifestJsonSchema', () => {
  it('is checked in as schema/khal-app.schema.json, unchanged', () => {
    // Compared as JSON, not text, so `prettier --write` on the file does not make it "stale".
    const checkedIn: unknown = JSON.parse(readFileSync(schemaFile, 'utf8'));
    const upToDate =
      JSON.stringify(checkedIn) === JSON.stringify(manifestJsonSchema);
    expect(upToDate ? 'up to date' : STALE).toBe('up to date');
  });

  it('names itself and its dialect', () => {
    expect(manifestJsonSchema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: MANIFEST_JSON_SCHEMA_ID,
      title: 'khal-app.json',
      type: 'object',
    });
  });

  it('forbids unknown keys in every object', () => {
    const objects: Array<{ path: string; schema: Record<string, unknown> }> =
      [];
    const visit = (node: unknown, path: string) => {
      if (Array.isArray(node)) {
        node.forEach((item, i) => visit(item, `${path}/${i}`));
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, unknown>;
      if (schema.type === 'object') objects.push({ path, schema });
      for (const [key, value] of Object.entries(schema)) {
        if (key !== 'examples' && key !== 'default')
          visit(value, `${path}/${key}`);
      }
    };
    visit(manifestJsonSchema, '#');
    expect(objects.map(o => o.path)).toEqual([
      '#',
      '#/properties/runtime',
      '#/properties/env/items',
      '#/properties/deploy',
      '#/properties/deploy/properties/kubernetes',
    ]);
    for (const { schema } of objects)
      expect(schema.additionalProperties).toBe(false);
  });

  it('describes every property so editors can show help', () => {
    const undocumented: string[] = [];
    const visit = (schema: Record<string, unknown>, path: string) => {
      const properties = (schema.properties ?? {}) as Record<
        string,
        Record<string, unknown>
      >;
      for (const [key, property] of Object.entries(properties)) {
        if (typeof property.description !== 'string')
          undocumented.push(`${path}.${key}`);
        visit(property, `${path}.${key}`);
        if (property.items)
          visit(property.items as Record<string, unknown>, `${path}.${key}[]`);
      }
    };
    visit(manifestJsonSchema, '$');
    expect(undocumented).toEqual([]);
  });
});

/*
 * The JSON Schema and validateManifest must agree on what a valid manifest is. Rows that rely on
 * a rule JSON Schema cannot state are marked `zodOnly` in the corpus (with the reason); for them
 * the test asserts the schema accepts what validateManifest rejects, so the list cannot grow
 * silently. Text that is not JSON has no value to give ajv and is checked on the zod side only.
 */
describe('agreement between validateManifest and the JSON Schema (ajv)', () => {
  const validate = compileCheckedInSchema();

  const parseForAjv = (
    input: unknown,
  ): { parsed: true; value: unknown } | { parsed: false } => {
    if (typeof input !== 'string') return { parsed: true, value: input };
    try {
      return { parsed: true, value: JSON.parse(input.replace(/^\uFEFF/, '')) };
    } catch {
      return { parsed: false };
    }
  };

  it('keeps the zod-only list small', () => {
    const zodOnly = manifestCorpus.filter(row => row.zodOnly);
    expect(zodOnly.length).toBeLessThanOrEqual(8);
  });

  it.each(manifestCorpus.map(row => [row.title, row] as const))(
    'gives the same verdict on %s',
    (_title, row) => {
      const valid = row.problems.length === 0;
      const forAjv = parseForAjv(row.input);
      const verdicts = {
        zod: validateManifest(row.input).ok,
        ajv: forAjv.parsed ? (validate(forAjv.value) as boolean) : 'not JSON',
        ajvErrors: null as unknown,
      };
      if (forAjv.parsed && verdicts.ajv !== (valid || Boolean(row.zodOnly))) {
        verdicts.ajvErrors = validate.errors;
      }
      let expected: { zod: boolean; ajv: boolean | string };
      if (!forAjv.parsed) expected = { zod: false, ajv: 'not JSON' };
      else if (row.zodOnly) expected = { zod: false, ajv: true };
      else expected = { zod: valid, ajv: valid };
      expect(verdicts).toEqual({ ...expected, ajvErrors: null });
    },
  );
});
