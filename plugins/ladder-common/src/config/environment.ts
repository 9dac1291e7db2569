import { z } from 'zod';

/**
 * A rung as an environment someone runs: how to bring it up, check it, prove it and tear it
 * down (`lifecycle`), where it answers (`endpoints`), and what it is for and must never be
 * (`boundary`). `khal env <action> --target <rung>` runs the lifecycle; the portal and
 * `khal context` show the boundary.
 */

/** The lifecycle actions, in the order people usually run them. */
export const lifecycleActions = ['up', 'status', 'validate', 'down', 'reset'] as const;
/** @public */
export type LifecycleAction = (typeof lifecycleActions)[number];

/**
 * What a `validate` step proves. `validate` fails closed: each of these needs at least one
 * step, and a rung that declares none for one of them does not validate.
 */
export const validationChecks = ['ingress', 'config', 'readiness'] as const;
/** @public */
export type ValidationCheck = (typeof validationChecks)[number];

const stepObject = z.strictObject({
  /** What the step does, as a person reads it in the task list ("Docker engine reachable"). */
  title: z.string().min(1, 'a step needs a title people can read'),
  /** The command template (same placeholders as `commands`). Exit code 0 is success. */
  run: z.string().min(1, 'a step needs a command in "run"'),
  /** What to do when the step fails: printed under the failure. */
  howToFix: z.string().min(1).optional(),
  /** For `validate` steps: what the step proves (ingress, config or readiness). */
  checks: z.enum(validationChecks).optional(),
});

/** A lifecycle step: a command (its title is the command) or `{ title, run, howToFix?, checks? }`. */
export const lifecycleStepSchema = z
  .union([z.string().min(1), stepObject])
  .transform(step => (typeof step === 'string' ? { title: step, run: step } : step));
/** @public */
export type LifecycleStep = z.output<typeof lifecycleStepSchema>;

/** One action: a single step, or steps run in order (stopping at the first failure). */
const actionSchema = z
  .union([lifecycleStepSchema, z.array(lifecycleStepSchema).min(1, 'list at least one step')])
  .transform(steps => (Array.isArray(steps) ? steps : [steps]));

export const lifecycleSchema = z
  .strictObject({
    up: actionSchema.optional(),
    status: actionSchema.optional(),
    validate: actionSchema.optional(),
    down: actionSchema.optional(),
    reset: actionSchema.optional(),
  })
  .superRefine((lifecycle, ctx) => {
    (lifecycle.validate ?? []).forEach((step, i) => {
      if (!step.checks) {
        ctx.addIssue({
          code: 'custom',
          path: ['validate', i, 'checks'],
          message: `validate step "${step.title}" must say what it proves: add checks: ${validationChecks.join(' | ')}`,
        });
      }
    });
  });
/** @public */
export type RungLifecycle = z.output<typeof lifecycleSchema>;

export const endpointSchema = z.strictObject({
  /** A short name, e.g. "app" or "health". */
  name: z.string().min(1),
  /** A URL template (same placeholders as `commands`). */
  url: z.string().min(1),
});
/** @public */
export type RungEndpoint = z.output<typeof endpointSchema>;

/** What the rung (or environment mode) is for, what it must provide, and what it must never be. */
export const boundarySchema = z.strictObject({
  useFor: z.array(z.string().min(1)).default([]),
  mustProvide: z.array(z.string().min(1)).default([]),
  mustNotBe: z.array(z.string().min(1)).default([]),
});
/** @public */
export type RungBoundary = z.output<typeof boundarySchema>;

const CHECK_HINTS: Record<ValidationCheck, string> = {
  ingress: 'e.g. curl the app endpoint through its ingress or published port',
  config: 'e.g. check that the settings the app needs are present, names only',
  readiness: 'e.g. wait for the health endpoint or the rollout to be ready',
};

/**
 * Why `validate` cannot pass for these steps before running anything: one line per check
 * (ingress, config, readiness) that no step proves, with what to add. Empty when all are covered.
 */
export function uncoveredValidationChecks(
  steps: ReadonlyArray<{ checks?: string }> | undefined,
): Array<{ check: ValidationCheck; howToFix: string }> {
  const covered = new Set((steps ?? []).map(s => s.checks));
  return validationChecks
    .filter(check => !covered.has(check))
    .map(check => ({
      check,
      howToFix: `add a lifecycle.validate step with "checks: ${check}" to this rung in the ladder config (${CHECK_HINTS[check]})`,
    }));
}
