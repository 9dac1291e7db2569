/*
 * Manifests, valid and invalid, with the exact problems `validateManifest` reports for each.
 * Shared by the table test (zod side) and the agreement test (the JSON Schema under ajv).
 */

/** The problem a row expects: path and message exactly, and a piece of the fix. */
export interface ExpectedProblem {
  path: string;
  message: string;
  fixContains?: string;
}

export interface CorpusRow {
  title: string;
  /** A value (as if already parsed) or the text of a khal-app.json. */
  input: unknown;
  /** Empty for a valid manifest. */
  problems: ExpectedProblem[];
  /**
   * Why only `validateManifest` rejects this row: the rule is one JSON Schema cannot state.
   * The agreement test asserts that ajv accepts it and zod does not, so the list stays honest.
   */
  zodOnly?: string;
}

/** The design document's example manifest. */
export function designExample(): Record<string, any> {
  return {
    apiVersion: 'khal.ai/v1',
    name: 'orders-api',
    title: 'Orders API',
    owner: 'group:default/team-orders',
    runtime: {
      kind: 'node',
      build: 'npm run build',
      typecheck: 'npm run typecheck',
      start: 'node dist/index.js',
      port: 8080,
      health: '/healthz',
    },
    env: [
      {
        name: 'DATABASE_URL',
        description: 'Orders database',
        required: true,
        secret: true,
      },
      {
        name: 'LOG_LEVEL',
        required: false,
        default: 'info',
        enum: ['debug', 'info', 'warn'],
      },
    ],
    deploy: { kubernetes: { id: 'orders-api', chart: 'deploy/chart' } },
  };
}

function minimal(): Record<string, any> {
  return {
    apiVersion: 'khal.ai/v1',
    name: 'orders-api',
    title: 'Orders API',
    owner: 'group:default/team-orders',
    runtime: { kind: 'node', start: 'node dist/index.js' },
  };
}

/** The design example with one change. */
function changed(
  change: (m: Record<string, any>) => void,
): Record<string, any> {
  const manifest = designExample();
  change(manifest);
  return manifest;
}

/** The minimal manifest with one setting. */
function withSetting(setting: Record<string, unknown>): Record<string, any> {
  return { ...minimal(), env: [setting] };
}

