import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { LADDER_PLUGIN_ID } from '@khal/plugin-ladder-common';
import fs from 'node:fs';
import path from 'node:path';
import { examples } from './enroll.examples';

/** What the enrolment answered, reduced to what the step outputs. */
type EnrollmentOutcome = { rung: string; created: boolean };

/**
 * How the person who ran the template runs `khal` against this portal: the CLI installed beside
 * the backend (the Khal Ladder workspace of the embedded default), else the published package.
 */
export function khalCommand(
  resolve: (id: string) => string = id => require.resolve(id),
): string {
  try {
    const bin = path.join(
      path.dirname(resolve('@khal/cli/package.json')),
      'bin',
      'khal',
    );
    if (fs.existsSync(bin)) {
      return /^[\w./-]+$/.test(bin) ? `node ${bin}` : `node '${bin.replace(/'/g, `'\\''`)}'`;
    }
  } catch {
    // not installed beside the backend
  }
  return 'npx @khal/cli';
}

/** How long the step waits for the entity to appear in the catalog when the input does not say. */
export const DEFAULT_CATALOG_WAIT_SECONDS = 60;
const CATALOG_POLL_MS = 500;

/** The rung id in the ladder backend's answer: a placement, or an object wrapping one. */
function rungOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  for (const key of ['rungId', 'rung']) {
    if (typeof record[key] === 'string') return record[key] as string;
  }
  return rungOf(record.placement);
}

/**
 * `khal:ladder:enroll` — places a new entity on the first rung of its ladder.
 *
 * Calls the ladder backend on behalf of the person who ran the template (a plugin request token
 * for the task's initiator), never with the scaffolder's own service token: the ladder enrols an
 * entity only for its owners (or operators) and only once, so a template can place only what its
 * runner owns and has just created — not any entity in the catalog. The ladder backend decides
 * the first rung from the entity's `khal.ai/ladder` annotation.
 * @public
 */
export function createLadderEnrollAction(options: {
  auth: AuthService;
  discovery: DiscoveryService;
  /**
   * When given, the step first waits until the entity is in the catalog: the catalog ingests a
   * newly registered descriptor asynchronously, and the ladder reads the entity from it.
   */
  catalog?: CatalogService;
}) {
  const { auth, discovery, catalog } = options;

  /** Resolves once the catalog serves the entity; fails naming the entity and where to look. */
  async function waitForEntity(
    entityRef: string,
    seconds: number,
    signal?: AbortSignal,
  ): Promise<void> {
    if (!catalog) return;
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const entity = await catalog.getEntityByRef(entityRef, {
        credentials: await auth.getOwnServiceCredentials(),
      });
      if (entity) return;
      if (signal?.aborted) throw new Error('the task was cancelled');
      if (Date.now() >= deadline) {
        throw new Error(
          `${entityRef} did not appear in the catalog within ${seconds}s, so it cannot be placed on its ladder — fix: check that the register step wrote its descriptor and look for its processing error (the catalog's unprocessed entities), or raise catalogWaitSeconds`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, CATALOG_POLL_MS));
    }
  }

  return createTemplateAction({
    id: 'khal:ladder:enroll',
    description:
      'Places a newly registered entity on the first rung of its ladder through the ladder backend (POST /api/ladder/enrollments on behalf of the person who ran the template, who must own the entity). An entity that is already enrolled is a success.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z.string({
            description:
              'The catalog entity to enroll, e.g. component:default/orders-api (usually steps.register.output.entityRef).',
          }),
        ref: z =>
          z.string({
            description:
              'The git ref placed on the first rung: the initial commit sha or a branch name.',
          }),
        catalogWaitSeconds: z =>
          z
            .number({
              description: `How long to wait for the entity to appear in the catalog before enrolling it (the catalog ingests a new descriptor asynchronously). 0 to 600; default ${DEFAULT_CATALOG_WAIT_SECONDS}.`,
            })
            .int()
            .min(0)
            .max(600)
            .optional(),
      },
      output: {
        rung: z =>
          z.string({
            description:
              'Id of the rung the entity was placed on; "already-enrolled" when it was enrolled before, "dry-run" in a dry-run.',
          }),
        ref: z => z.string({ description: 'The ref that was enrolled.' }),
        khal: z =>
          z.string({
            description:
              'The command that runs the khal CLI for this portal, e.g. "node /srv/khal-ladder/packages/cli/bin/khal" (the CLI installed beside the backend), else "npx @khal/cli".',
          }),
        portal: z =>
          z.string({
            description:
              'The portal URL to give `khal login --portal` (the backend base URL the ladder API is under).',
          }),
      },
    },
    async handler(ctx) {
      const { entityRef, ref } = ctx.input;
      ctx.output('khal', khalCommand());
      ctx.output(
        'portal',
        (await discovery.getExternalBaseUrl(LADDER_PLUGIN_ID)).replace(
          new RegExp(`/api/${LADDER_PLUGIN_ID}/?$`),
          '',
        ),
      );
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry-run: would wait for ${entityRef} to appear in the catalog and enroll it at ${ref} on the first rung of its ladder (POST /api/${LADDER_PLUGIN_ID}/enrollments)`,
        );
        ctx.output('rung', 'dry-run');
        ctx.output('ref', ref);
        return;
      }

      const outcome = await ctx.checkpoint<EnrollmentOutcome>({
        key: `khal.ladder.enroll.${entityRef}.${ref}`,
        fn: async () => {
          await waitForEntity(
            entityRef,
            ctx.input.catalogWaitSeconds ?? DEFAULT_CATALOG_WAIT_SECONDS,
            ctx.signal,
          );
          const baseUrl = await discovery.getBaseUrl(LADDER_PLUGIN_ID);
          const { token } = await auth.getPluginRequestToken({
            onBehalfOf: await ctx.getInitiatorCredentials(),
            targetPluginId: LADDER_PLUGIN_ID,
          });
          const response = await fetch(`${baseUrl}/enrollments`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${token}`,
            },
            body: JSON.stringify({ entityRef, ref }),
            signal: ctx.signal,
          });
          if (response.status === 409) {
            return { rung: 'already-enrolled', created: false };
          }
          if (!response.ok) {
            const error = await ResponseError.fromResponse(response);
            const detail = error.body?.error?.message || error.message;
            throw new Error(
              `The ladder backend refused to enroll ${entityRef} at ${ref} (HTTP ${response.status}): ${detail}`,
              { cause: error },
            );
          }
          const body = await response.json().catch(() => undefined);
          return { rung: rungOf(body) ?? 'unknown', created: true };
        },
      });

      if (outcome.created) {
        ctx.logger.info(
          `Enrolled ${entityRef} at ${ref} on rung ${outcome.rung}`,
        );
      } else {
        ctx.logger.info(
          `${entityRef} is already enrolled on its ladder; nothing to do`,
        );
      }
      ctx.output('rung', outcome.rung);
      ctx.output('ref', ref);
    },
  });
}
