import type { Evidence } from '@khal/plugin-ladder-common';
import type { LadderGate } from '@khal/plugin-ladder-node';

/**
 * Whether evidence may count as proof. Output of a command proves something only when the command
 * succeeded: a recorded non-zero exit code never counts, and a deploy's output counts only with
 * exit code 0 recorded (a failed or unknown deploy proves nothing).
 */
export function reportsSuccess(e: Evidence): boolean {
  const exitCode = e.data?.exitCode;
  if (exitCode !== undefined && exitCode !== 0) return false;
  return e.kind !== 'deploy-output' || exitCode === 0;
}

/**
 * Evidence of the configured kinds exists for the ref, on the target rung (default) or the rung
 * below (`config.rung: previous`). Missing evidence fails a promotion's entry check (someone has
 * to push it) and is pending while proving or verifying (the deploy may still be reporting).
 */
export const evidenceGate: LadderGate = {
  id: 'evidence',
  title: 'Evidence recorded',
  description: 'Evidence of the configured kinds (config.kinds) exists for the ref on the rung (config.rung: target | previous).',
  async evaluate(ctx) {
    const kinds = Array.isArray(ctx.config.kinds) ? ctx.config.kinds.map(String) : [];
    if (kinds.length === 0) {
      return {
        status: 'error',
        summary: 'the evidence gate has no kinds configured',
        howToFix: 'add config.kinds (e.g. [build-output, typecheck]) to this gate in the ladder config',
      };
    }
    const rung = ctx.config.rung === 'previous' ? ctx.previousRungs[0] : ctx.rung;
    if (!rung) {
      return { status: 'passed', summary: `${ctx.rung.title} has no rung below to take evidence from` };
    }
    const found = await ctx.evidence.find({ rung: rung.id, ref: ctx.ref, kinds });
    const byKind = new Map<string, string>();
    // What a command reported as failing (e.g. a deploy that exited 127) is a record, never proof.
    const failedExit = new Map<string, number>();
    for (const e of found) {
      const exitCode = e.data?.exitCode;
      if (typeof exitCode === 'number' && exitCode !== 0) {
        if (!failedExit.has(e.kind)) failedExit.set(e.kind, exitCode);
      } else if (!byKind.has(e.kind) && reportsSuccess(e)) byKind.set(e.kind, e.id);
    }
    const missing = kinds.filter(k => !byKind.has(k));
    if (missing.length === 0) {
      return {
        status: 'passed',
        summary: `${kinds.join(', ')} recorded for ${ctx.ref} on ${rung.title}`,
        evidenceIds: [...byKind.values()],
      };
    }
    const failed = missing.filter(k => failedExit.has(k)).map(k => `the recorded ${k} exited ${failedExit.get(k)}`);
    let failureNote = '';
    if (failed.length) failureNote = ` (${failed.join('; ')})`;
    else if (found.some(e => !reportsSuccess(e))) failureNote = ' (what was recorded reports a failure or no exit code 0)';
    return {
      status: ctx.mode === 'entry' ? 'failed' : 'pending',
      summary: `missing evidence for ${ctx.ref} on ${rung.title}: ${missing.join(', ')}${failureNote}`,
      howToFix: missing
        .map(k =>
          k === 'deploy-output'
            ? `run \`khal deploy --target ${rung.id} --ref ${ctx.ref}\` until it exits 0`
            : `run \`khal evidence push --kind ${k} --target ${rung.id} --ref ${ctx.ref} --file <file, or - for stdin>\``,
        )
        .join('; '),
      evidenceIds: [...byKind.values()],
      waitingFor: `evidence (${missing.join(', ')})`,
    };
  },
};
