import { z } from 'zod';
import { manifestSettingTypes } from './settingValues';
import { manifestCrossRuleIssues } from './crossRules';
import { quote, toKebabName, toUpperSnake } from './suggestions';

/**
 * The `khal-app.json` manifest: the contract between an app repository and the ladder.
 *
 * Each field carries two kinds of help. `.meta({ description, examples })` ends up in the
 * exported JSON Schema, so editors and the scaffolder form show it. A `manifestFieldHints`
 * entry says how to fix a value the field rejected; it stays out of the JSON Schema and is read
 * by `validateManifest` when it turns zod issues into problems.
 */

/** The file every app repository keeps at its root. @public */
export const MANIFEST_FILENAME = 'khal-app.json';
/** The only manifest version this package reads. @public */
export const MANIFEST_API_VERSION = 'khal.ai/v1';

/** How to put a rejected field right, given the value that was found. */
export interface ManifestFieldHint {
  fix(found: unknown): string;
}

/**
 * Fix hints per field schema. A separate registry (not `.meta()`) so the hints never leak into
 * the JSON Schema.
 */
export const manifestFieldHints = z.registry<ManifestFieldHint>();

const text = (found: unknown) => (typeof found === 'string' ? found : '');

/** A DNS label: what Kubernetes, Helm and URLs all accept as a name. */
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const UPPER_SNAKE = /^[A-Z][A-Z0-9_]*$/;
/** Same rule as rung ids and aliases in the ladder config. */
const RUNG_ID = /^[a-z0-9][a-z0-9_-]*$/;
const OWNER_REF =
  /^(group|user):([a-zA-Z0-9][a-zA-Z0-9._-]*\/)?[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
/** A Kubernetes label value, which is what `backstage.io/kubernetes-id` is matched as. */
const KUBERNETES_ID = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const NOT_BLANK = /\S/;
const NOT_ABSOLUTE = /^(?![/\\])(?![A-Za-z]:)/;
const NO_PARENT_SEGMENT = /^(?!(.*[/\\])?\.\.([/\\]|$))/;

function dnsLabel(
  what: string,
  meta: { description: string; examples: string[] },
) {
  return z
    .string()
    .max(63, {
      error: issue =>
        `${quote(text(issue.input))} is ${
          text(issue.input).length
        } characters long; ${what} is at most 63`,
    })
    .regex(DNS_LABEL, {
      error: issue =>
        `${quote(
          text(issue.input),
        )} is not a valid ${what} (lower-case letters, digits and "-", starting with a letter, not ending with "-")`,
    })
    .meta(meta)
    .register(manifestFieldHints, {
      // Not quote(): a suggested name is at most 63 characters and must be shown whole.
      fix: found => `rename it to ${JSON.stringify(toKebabName(text(found)))}`,
    });
}

function command(description: string, example: string) {
  return z
    .string()
    .regex(NOT_BLANK, { error: 'is blank' })
    .meta({ description, examples: [example] })
    .register(manifestFieldHints, {
      fix: () => `write the command, e.g. ${quote(example)}, or remove the key`,
    });
}

const ownerFix = (found: unknown) => {
  const value = text(found).trim();
  const kindMatch = /^([a-zA-Z]+):/.exec(value);
  if (kindMatch && !/^(group|user)$/.test(kindMatch[1])) {
    return `owners are catalog groups or users: write "group:default/<team>" or "user:default/<person>"`;
  }
  const bare = value.replace(/^[a-zA-Z]+:/, '').replace(/^[^/]*\//, '');
  const name = toKebabName(bare || 'my-team');
  return `write a catalog entity ref such as "group:default/${name}" or "user:default/${name}"`;
};

const settingSchema = z
  .strictObject({
    name: z
      .string()
      .regex(UPPER_SNAKE, {
        error: issue => `${quote(text(issue.input))} is not UPPER_SNAKE`,
      })
      .max(128, { error: 'is longer than 128 characters' })
      .meta({
        description:
          'Environment variable name, UPPER_SNAKE (e.g. DATABASE_URL). Unique within the manifest.',
        examples: ['DATABASE_URL'],
      })
      .register(manifestFieldHints, {
        fix: found =>
          `rename it to ${quote(toUpperSnake(text(found)).slice(0, 128))}`,
      }),
    description: z
      .string()
      .meta({
        description: 'What the setting is for, shown to whoever supplies it.',
      })
      .optional(),
    required: z
      .boolean()
      .meta({
        description:
          'Whether every target must supply the setting before a promotion passes the env-contract gate.',
      })
      .default(true),
    secret: z
      .boolean()
      .meta({
        description:
          'A secret is supplied per target as an App Setting and is never shown; it never has a default or a value in the repo.',
      })
      .default(false),
    default: z
      .string()
      .meta({
        description:
          'Value used when a target does not supply one. Not allowed on secrets. Must satisfy enum, pattern and type.',
        examples: ['info'],
      })
      .optional(),
    enum: z
      .array(z.string())
      .min(1, { error: 'is empty' })
      .meta({
        description: 'The only values the setting may take.',
        uniqueItems: true,
      })
      .register(manifestFieldHints, {
        fix: () => 'list at least one allowed value, or remove "enum"',
      })
      .optional(),
    pattern: z
      .string()
      .meta({
        description:
          'Regular expression (ECMA-262, unicode mode, not anchored: use ^ and $) that a value must match.',
        format: 'regex',
        examples: ['^[a-z]+$'],
      })
      .optional(),
    type: z
      .enum(manifestSettingTypes)
      .meta({
        description:
          'How the value is read: string (default), number, boolean ("true"/"false"), url or json.',
      })
      .optional(),
    rungs: z
      .array(
        z
          .string()
          .regex(RUNG_ID, {
            error: issue =>
              `${quote(
                text(issue.input),
              )} is not a rung id (lower-case letters, digits, "-" or "_")`,
          })
          .register(manifestFieldHints, {
            fix: found =>
              `use a rung id or alias from the ladder config, e.g. ${quote(
                toKebabName(text(found)),
              )}`,
          }),
      )
      .min(1, { error: 'is empty' })
      .meta({
        description:
          'Rung ids or aliases that need this setting. Leave it out when every rung needs it.',
        uniqueItems: true,
        examples: [['dev', 'hml', 'prod']],
      })
      .register(manifestFieldHints, {
        fix: () =>
          'remove "rungs" if every rung needs the setting, or list the rungs that do',
      })
      .optional(),
  })
  .meta({
    description:
      'A setting (environment variable) the app reads. Values are never in the repo.',
    examples: [{ name: 'LOG_LEVEL', required: false, default: 'info' }],
    // Cross-field rules JSON Schema can express; the rest live in crossRules.ts.
    allOf: [
      {
        if: { properties: { secret: { const: true } }, required: ['secret'] },
        then: { properties: { default: false } },
      },
      {
        if: { properties: { type: { const: 'number' } }, required: ['type'] },
        then: {
          properties: {
            default: {
              type: 'string',
              pattern: '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$',
            },
          },
        },
      },
      {
        if: { properties: { type: { const: 'boolean' } }, required: ['type'] },
        then: {
          properties: { default: { type: 'string', enum: ['true', 'false'] } },
        },
      },
      {
        if: { properties: { type: { const: 'url' } }, required: ['type'] },
        then: { properties: { default: { type: 'string', format: 'uri' } } },
      },
    ],
  });

const runtimeSchema = z
  .strictObject({
    kind: z.enum(['node', 'python', 'container', 'static']).meta({
      description: 'How the app is built and run.',
      examples: ['node'],
    }),
    build: command('Command that builds the app.', 'npm run build').optional(),
    typecheck: command(
      'Command that type-checks the app.',
      'npm run typecheck',
    ).optional(),
    start: command('Command that starts the app.', 'node dist/index.js'),
    port: z
      .number()
      .int()
      .min(1, {
        error: issue => `${String(issue.input)} is not a TCP port (1 to 65535)`,
      })
      .max(65535, {
        error: issue => `${String(issue.input)} is not a TCP port (1 to 65535)`,
      })
      .meta({ description: 'Port the app listens on.', examples: [8080] })
      .register(manifestFieldHints, {
        fix: () => 'use a port from 1 to 65535, e.g. 8080',
      })
      .optional(),
    health: z
      .string()
      .regex(/^\/\S*$/, {
        error: issue =>
          `${quote(text(issue.input))} is not a URL path starting with "/"`,
      })
      .meta({
        description: 'HTTP path that answers 2xx when the app is healthy.',
        examples: ['/healthz'],
      })
      .register(manifestFieldHints, {
        fix: found =>
          `write it as ${quote(
            `/${text(found).trim().replace(/^\/+/, '').replace(/\s+/g, '')}`,
          )}`,
      })
      .optional(),
  })
  .meta({
    description: 'How to build, type-check and start the app.',
    examples: [{ kind: 'node', start: 'node dist/index.js' }],
  });

const relativePathFix = (found: unknown) => {
  const cleaned = text(found)
    .replace(/\\/g, '/')
    .replace(/^[A-Za-z]:/, '')
    .split('/')
    .filter(segment => segment && segment !== '..' && segment !== '.')
    .join('/');
  return `use a path inside the repository, relative to its root, e.g. ${quote(
    cleaned || 'deploy/chart',
  )}`;
};

const kubernetesSchema = z
  .strictObject({
    id: z
      .string()
      .max(63, { error: 'is longer than 63 characters' })
      .regex(KUBERNETES_ID, {
        error: issue =>
          `${quote(
            text(issue.input),
          )} is not a Kubernetes label value (letters, digits, "-", "_", ".", starting and ending with a letter or digit)`,
      })
      .meta({
        description:
          'The backstage.io/kubernetes-id: the label value that matches the Kubernetes objects of this app.',
        examples: ['orders-api'],
      })
      .register(manifestFieldHints, {
        fix: found =>
          `use a label value such as ${quote(toKebabName(text(found)))}`,
      }),
    chart: z
      .string()
      .regex(NOT_BLANK, { error: 'is blank' })
      .regex(NOT_ABSOLUTE, {
        error: issue => `${quote(text(issue.input))} is an absolute path`,
      })
      .regex(NO_PARENT_SEGMENT, {
        error: issue =>
          `${quote(text(issue.input))} leaves the repository through ".."`,
      })
      .meta({
        description: 'Helm chart directory, relative to the repository root.',
        examples: ['deploy/chart'],
      })
      .register(manifestFieldHints, { fix: relativePathFix })
      .optional(),
    namespace: dnsLabel('namespace', {
      description:
        'Kubernetes namespace the app runs in, when the rung does not decide it.',
      examples: ['orders'],
    }).optional(),
  })
  .meta({ description: 'How the app is deployed to Kubernetes rungs.' });

/**
 * The khal-app.json schema. Strict at every level: a misspelt key is an error, not a silently
 * ignored setting. Cross-field rules (unique names, secrets without defaults, defaults that fit
 * their enum/pattern/type) run as a root refinement so `manifestSchema.parse` alone enforces them.
 * @public
 */
export const manifestSchema = z
  .strictObject({
    $schema: z
      .string()
      .meta({
        description:
          'Optional: lets editors find this schema. Ignored by the ladder.',
        examples: ['https://khal.ai/schemas/khal-app.schema.json'],
      })
      .optional(),
    apiVersion: z.literal(MANIFEST_API_VERSION).meta({
      description: `Manifest format version; always "${MANIFEST_API_VERSION}".`,
      examples: [MANIFEST_API_VERSION],
    }),
    name: dnsLabel('app name', {
      description:
        'App name: a DNS label (lower-case letters, digits, "-"; at most 63 characters). Usually the catalog entity name.',
      examples: ['orders-api'],
    }),
    title: z
      .string()
      .regex(NOT_BLANK, { error: 'is blank' })
      .meta({ description: 'Human-readable name.', examples: ['Orders API'] })
      .register(manifestFieldHints, {
        fix: () => 'write a name people can read, e.g. "Orders API"',
      }),
    description: z
      .string()
      .meta({ description: 'One or two sentences about the app.' })
      .optional(),
    owner: z
      .string()
      .regex(OWNER_REF, {
        error: issue =>
          `${quote(text(issue.input))} is not a catalog group or user ref`,
      })
      .meta({
        description: 'Owning catalog group or user, as an entity ref.',
        examples: ['group:default/team-orders', 'user:default/alice'],
      })
      .register(manifestFieldHints, { fix: ownerFix }),
    runtime: runtimeSchema,
    env: z
      .array(settingSchema)
      .meta({
        description:
          'Settings (environment variables) the app reads. Values are supplied per target as App Settings, never here.',
        examples: [[{ name: 'LOG_LEVEL', required: false, default: 'info' }]],
      })
      .default([]),
    deploy: z
      .strictObject({ kubernetes: kubernetesSchema.optional() })
      .meta({ description: 'Deployment facts for runtime-specific rungs.' })
      .optional(),
  })
  .meta({
    examples: [
      {
        apiVersion: MANIFEST_API_VERSION,
        name: 'orders-api',
        title: 'Orders API',
        owner: 'group:default/team-orders',
        runtime: { kind: 'node', start: 'node dist/index.js' },
      },
    ],
  })
  .superRefine((manifest, ctx) => {
    for (const issue of manifestCrossRuleIssues(manifest)) {
      ctx.addIssue({
        code: 'custom',
        path: issue.path,
        message: issue.message,
        params: { fix: issue.fix },
      });
    }
  });

/** A validated manifest, defaults applied. @public */
export type KhalAppManifest = z.output<typeof manifestSchema>;
/** A manifest as written in khal-app.json (defaults not yet applied). @public */
export type KhalAppManifestInput = z.input<typeof manifestSchema>;
/** One entry of `env`, defaults applied. @public */
export type ManifestSetting = KhalAppManifest['env'][number];
/** @public */
export type ManifestRuntime = KhalAppManifest['runtime'];
/** @public */
export type ManifestRuntimeKind = ManifestRuntime['kind'];
