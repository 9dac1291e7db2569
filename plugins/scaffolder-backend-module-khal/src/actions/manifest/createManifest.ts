import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  KhalAppManifest,
  MANIFEST_API_VERSION,
  MANIFEST_FILENAME,
  validateManifest,
} from '@khal/plugin-ladder-common';
import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveWorkspaceFile } from '../../workspace/workspaceFile';
import { examples } from './createManifest.examples';
import { manifestProblemsError } from './problems';

/** Drops keys whose value is undefined, so the written file only holds what was given. */
function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}

/**
 * `khal:manifest:create` — writes a validated khal-app.json into the workspace.
 * @public
 */
export function createManifestCreateAction() {
  return createTemplateAction({
    id: 'khal:manifest:create',
    description:
      'Writes a validated khal-app.json (identity, runtime, env settings, deploy hints) into the workspace. Refuses invalid manifests — a secret with a default, duplicate or badly formed setting names — naming the JSON path of each problem and how to fix it.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z.string({
            description:
              'App name: a DNS label (lower-case letters, digits, "-"), usually the catalog entity name.',
          }),
        title: z =>
          z.string({ description: 'Human-readable name of the app.' }),
        owner: z =>
          z.string({
            description:
              'Owning catalog group or user, as an entity ref (group:default/team-x).',
          }),
        description: z =>
          z
            .string({ description: 'One or two sentences about the app.' })
            .optional(),
        runtime: z =>
          z.object(
            {
              kind: z.string({
                description:
                  'How the app is built and run: node, python, container or static.',
              }),
              build: z
                .string({ description: 'Command that builds the app.' })
                .optional(),
              typecheck: z
                .string({ description: 'Command that type-checks the app.' })
                .optional(),
              start: z.string({ description: 'Command that starts the app.' }),
              port: z
                .number({ description: 'Port the app listens on.' })
                .optional(),
              health: z
                .string({
                  description:
                    'HTTP path that answers 2xx when the app is healthy.',
                })
                .optional(),
            },
            { description: 'How to build, type-check and start the app.' },
          ),
        settings: z =>
          z
            .array(
              z.object({
                name: z.string({
                  description: 'Environment variable name, UPPER_SNAKE.',
                }),
                description: z
                  .string({ description: 'What the setting is for.' })
                  .optional(),
                required: z
                  .boolean({
                    description:
                      'Whether every target must supply it (default true).',
                  })
                  .optional(),
                secret: z
                  .boolean({
                    description:
                      'A secret is supplied per target and never has a default (default false).',
                  })
                  .optional(),
                default: z
                  .string({
                    description:
                      'Value used when a target supplies none; not for secrets.',
                  })
                  .optional(),
              }),
              {
                description:
                  'Settings (environment variables) the app reads. Values are never written, only names and rules.',
              },
            )
            .optional(),
        kubernetesId: z =>
          z
            .string({
              description:
                'The backstage.io/kubernetes-id label value of the app on Kubernetes rungs.',
            })
            .optional(),
        chart: z =>
          z
            .string({
              description:
                'Helm chart directory, relative to the repository root.',
            })
            .optional(),
        path: z =>
          z
            .string({
              description: `Where to write the manifest, relative to the workspace. Default "${MANIFEST_FILENAME}".`,
            })
            .optional(),
      },
      output: {
        path: z =>
          z.string({
            description: 'The written file, relative to the workspace.',
          }),
        manifest: z =>
          z
            .record(z.unknown())
            .describe('The manifest as written (defaults applied).'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const relativePath = input.path ?? MANIFEST_FILENAME;
      const target = await resolveWorkspaceFile(
        ctx.workspacePath,
        relativePath,
        'path',
      );

      const candidate = defined({
        apiVersion: MANIFEST_API_VERSION,
        name: input.name,
        title: input.title,
        description: input.description,
        owner: input.owner,
        runtime: defined({ ...input.runtime }),
        env: (input.settings ?? []).map(setting => defined({ ...setting })),
        deploy:
          input.kubernetesId !== undefined || input.chart !== undefined
            ? {
                kubernetes: defined({
                  id: input.kubernetesId,
                  chart: input.chart,
                }),
              }
            : undefined,
      });
      const result = validateManifest(candidate);
      if (!result.ok) {
        throw manifestProblemsError(
          'The khal-app.json built from the inputs',
          result.problems,
        );
      }
      const manifest: KhalAppManifest = result.manifest;
      const text = `${JSON.stringify(manifest, null, 2)}\n`;

      // Writing into the workspace is what a dry-run shows the author, so it happens in dry-run
      // too: the workspace is the only place this action touches.
      await ctx.checkpoint({
        key: `khal.manifest.create.${relativePath}`,
        fn: async () => {
          await fs.mkdir(path.dirname(target), { recursive: true });
          await fs.writeFile(target, text, 'utf8');
        },
      });
      ctx.logger.info(
        `Wrote ${relativePath}: ${manifest.name} with ${
          manifest.env.length
        } setting(s)${ctx.isDryRun ? ' (dry-run workspace)' : ''}`,
      );
      ctx.output('path', relativePath);
      ctx.output('manifest', JSON.parse(text));
    },
  });
}
