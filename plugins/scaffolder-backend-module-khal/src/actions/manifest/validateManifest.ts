import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  MANIFEST_FILENAME,
  ManifestProblem,
  validateManifest,
} from '@khal/plugin-ladder-common';
import fs from 'node:fs/promises';
import { resolveWorkspaceFile } from '../../workspace/workspaceFile';
import { examples } from './validateManifest.examples';
import { manifestProblemsError } from './problems';

/**
 * `khal:manifest:validate` — validates a khal-app.json in the workspace and outputs its problems.
 * @public
 */
export function createManifestValidateAction() {
  return createTemplateAction({
    id: 'khal:manifest:validate',
    description:
      'Validates an existing khal-app.json in the workspace and outputs the problems (JSON path, message, fix). Fails the step when failOnProblems is true (the default).',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        path: z =>
          z
            .string({
              description: `The manifest, relative to the workspace. Default "${MANIFEST_FILENAME}".`,
            })
            .optional(),
        failOnProblems: z =>
          z
            .boolean({
              description:
                'Fail the step when the manifest has problems. Default true.',
            })
            .optional(),
      },
      output: {
        valid: z =>
          z.boolean({ description: 'Whether the manifest is valid.' }),
        problems: z =>
          z
            .array(
              z.object({
                path: z.string({
                  description: 'JSON path of the problem, e.g. $.env[1].name.',
                }),
                message: z.string({ description: 'What is wrong.' }),
                fix: z.string({ description: 'How to put it right.' }),
              }),
            )
            .describe('Every problem found; empty when valid.'),
      },
    },
    async handler(ctx) {
      const relativePath = ctx.input.path ?? MANIFEST_FILENAME;
      const failOnProblems = ctx.input.failOnProblems ?? true;
      const file = await resolveWorkspaceFile(
        ctx.workspacePath,
        relativePath,
        'path',
      );

      let problems: ManifestProblem[];
      const text = await fs.readFile(file, 'utf8').catch(error => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT')
          return undefined;
        throw error;
      });
      if (text === undefined) {
        problems = [
          {
            path: '$',
            message: `there is no ${relativePath} in the workspace`,
            fix: `add ${MANIFEST_FILENAME} (e.g. with khal:manifest:create) or point "path" at it`,
          },
        ];
      } else {
        const result = validateManifest(text);
        problems = result.ok ? [] : result.problems;
      }

      ctx.output('valid', problems.length === 0);
      ctx.output(
        'problems',
        problems.map(p => ({ ...p })),
      );
      if (problems.length === 0) {
        ctx.logger.info(`${relativePath} is valid`);
        return;
      }
      const error = manifestProblemsError(relativePath, problems);
      if (failOnProblems) throw error;
      ctx.logger.warn(error.message);
    },
  });
}
