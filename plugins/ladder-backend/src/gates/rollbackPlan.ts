import type { LadderGate } from '@khal/plugin-ladder-node';

/** There is a way back: a `rollback-plan` evidence for the ref, or the rung configures `commands.rollback`. */
export const rollbackPlanGate: LadderGate = {
  id: 'rollback-plan',
  title: 'Rollback plan',
  description: 'A rollback-plan evidence exists for the ref on the rung, or the rung configures commands.rollback.',
  async evaluate(ctx) {
    if (ctx.rung.commands.rollback) {
      return { status: 'passed', summary: `${ctx.rung.title} configures a rollback command` };
    }
    const [plan] = await ctx.evidence.find({ rung: ctx.rung.id, ref: ctx.ref, kinds: ['rollback-plan'] });
    if (plan) {
      return { status: 'passed', summary: `rollback plan recorded: ${plan.summary}`, evidenceIds: [plan.id] };
    }
    return {
      status: ctx.mode === 'entry' ? 'failed' : 'pending',
      summary: `no rollback plan for ${ctx.ref} on ${ctx.rung.title}`,
      howToFix: `record one: \`khal evidence push --kind rollback-plan --target ${ctx.rung.id} --ref ${ctx.ref} --file ROLLBACK.md\`, or configure commands.rollback for the rung`,
      waitingFor: 'a rollback plan',
    };
  },
};
