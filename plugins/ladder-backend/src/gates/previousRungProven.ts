import type { LadderGate } from '@khal/plugin-ladder-node';

/**
 * The closest lower rung holds this ref and its proof checks pass. Optional rungs may be skipped
 * (when they do not hold the ref); others not. A rung without proof checks is unverified and
 * proves nothing, unless the ladder config marks it `proofOptional`.
 */
export const previousRungProvenGate: LadderGate = {
  id: 'previous-rung-proven',
  title: 'Proven on the rung below',
  description: 'The closest lower rung (optional rungs may be skipped) holds this ref and its proof checks pass.',
  async evaluate(ctx) {
    if (ctx.previousRungs.length === 0) {
      return { status: 'passed', summary: `${ctx.rung.title} is the first rung; nothing below to prove` };
    }
    for (const rung of ctx.previousRungs) {
      const placement = ctx.placements.find(p => p.rungId === rung.id);
      if (placement?.ref === ctx.ref) {
        const results = await ctx.proveRung(rung.id, ctx.ref);
        if (results.length === 0) {
          // No proof checks prove nothing: the rung is unverified, not proven.
          if (rung.proofOptional) {
            return {
              status: 'passed',
              summary: `${ctx.ref} is on ${rung.title}, which has no proof checks and is marked proofOptional`,
            };
          }
          return {
            status: 'failed',
            summary: `${ctx.ref} is on ${rung.title} but unverified there: that rung has no proof checks`,
            howToFix: `add proofChecks to rung "${rung.id}" in the ladder config (e.g. an evidence or kubernetes-rollout check), or mark it proofOptional: true if nothing needs proving there`,
            waitingFor: `proof on ${rung.title}`,
          };
        }
        const open = results.filter(r => r.status !== 'passed');
        if (open.length === 0) {
          return {
            status: 'passed',
            summary: `${ctx.ref} is on ${rung.title} and its ${results.length} proof check(s) pass`,
          };
        }
        const first = open[0];
        return {
          status: open.some(r => r.status === 'failed' || r.status === 'error') ? 'failed' : 'pending',
          summary: `${ctx.ref} is on ${rung.title} but not proven there: ${first.title}: ${first.summary}`,
          howToFix: first.howToFix ?? `make the proof checks of ${rung.title} pass for ${ctx.ref}`,
          waitingFor: `proof on ${rung.title}`,
        };
      }
      if (!rung.optional) {
        return {
          status: 'failed',
          summary: `${ctx.ref} is not on ${rung.title} (${placement ? `${placement.ref} is` : 'nothing is'} placed there)`,
          howToFix: `promote ${ctx.ref} to ${rung.title} first and prove it there (test on the rung below first)`,
          waitingFor: `${ctx.ref} on ${rung.title}`,
        };
      }
    }
    return {
      status: 'failed',
      summary: `${ctx.ref} is on none of the rungs below ${ctx.rung.title}`,
      howToFix: `promote ${ctx.ref} to a lower rung first`,
      waitingFor: `${ctx.ref} on a lower rung`,
    };
  },
};
