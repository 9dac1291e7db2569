import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { LADDER_PLUGIN_ID } from '@khal/plugin-ladder-common';
import { examples } from './enroll.examples';

/** What the enrolment answered, reduced to what the step outputs. */
type EnrollmentOutcome = { rung: string; created: boolean };

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
 * Calls the ladder backend with a plugin-to-plugin token issued to the scaffolder itself, so the
 * template needs no user secret; the ladder backend decides the first rung from the entity's
 * `khal.ai/ladder` annotation.
 * @public
 */
export function createLadderEnrollAction(options: {
  auth: AuthService;
  discovery: DiscoveryService;
}) {
  const { auth, discovery } = options;
  return createTemplateAction({
    id: 'khal:ladder:enroll',
    description:
      'Places a newly registered entity on the first rung of its ladder through the ladder backend (POST /api/ladder/enrollments with a service token). An entity that is already enrolled is a success.',
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
      },
      output: {
        rung: z =>
          z.string({
            description:
              'Id of the rung the entity was placed on; "already-enrolled" when it was enrolled before, "dry-run" in a dry-run.',
          }),
        ref: z => z.string({ description: 'The ref that was enrolled.' }),
      },
    },
    async handler(ctx) {
      const { entityRef, ref } = ctx.input;
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry-run: would enroll ${entityRef} at ${ref} on the first rung of its ladder (POST /api/${LADDER_PLUGIN_ID}/enrollments)`,
        );
        ctx.output('rung', 'dry-run');
        ctx.output('ref', ref);
        return;
      }

      const outcome = await ctx.checkpoint<EnrollmentOutcome>({
        key: `khal.ladder.enroll.${entityRef}.${ref}`,
        fn: async () => {
          const baseUrl = await discovery.getBaseUrl(LADDER_PLUGIN_ID);
          const { token } = await auth.getPluginRequestToken({
            onBehalfOf: await auth.getOwnServiceCredentials(),
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
