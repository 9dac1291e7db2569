import type { LadderGate } from '@khal/plugin-ladder-node';

/**
 * Adopting what a drifted rung runs needs proof that it works there: any evidence for the running
 * ref on that rung (status output, logs, a URL, acceptance…). Only adoptions use this gate.
 */
export const adoptionEvidenceGate: LadderGate = {
  id: 'adoption-evidence',
  title: 'Evidence for the running ref',
  description:
    'Some evidence exists for the ref on the rung it is adopted on (adoptions of drift only).',
  async evaluate(ctx) {
    const found = await ctx.evidence.find({ rung: ctx.rung.id, ref: ctx.ref });
    if (found.length > 0) {
      return {
        status: 'passed',
        summary: `${found.length} evidence item(s) recorded for ${ctx.ref} on ${ctx.rung.title}`,
        evidenceIds: found.slice(0, 10).map(e => e.id),
      };
    }
    return {
      status: ctx.mode === 'entry' ? 'failed' : 'pending',
      summary: `no evidence for ${ctx.ref} on ${ctx.rung.title}: adopting what runs needs proof that it works`,
      howToFix: `run \`khal evidence push --kind status --target ${ctx.rung.id} --ref ${ctx.ref}\` (or logs, url, acceptance), then re-check`,
      waitingFor: 'evidence for the running ref',
    };
  },
};
