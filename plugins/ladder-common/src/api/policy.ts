import { z } from 'zod';
import { commitShaSchema } from './requests';

/*
 * Release policy held as state (not config): stopping the line and marking commits bad. Both are
 * decided by people at run time and recorded with who and when, so they live in the database and
 * are audited; the engine refuses every forward step of a promotion they cover, inside the same
 * transaction as the step (see the backend's policy/holds.ts).
 */

const entityRef = z
  .string()
  .trim()
  .min(1)
  .max(512)
  .regex(
    /^[a-zA-Z][a-zA-Z0-9_-]*:([a-z0-9][a-z0-9._-]*\/)?[a-zA-Z0-9][a-zA-Z0-9._-]*$/,
    'an entity ref looks like "component:default/orders-api"',
  );
const id = (what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(63)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, `a ${what} id, e.g. "${what === 'ladder' ? 'khal' : 'prod'}"`);
const reason = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `say why (${what}): people blocked by it read this`)
    .max(2000, 'at most 2000 characters')
    .regex(
      // eslint-disable-next-line no-control-regex
      /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/,
      'control characters are not allowed',
    );

/** What a pause stops: a whole ladder, one rung of a ladder, or one entity on every rung. */
export const linePauseScopes = ['ladder', 'rung', 'entity'] as const;
export type LinePauseScope = (typeof linePauseScopes)[number];

/** `POST /pauses`: stop the line. */
export const createLinePauseRequestSchema = z
  .strictObject({
    scope: z.enum(linePauseScopes),
    ladderId: id('ladder').optional(),
    rungId: id('rung').optional(),
    entityRef: entityRef.optional(),
    reason: reason('the reason of the pause'),
  })
  .superRefine((v, ctx) => {
    const needs: Record<LinePauseScope, Array<'ladderId' | 'rungId' | 'entityRef'>> = {
      ladder: ['ladderId'],
      rung: ['ladderId', 'rungId'],
      entity: ['entityRef'],
    };
    const fields = ['ladderId', 'rungId', 'entityRef'] as const;
    for (const field of fields) {
      const wanted = needs[v.scope].includes(field);
      if (wanted && v[field] === undefined) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [field],
          message: `a pause of scope "${v.scope}" names ${needs[v.scope].join(' and ')}`,
        });
      } else if (!wanted && v[field] !== undefined) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [field],
          message: `a pause of scope "${v.scope}" names only ${needs[v.scope].join(' and ')}; remove ${field}`,
        });
      }
    }
  });
export type CreateLinePauseRequest = z.input<typeof createLinePauseRequestSchema>;

/** `POST /pauses/{id}/resume`. */
export const resumeLinePauseRequestSchema = z.strictObject({
  reason: reason('what was fixed').optional(),
});

/** `GET /pauses`: the pauses in force, optionally those covering one ladder or one entity. */
export const listLinePausesQuerySchema = z.strictObject({
  ladderId: id('ladder').optional(),
  entityRef: entityRef.optional(),
});

/** `POST /bad-commits`: mark a commit of an entity bad. */
export const createBadCommitRequestSchema = z.strictObject({
  entityRef,
  sha: commitShaSchema,
  reason: reason('what is wrong with the commit'),
});
export type CreateBadCommitRequest = z.input<typeof createBadCommitRequestSchema>;

/** `POST /bad-commits/{id}/unmark`: take a bad mark back, saying why. */
export const unmarkBadCommitRequestSchema = z.strictObject({
  reason: reason('why the commit is fine after all'),
});
export type UnmarkBadCommitRequest = z.input<typeof unmarkBadCommitRequestSchema>;

export const listBadCommitsQuerySchema = z.strictObject({
  entityRef,
});

export const linePauseSchema = z.object({
  id: z.string(),
  scope: z.enum(linePauseScopes),
  ladderId: z.string().nullable(),
  rungId: z.string().nullable(),
  entityRef: z.string().nullable(),
  reason: z.string(),
  pausedBy: z.string(),
  pausedAt: z.string(),
  /** Set once resumed; a pause in force has null here. */
  resumedBy: z.string().nullable(),
  resumedAt: z.string().nullable(),
  resumeReason: z.string().nullable(),
});
export type LinePause = z.infer<typeof linePauseSchema>;

export const linePauseListResponseSchema = z.object({
  items: z.array(linePauseSchema),
});

export const badCommitSchema = z.object({
  id: z.string(),
  entityRef: z.string(),
  sha: z.string(),
  reason: z.string(),
  markedBy: z.string(),
  markedAt: z.string(),
});
export type BadCommit = z.infer<typeof badCommitSchema>;

/** The answer to marking a commit bad: the mark and the open promotions it ended. */
export const badCommitResponseSchema = badCommitSchema.extend({
  endedPromotions: z.array(
    z.object({ id: z.string(), toRung: z.string(), phase: z.string() }),
  ),
});
export type BadCommitResponse = z.infer<typeof badCommitResponseSchema>;

export const badCommitListResponseSchema = z.object({
  items: z.array(badCommitSchema),
});

/** Says what a pause stops, for messages and banners: "Production (prod) of ladder khal". */
export function describePauseScope(
  pause: Pick<LinePause, 'scope' | 'ladderId' | 'rungId' | 'entityRef'>,
  rungTitle?: string,
): string {
  switch (pause.scope) {
    case 'ladder':
      return `ladder ${pause.ladderId}`;
    case 'rung':
      return `${rungTitle ? `${rungTitle} (${pause.rungId})` : `rung ${pause.rungId}`} of ladder ${pause.ladderId}`;
    default:
      return `${pause.entityRef}`;
  }
}

/** True when the pause covers a promotion of `entityRef` on `ladderId` to `rungId`. */
export function pauseCovers(
  pause: Pick<LinePause, 'scope' | 'ladderId' | 'rungId' | 'entityRef'>,
  target: { entityRef: string; ladderId: string; rungId: string },
): boolean {
  switch (pause.scope) {
    case 'ladder':
      return pause.ladderId === target.ladderId;
    case 'rung':
      return pause.ladderId === target.ladderId && pause.rungId === target.rungId;
    default:
      return pause.entityRef === target.entityRef;
  }
}
