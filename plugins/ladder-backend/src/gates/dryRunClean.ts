import type { LadderGate } from '@khal/plugin-ladder-node';

/** A clean dry-run was recorded for the ref and target: evidence `dry-run` with data.clean and data.target. */
export const dryRunCleanGate: LadderGate = {
  id: 'dry-run-clean',
  title: 'Clean dry-run',
  description: 'A dry-run of this ref against this rung was recorded and reported no problems.',
  async evaluate(ctx) {
    const targets = new Set([ctx.rung.id, ...ctx.rung.aliases]);
    const runs = (await ctx.evidence.find({ rung: ctx.rung.id, ref: ctx.ref, kinds: ['dry-run'] })).filter(
      e => typeof e.data?.target === 'string' && targets.has(e.data.target as string),
    );
    const clean = runs.find(e => e.data?.clean === true);
    if (clean) {
      return {
        status: 'passed',
        summary: `clean dry-run of ${ctx.ref} against ${ctx.rung.title} (${clean.createdAt})`,
        evidenceIds: [clean.id],
      };
    }
    const howToFix = `run \`khal deploy --dry-run --target ${ctx.rung.id} --ref ${ctx.ref}\` (it records the dry-run as evidence)`;
    if (runs.length > 0) {
      return {
        status: 'failed',
        summary: `the dry-run of ${ctx.ref} against ${ctx.rung.title} was not clean: ${runs[0].summary}`,
        howToFix: `fix what it reported, then ${howToFix}`,
        evidenceIds: [runs[0].id],
        waitingFor: 'a clean dry-run',
      };
    }
    return {
      status: 'failed',
      summary: `no clean dry-run recorded for ${ctx.ref} against ${ctx.rung.title}`,
      howToFix,
      waitingFor: 'a dry-run',
    };
  },
};