function nestedArrays(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

export const manifestCorpus: CorpusRow[] = [
  // --- valid -----------------------------------------------------------------------------
  { title: 'the design example', input: designExample(), problems: [] },
  {
    title: 'the minimal manifest (env defaults to [])',
    input: minimal(),
    problems: [],
  },
  {
    title: 'every optional field',
    input: {
      $schema: 'https://khal.ai/schemas/khal-app.schema.json',
      ...minimal(),
      description: 'Takes orders.',
      owner: 'user:alice',
      runtime: {
        kind: 'container',
        start: 'docker run orders',
        port: 65535,
        health: '/',
      },
      env: [
        {
          name: 'REGION',
          description: 'Where it runs',
          required: false,
          secret: false,
          default: 'eu-1',
          enum: ['eu-1', 'us-1'],
          pattern: '^[a-z]+-[0-9]$',
          type: 'string',
          rungs: ['dev', 'hml', 'prod'],
        },
      ],
      deploy: {
        kubernetes: {
          id: 'Orders.API_v2',
          chart: './deploy/chart',
          namespace: 'orders',
        },
      },
    },
    problems: [],
  },
  {
    title: 'typed defaults of every type',
    input: {
      ...minimal(),
      env: [
        { name: 'TIMEOUT_S', type: 'number', default: '-1.5e3' },
        { name: 'VERBOSE', type: 'boolean', default: 'false' },
        { name: 'UPSTREAM', type: 'url', default: 'postgres://db:5432/orders' },
        { name: 'LIMITS', type: 'json', default: '{"rps": 10}' },
      ],
    },
    problems: [],
  },
  {
    title: 'a 63-character name',
    input: { ...minimal(), name: `a${'b'.repeat(62)}` },
    problems: [],
  },
  {
    title: 'a static site without port',
    input: {
      ...minimal(),
      runtime: { kind: 'static', start: 'npx serve dist' },
    },
    problems: [],
  },
  {
    title: 'text with a byte order mark and CRLF line ends',
    input: `\uFEFF${JSON.stringify(minimal(), null, 2).replace(/\n/g, '\r\n')}`,
    problems: [],
  },
  {
    title: 'a secret that is optional',
    input: withSetting({
      name: 'SENTRY_DSN',
      secret: true,
      required: false,
      rungs: ['prod'],
    }),
    problems: [],
  },

  // --- identity ----------------------------------------------------------------------------
  {
    title: 'apiVersion missing',
    input: changed(m => delete m.apiVersion),
    problems: [
      {
        path: '$.apiVersion',
        message: 'required key "apiVersion" is missing',
        fixContains: 'add "apiVersion": "khal.ai/v1"',
      },
    ],
  },
  {
    title: 'apiVersion of another version',
    input: changed(m => (m.apiVersion = 'khal.ai/v2')),
    problems: [
      {
        path: '$.apiVersion',
        message: 'must be "khal.ai/v1", found "khal.ai/v2"',
        fixContains: '"apiVersion": "khal.ai/v1"',
      },
    ],
  },
  {
    title: 'name not kebab-case',
    input: changed(m => (m.name = 'Orders_API')),
    problems: [
      {
        path: '$.name',
        message:
          '"Orders_API" is not a valid app name (lower-case letters, digits and "-", starting with a letter, not ending with "-")',
        fixContains: 'rename it to "orders-api"',
      },
    ],
  },
  {
    title: 'name ending with "-"',
    input: changed(m => (m.name = 'orders-')),
    problems: [
      {
        path: '$.name',
        message:
          '"orders-" is not a valid app name (lower-case letters, digits and "-", starting with a letter, not ending with "-")',
        fixContains: '"orders"',
      },
    ],
  },
  {
    title: 'name longer than 63 characters',
    input: changed(m => (m.name = 'a'.repeat(64))),
    problems: [
      {
        path: '$.name',
        message: `"${'a'.repeat(
          60,
        )}…" is 64 characters long; app name is at most 63`,
        fixContains: `rename it to "${'a'.repeat(63)}"`,
      },
    ],
  },
  {
    title: 'title blank',
    input: changed(m => (m.title = '   ')),
    problems: [
      { path: '$.title', message: 'is blank', fixContains: '"Orders API"' },
    ],
  },
  {
    title: 'title a number',
    input: changed(m => (m.title = 42)),
    problems: [
      {
        path: '$.title',
        message: 'expected a string, found the number 42',
        fixContains: '"title": "Orders API"',
      },
    ],
  },
  {
    title: 'description not a string',
    input: changed(m => (m.description = ['Takes orders'])),
    problems: [
      {
        path: '$.description',
        message: 'expected a string, found an array',
        fixContains: 'write a string',
      },
    ],
  },
  {
    title: 'owner without a kind',
    input: changed(m => (m.owner = 'team-orders')),
    problems: [
      {
        path: '$.owner',
        message: '"team-orders" is not a catalog group or user ref',
        fixContains: '"group:default/team-orders"',
      },
    ],
  },
  {
    title: 'owner of the wrong kind',
    input: changed(m => (m.owner = 'component:default/orders-api')),
    problems: [
      {
        path: '$.owner',
        message:
          '"component:default/orders-api" is not a catalog group or user ref',
        fixContains: 'owners are catalog groups or users',
      },
    ],
  },
  {
    title: 'unknown root key close to a known one',
    input: changed(m => (m.owners = m.owner)),
    problems: [
      {
        path: '$.owners',
        message: 'unknown key "owners"',
        fixContains: 'rename it to "owner"',
      },
    ],
  },

  // --- runtime -----------------------------------------------------------------------------
  {
    title: 'runtime missing',
    input: changed(m => delete m.runtime),
    problems: [
      {
        path: '$.runtime',
        message: 'required key "runtime" is missing',
        fixContains:
          'add "runtime": {"kind":"node","start":"node dist/index.js"}',
      },
    ],
  },
  {
    title: 'runtime.start missing',
    input: changed(m => delete m.runtime.start),
    problems: [
      {
        path: '$.runtime.start',
        message: 'required key "start" is missing',
        fixContains: 'add "start": "node dist/index.js"',
      },
    ],
  },
  {
    title: 'runtime.kind unknown',
    input: changed(m => (m.runtime.kind = 'nodejs')),
    problems: [
      {
        path: '$.runtime.kind',
        message:
          '"nodejs" is not one of "node", "python", "container" or "static"',
        fixContains: 'use "node"',
      },
    ],
  },
  {
    title: 'port 0',
    input: changed(m => (m.runtime.port = 0)),
    problems: [
      {
        path: '$.runtime.port',
        message: '0 is not a TCP port (1 to 65535)',
        fixContains: '8080',
      },
    ],
  },
  {
    title: 'port above 65535',
    input: changed(m => (m.runtime.port = 70000)),
    problems: [
      {
        path: '$.runtime.port',
        message: '70000 is not a TCP port (1 to 65535)',
        fixContains: '8080',
      },
    ],
  },
  {
    title: 'port quoted',
    input: changed(m => (m.runtime.port = '8080')),
    problems: [
      {
        path: '$.runtime.port',
        message: 'expected a number, found the string "8080"',
        fixContains: 'remove the quotes: 8080',
      },
    ],
  },
  {
    title: 'port not whole',
    input: changed(m => (m.runtime.port = 8080.5)),
    problems: [
      {
        path: '$.runtime.port',
        message: 'expected a whole number, found the number 8080.5',
        fixContains: '"port": 8080',
      },
    ],
  },
  {
    title: 'health without the leading "/"',
    input: changed(m => (m.runtime.health = 'healthz')),
    problems: [
      {
        path: '$.runtime.health',
        message: '"healthz" is not a URL path starting with "/"',
        fixContains: 'write it as "/healthz"',
      },
    ],
  },
  {
    title: 'blank build command',
    input: changed(m => (m.runtime.build = '')),
    problems: [
      {
        path: '$.runtime.build',
        message: 'is blank',
        fixContains: 'or remove the key',
      },
    ],
  },
  {
    title: 'misspelt runtime key',
    input: changed(m => (m.runtime.prot = 8080)),
    problems: [
      {
        path: '$.runtime.prot',
        message: 'unknown key "prot"',
        fixContains: 'rename it to "port"',
      },
    ],
  },

  // --- env ---------------------------------------------------------------------------------
  {
    title: 'env is an object',
    input: changed(m => (m.env = { DATABASE_URL: { secret: true } })),
    problems: [
      {
        path: '$.env',
        message: 'expected an array, found an object',
        fixContains: 'write an array',
      },
    ],
  },
  {
    title: 'a setting is a string',
    input: changed(m => (m.env = ['DATABASE_URL'])),
    problems: [
      {
        path: '$.env[0]',
        message: 'expected an object, found the string "DATABASE_URL"',
        fixContains: 'write an object, e.g. {"name":"LOG_LEVEL"',
      },
    ],
  },
  {
    title: 'setting name not UPPER_SNAKE',
    input: changed(m => (m.env[1].name = 'database_url')),
    problems: [
      {
        path: '$.env[1].name',
        message: '"database_url" is not UPPER_SNAKE',
        fixContains: 'rename it to "DATABASE_URL"',
      },
    ],
  },
  {
    title: 'setting name missing',
    input: changed(m => delete m.env[0].name),
    problems: [
      {
        path: '$.env[0].name',
        message: 'required key "name" is missing',
        fixContains:
          'add "name": "DATABASE_URL" (environment variable name, UPPER_SNAKE (e.g. DATABASE_URL))',
      },
    ],
  },
  {
    title: 'duplicate setting names',
    input: changed(m => m.env.push({ name: 'LOG_LEVEL', required: false })),
    zodOnly:
      'JSON Schema cannot require a property to be unique across array items',
    problems: [
      {
        path: '$.env[2].name',
        message: '"LOG_LEVEL" is already declared at $.env[1]',
        fixContains: 'rename one',
      },
    ],
  },
  {
    title: 'a secret with a default',
    input: changed(m => (m.env[0].default = 'postgres://localhost/orders')),
    problems: [
      {
        path: '$.env[0].default',
        message: 'secret settings never have a default',
        fixContains: 'App Setting',
      },
    ],
  },
  {
    title: 'a secret with a value',
    input: changed(m => (m.env[0].value = 'hunter2')),
    problems: [
      {
        path: '$.env[0].value',
        message:
          'secret settings never carry a value in the repo; supply it per target as an App Setting',
        fixContains: 'remove "value"',
      },
    ],
  },
  {
    title: 'a plain setting with a value',
    input: changed(m => (m.env[1].value = 'debug')),
    problems: [
      {
        path: '$.env[1].value',
        message:
          'settings never carry a value in the repo; values are supplied per target as App Settings',
        fixContains: 'use "default"',
      },
    ],
  },
  {
    title: 'required as a string',
    input: changed(m => (m.env[1].required = 'false')),
    problems: [
      {
        path: '$.env[1].required',
        message: 'expected true or false, found the string "false"',
        fixContains: 'remove the quotes: false',
      },
    ],
  },
  {
    title: 'misspelt setting keys',
    input: withSetting({ name: 'LOG_LEVEL', requried: false, defualt: 'info' }),
    problems: [
      {
        path: '$.env[0].requried',
        message: 'unknown key "requried"',
        fixContains: 'rename it to "required"',
      },
      {
        path: '$.env[0].defualt',
        message: 'unknown key "defualt"',
        fixContains: 'rename it to "default"',
      },
    ],
  },
  {
    title: 'default outside its enum',
    input: changed(m => (m.env[1].default = 'trace')),
    zodOnly:
      'JSON Schema cannot compare one property with the items of another',
    problems: [
      {
        path: '$.env[1].default',
        message:
          'default "trace" is not one of the allowed values "debug", "info" or "warn"',
        fixContains: 'add "trace" to "enum"',
      },
    ],
  },
  {
    title: 'default not matching its pattern',
    input: withSetting({
      name: 'REGION',
      default: 'EU-1',
      pattern: '^[a-z]+-[0-9]$',
    }),
    zodOnly: 'JSON Schema cannot use one property as the pattern of another',
    problems: [
      {
        path: '$.env[0].default',
        message: 'default "EU-1" does not match pattern "^[a-z]+-[0-9]$"',
        fixContains: 'loosen the pattern',
      },
    ],
  },
  {
    title: 'pattern that is not a regular expression',
    input: withSetting({ name: 'REGION', pattern: '([a-z]+' }),
    problems: [
      {
        path: '$.env[0].pattern',
        message:
          '"([a-z]+" is not a valid regular expression (Invalid regular expression: /([a-z]+/u: Unterminated group)',
        fixContains: 'fix the regular expression',
      },
    ],
  },
  {
    title: 'pattern with a repetition inside a repetition',
    input: withSetting({ name: 'TAGS', pattern: '^([a-z]+,)*$' }),
    zodOnly:
      'backtracking safety is a property of the regex engine, not of JSON Schema',
    problems: [
      {
        path: '$.env[0].pattern',
        message:
          '"^([a-z]+,)*$" repeats a group that itself contains a repetition, which can take exponential time to match',
        fixContains: 'rewrite it',
      },
    ],
  },
  {
    title: 'a number setting with a word as default',
    input: withSetting({ name: 'TIMEOUT_S', type: 'number', default: 'fast' }),
    problems: [
      {
        path: '$.env[0].default',
        message: 'default "fast" is not a number (type "number")',
        fixContains: '"30"',
      },
    ],
  },
  {
    title: 'a boolean setting with "yes" as default',
    input: withSetting({ name: 'VERBOSE', type: 'boolean', default: 'yes' }),
    problems: [
      {
        path: '$.env[0].default',
        message: 'default "yes" is not "true" or "false" (type "boolean")',
        fixContains: '"true" or "false"',
      },
    ],
  },
  {
    title: 'a url setting with a host name as default',
    input: withSetting({
      name: 'UPSTREAM',
      type: 'url',
      default: 'orders.internal',
    }),
    problems: [
      {
        path: '$.env[0].default',
        message:
          'default "orders.internal" is not an absolute URL (type "url")',
        fixContains: 'https://example.com',
      },
    ],
  },
  {
    title: 'a json setting with broken JSON as default',
    input: withSetting({ name: 'LIMITS', type: 'json', default: '{rps: 10}' }),
    zodOnly: 'JSON Schema has no "is JSON text" format',
    problems: [
      {
        path: '$.env[0].default',
        message: 'default "{rps: 10}" is not valid JSON (type "json")',
        fixContains: 'valid JSON text',
      },
    ],
  },
  {
    title: 'an unknown setting type',
    input: withSetting({ name: 'PORT', type: 'integer' }),
    problems: [
      {
        path: '$.env[0].type',
        message:
          '"integer" is not one of "string", "number", "boolean", "url" or "json"',
        fixContains: 'use one of',
      },
    ],
  },
  {
    title: 'an empty enum',
    input: withSetting({ name: 'LOG_LEVEL', enum: [] }),
    problems: [
      {
        path: '$.env[0].enum',
        message: 'is empty',
        fixContains: 'at least one allowed value',
      },
    ],
  },
  {
    title: 'an enum listing a value twice',
    input: withSetting({ name: 'LOG_LEVEL', enum: ['info', 'warn', 'info'] }),
    problems: [
      {
        path: '$.env[0].enum[2]',
        message: '"info" is listed twice',
        fixContains: 'remove the duplicate',
      },
    ],
  },
  {
    title: 'empty rungs',
    input: withSetting({ name: 'SENTRY_DSN', rungs: [] }),
    problems: [
      {
        path: '$.env[0].rungs',
        message: 'is empty',
        fixContains: 'remove "rungs"',
      },
    ],
  },
  {
    title: 'a rung id in capitals',
    input: withSetting({ name: 'SENTRY_DSN', rungs: ['dev', 'Prod'] }),
    problems: [
      {
        path: '$.env[0].rungs[1]',
        message:
          '"Prod" is not a rung id (lower-case letters, digits, "-" or "_")',
        fixContains: '"prod"',
      },
    ],
  },

  // --- deploy ------------------------------------------------------------------------------
  {
    title: 'kubernetes without id',
    input: changed(m => delete m.deploy.kubernetes.id),
    problems: [
      {
        path: '$.deploy.kubernetes.id',
        message: 'required key "id" is missing',
        fixContains: 'add "id": "orders-api"',
      },
    ],
  },
  {
    title: 'an absolute chart path',
    input: changed(m => (m.deploy.kubernetes.chart = '/srv/deploy/chart')),
    problems: [
      {
        path: '$.deploy.kubernetes.chart',
        message: '"/srv/deploy/chart" is an absolute path',
        fixContains: '"srv/deploy/chart"',
      },
    ],
  },
  {
    title: 'a chart path leaving the repository',
    input: changed(
      m => (m.deploy.kubernetes.chart = 'deploy/../../shared/chart'),
    ),
    problems: [
      {
        path: '$.deploy.kubernetes.chart',
        message:
          '"deploy/../../shared/chart" leaves the repository through ".."',
        fixContains: '"deploy/shared/chart"',
      },
    ],
  },
  {
    title: 'a namespace in capitals',
    input: changed(m => (m.deploy.kubernetes.namespace = 'Orders')),
    problems: [
      {
        path: '$.deploy.kubernetes.namespace',
        message:
          '"Orders" is not a valid namespace (lower-case letters, digits and "-", starting with a letter, not ending with "-")',
        fixContains: '"orders"',
      },
    ],
  },
  {
    title: 'an unknown key under deploy.kubernetes',
    input: changed(m => (m.deploy.kubernetes.cluster = 'dev-kind')),
    problems: [
      {
        path: '$.deploy.kubernetes.cluster',
        message: 'unknown key "cluster"',
        fixContains: 'allowed keys here are id, chart, namespace',
      },
    ],
  },

  // --- roots and hostile input ---------------------------------------------------------------
  {
    title: 'an array root',
    input: [designExample()],
    problems: [
      {
        path: '$',
        message: 'the manifest must be a JSON object, found an array',
        fixContains: 'one JSON object',
      },
    ],
  },
  {
    title: 'a null root',
    input: null,
    problems: [
      {
        path: '$',
        message: 'the manifest must be a JSON object, found null',
        fixContains: 'one JSON object',
      },
    ],
  },
  {
    title: 'a JSON string root',
    input: '"orders-api"',
    problems: [
      {
        path: '$',
        message:
          'the manifest must be a JSON object, found the string "orders-api"',
        fixContains: 'one JSON object',
      },
    ],
  },
  {
    title: '"__proto__" in a setting',
    input: JSON.stringify(designExample()).replace(
      '{"name":"LOG_LEVEL"',
      '{"__proto__":{"secret":false},"name":"LOG_LEVEL"',
    ),
    problems: [
      {
        path: '$.env[1].__proto__',
        message:
          '"__proto__" is not allowed as a key (it names a JavaScript object internal)',
        fixContains: 'remove the "__proto__" key',
      },
    ],
  },
  {
    title: '"constructor" at the root',
    // Spread copies the own "constructor" key that JSON.parse creates.
    input: {
      ...designExample(),
      ...JSON.parse('{"constructor": {"name": "x"}}'),
    },
    problems: [
      {
        path: '$.constructor',
        message:
          '"constructor" is not allowed as a key (it names a JavaScript object internal)',
        fixContains: 'remove',
      },
    ],
  },
  {
    title: '"prototype" under runtime',
    input: changed(m => (m.runtime.prototype = {})),
    problems: [
      {
        path: '$.runtime.prototype',
        message:
          '"prototype" is not allowed as a key (it names a JavaScript object internal)',
        fixContains: 'remove',
      },
    ],
  },
  {
    title: 'nesting deeper than 32 levels',
    input: changed(m => (m.description = nestedArrays(40))),
    problems: [
      {
        path: `$.description${'[0]'.repeat(31)}`,
        message: 'nesting is deeper than 32 levels',
        fixContains: 'remove the extra nesting',
      },
    ],
  },
  {
    title: 'nesting deeper than 32 levels, as text',
    input: JSON.stringify(changed(m => (m.description = nestedArrays(40)))),
    problems: [
      {
        path: `$.description${'[0]'.repeat(31)}`,
        message: 'nesting is deeper than 32 levels (line 1, column 540)',
        fixContains: 'remove the extra nesting',
      },
    ],
  },
  {
    title: 'larger than 256 KiB',
    input: changed(m => (m.description = 'x'.repeat(300 * 1024))),
    zodOnly: 'the size limit belongs to the validator, not to the format',
    problems: [
      {
        path: '$',
        message: 'the manifest is larger than 262144 bytes of JSON',
        fixContains: 'a few kilobytes',
      },
    ],
  },

  // --- text ----------------------------------------------------------------------------------
  {
    title: 'a trailing comma',
    input: '{\n  "apiVersion": "khal.ai/v1",\n  "name": "orders-api",\n}\n',
    problems: [
      {
        path: '$',
        message: 'invalid JSON at line 3, column 23: trailing comma before "}"',
        fixContains: 'remove the comma',
      },
    ],
  },
  {
    title: 'single quotes',
    input: "{\n  'apiVersion': 'khal.ai/v1'\n}",
    problems: [
      {
        path: '$',
        message:
          'invalid JSON at line 2, column 3: found a single quote, expected a property name in double quotes',
        fixContains: 'double quotes',
      },
    ],
  },
  {
    title: 'a comment',
    input: '{\n  // the app\n  "name": "x"\n}',
    problems: [
      {
        path: '$',
        message:
          'invalid JSON at line 2, column 3: found a comment; JSON has no comments',
        fixContains: 'remove the comment',
      },
    ],
  },
  {
    title: 'a missing comma',
    input: '{\n  "apiVersion": "khal.ai/v1"\n  "name": "orders-api"\n}',
    problems: [
      {
        path: '$',
        message:
          'invalid JSON at line 3, column 3: found the start of a string, expected "," or "}"',
        fixContains: 'separate properties with ","',
      },
    ],
  },
  {
    title: 'text cut short',
    input: '{"apiVersion": "khal.ai/v1", "runtime": {"kind": "node"',
    problems: [
      {
        path: '$',
        message:
          'invalid JSON at line 1, column 56: unexpected end of the text, expected "," or "}"',
        fixContains: 'complete the JSON',
      },
    ],
  },
  {
    title: 'an empty file',
    input: '  \n',
    problems: [
      {
        path: '$',
        message: 'invalid JSON at line 2, column 1: the text is empty',
        fixContains: 'JSON object',
      },
    ],
  },
  {
    title: 'the same key twice',
    input: JSON.stringify(minimal()).replace(
      '"title":"Orders API"',
      '"title":"Orders API","title":"Orders"',
    ),
    zodOnly:
      'a parsed value cannot show a duplicate key: JSON.parse keeps the last one',
    problems: [
      {
        path: '$.title',
        message:
          'key "title" appears more than once in the same object (again at line 1, column 69); only the last one would count',
        fixContains: 'keep one',
      },
    ],
  },
];
