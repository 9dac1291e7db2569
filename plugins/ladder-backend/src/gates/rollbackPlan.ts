import { missingPlaceholders } from '@khal/plugin-ladder-common';
import type { GateContext, GateEvaluation, LadderGate } from '@khal/plugin-ladder-node';
import { commandValues, renderedCommand } from '../service/planDigest';

/**
 * `rollback-plan`: there is a way back, with something behind it. A rung that held a proven ref
 * before needs that ref and the exact rollback command rendered for it; a first placement on the
 * rung (nothing to go back to) needs a recorded `rollback-plan` evidence for the ref. A command
 * template alone, a previous ref that was never proven, or a template that cannot be filled fails
 * with what is missing.
 */
export const rollbackPlanGate: LadderGate = {
  id: 'rollback-plan',
  title: 'Rollback plan',
  description:
    'The previous proven ref on the rung and the exact rollback command for it; for a first placement, a recorded rollback-plan evidence.',
  async evaluate(ctx) {
    const previous = ctx.placements.find(p => p.rungId === ctx.rung.id && p.ref !== ctx.ref);
    if (!previous) return firstPlacement(ctx);
    const proof = await ctx.proveRung(ctx.rung.id, previous.ref);
    const open = proof.find(r => r.status !== 'passed');
    if (proof.length === 0 || open) {
      return {
        status: 'failed',
        summary: `the previous ref on ${ctx.rung.title}, ${previous.ref}, is not proven (${
          open ? `${open.title}: ${open.summary}` : 'the rung has no proof checks'
        }): rolling back to it is not a known-good state`,
        howToFix: `prove ${previous.ref} on ${ctx.rung.title} first (its proof checks must pass), or record a rollback plan that says where to go instead: khal evidence push --kind rollback-plan --target ${ctx.rung.id} --ref ${ctx.ref} --file ROLLBACK.md`,
        waitingFor: 'a proven ref to roll back to',
      };
    }
    const template = ctx.rung.commands.rollback;
    if (!template) {
      return {
        status: 'failed',
        summary: `${previous.ref} is proven on ${ctx.rung.title}, but the rung configures no rollback command to return to it`,
        howToFix: `configure commands.rollback for rung "${ctx.rung.id}" (placeholders: {{ref}} is the ref to return to)`,
        waitingFor: 'a rollback command',
      };
    }
    const manifest = await ctx.getManifest(previous.ref);
    const values = commandValues(ctx.entity, ctx.rung, previous.ref, manifest.status === 'valid' ? manifest.manifest : undefined);
    const command = renderedCommand(template, values);
    if (!command) {
      const missing = missingPlaceholders(template, values);
      return {
        status: 'failed',
        summary: `the rollback command of ${ctx.rung.title} cannot be rendered for ${previous.ref}: ${missing
          .map(m => `{{${m}}}`)
          .join(', ')} cannot be filled`,
        howToFix: `fix commands.rollback of rung "${ctx.rung.id}" or configure what it needs (see the deploy plan's unresolved facts)`,
        waitingFor: 'a rollback command that can be rendered',
      };
    }
    return {
      status: 'passed',
      summary: `back to ${previous.ref} (proven on ${ctx.rung.title}): ${command}`,
    };
  },
};

async function firstPlacement(ctx: GateContext): Promise<GateEvaluation> {
  const [plan] = await ctx.evidence.find({ rung: ctx.rung.id, ref: ctx.ref, kinds: ['rollback-plan'] });
  if (plan) {
    return {
      status: 'passed',
      summary: `first placement on ${ctx.rung.title}; rollback plan recorded: ${plan.summary}`,
      evidenceIds: [plan.id],
    };
  }
  const template = ctx.rung.commands.rollback;
  return {
    status: ctx.mode === 'entry' ? 'failed' : 'pending',
    summary: `nothing was placed on ${ctx.rung.title} before ${ctx.ref}: there is no proven ref to roll back to${
      template ? `, and the rollback command "${template}" has nothing behind it` : ''
    }`,
    howToFix: `record how to undo a first placement (e.g. uninstall): \`khal evidence push --kind rollback-plan --target ${ctx.rung.id} --ref ${ctx.ref} --file ROLLBACK.md\``,
    waitingFor: 'a rollback plan',
  };
}
