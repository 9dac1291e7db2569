import type { LadderGate } from '@khal/plugin-ladder-node';
import { reportsSuccess } from './evidenceGate';

/** The evidence kind a rehearsed rollback is recorded as (`khal evidence rollback-drill`). */
export const ROLLBACK_DRILL_KIND = 'rollback-drill';

const DEFAULT_MAX_AGE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * `rollback-drill`: the way back was rehearsed recently on the rung below (e.g. before
 * production, on HML): a `rollback-drill` evidence of any ref there, that reports success, no
 * older than `config.maxAgeDays` (default 30). A drill proves the procedure, not a commit, so the
 * ref of the drill does not matter; a failed drill (non-zero exit code) never counts.
 */
export function createRollbackDrillGate(clock: () => number = Date.now): LadderGate {
  return {
    id: 'rollback-drill',
    title: 'Rollback rehearsed',
    description:
      'A successful rollback drill (evidence kind rollback-drill) on the rung below, within config.maxAgeDays (default 30).',
    async evaluate(ctx) {
      const configured = ctx.config.maxAgeDays;
      if (
        configured !== undefined &&
        (typeof configured !== 'number' || !Number.isFinite(configured) || configured <= 0)
      ) {
        return {
          status: 'error',
          summary: `the rollback-drill gate's maxAgeDays is ${JSON.stringify(configured)}`,
          howToFix: 'set config.maxAgeDays of the rollback-drill gate to a number of days above 0 (e.g. 30), or remove it for the default of 30',
        };
      }
      const maxAgeDays = (configured as number | undefined) ?? DEFAULT_MAX_AGE_DAYS;
      const below = ctx.previousRungs[0];
      if (!below) {
        return {
          status: 'error',
          summary: `${ctx.rung.title} has no rung below to rehearse a rollback on`,
          howToFix: `remove the rollback-drill gate from rung "${ctx.rung.id}"; it belongs on a rung above another`,
        };
      }
      const drills = await ctx.evidence.find({ rung: below.id, kinds: [ROLLBACK_DRILL_KIND] });
      const howToFix = `rehearse the rollback on ${below.title} and record it: \`khal evidence rollback-drill --target ${below.id}\``;
      const passed = drills.find(reportsSuccess);
      if (!passed) {
        const failed = drills[0];
        return {
          status: ctx.mode === 'entry' ? 'failed' : 'pending',
          summary: failed
            ? `the last rollback drill on ${below.title} (${failed.createdAt}) reports a failure (exit code ${String(
                failed.data?.exitCode ?? 'unknown',
              )}); no successful drill is recorded`
            : `no rollback drill is recorded on ${below.title}`,
          howToFix,
          waitingFor: `a rollback drill on ${below.title}`,
          ...(failed ? { evidenceIds: [failed.id] } : {}),
        };
      }
      const ageMs = clock() - Date.parse(passed.createdAt);
      const ageDays = Math.floor(ageMs / DAY_MS);
      if (ageMs > maxAgeDays * DAY_MS) {
        return {
          status: ctx.mode === 'entry' ? 'failed' : 'pending',
          summary: `the last successful rollback drill on ${below.title} is ${ageDays} days old (${passed.createdAt}); the limit is ${maxAgeDays} days`,
          howToFix,
          waitingFor: `a rollback drill on ${below.title} within ${maxAgeDays} days`,
          evidenceIds: [passed.id],
        };
      }
      return {
        status: 'passed',
        summary: `rollback rehearsed on ${below.title} ${ageDays === 0 ? 'today' : `${ageDays} day(s) ago`} (limit ${maxAgeDays} days): ${passed.summary}`,
        evidenceIds: [passed.id],
      };
    },
  };
}
