import type { Evidence } from '@khal/plugin-ladder-common';
import { settingsForRung } from '@khal/plugin-ladder-common';
import type { GateContext } from '@khal/plugin-ladder-node';
import { planDigestOf, planFactsOf } from '../service/planDigest';

/** The default of `ladder.dryRunMaxAgeHours`. */
export const DEFAULT_DRY_RUN_MAX_AGE_HOURS = 24;

/** Whether a recorded dry-run counts for the plan as it is now, and why (not). */
export type DryRunJudgement =
  | { accepted: true; evidence: Evidence; summary: string }
  | { accepted: false; summary: string; howToFix: string; evidence?: Evidence };

/** What is true now, against which recorded dry-runs are judged. */
export interface DryRunFacts {
  /** Dry-run evidence of the entity on the rung, newest first. */
  runs: Evidence[];
  rungId: string;
  ref: string;
  /** The digest of the plan computed now. */
  planDigest: string;
  /** The rung's rendered dry-run command, or null when it configures none. */
  dryRunCommand: string | null;
  /** When the rung's placement last changed (ISO); absent when nothing is placed. */
  lastPlacementChange?: string;
  maxAgeMs: number;
  now: Date;
  /** Required settings nobody can tell are supplied now. */
  unknownSettings: string[];
  /** Required settings known to be missing now. */
  missingSettings: string[];
}

/** Why one recorded dry-run does not count, or undefined when it does. */
function objection(run: Evidence, f: DryRunFacts): string | undefined {
  const data = run.data ?? {};
  if (run.ref !== f.ref) return `it is of ${run.ref}, not ${f.ref}`;
  // The client's `clean` is never read: what it recorded (exit code, plan) decides.
  if (data.exitCode !== 0) {
    return typeof data.exitCode === 'number'
      ? `its command exited ${data.exitCode}`
      : 'it records no exit code 0 of the rung dry-run command';
  }
  if (data.planDigest !== f.planDigest) {
    return `it is of another plan (${String(data.planDigest ?? 'no digest').slice(0, 19)}…; the plan now is ${f.planDigest.slice(0, 19)}…)`;
  }
  if (f.lastPlacementChange && Date.parse(run.createdAt) <= Date.parse(f.lastPlacementChange)) {
    return `it is older than the last placement change on ${f.rungId} (${f.lastPlacementChange})`;
  }
  const age = f.now.getTime() - Date.parse(run.createdAt);
  if (!(age <= f.maxAgeMs)) {
    return `it is older than ${Math.round((f.maxAgeMs / 3_600_000) * 100) / 100} h (ladder.dryRunMaxAgeHours)`;
  }
  return undefined;
}

/**
 * The one rule for "a clean dry-run of this plan exists", used by the `dry-run-clean` gate and
 * the `after-dry-run` policy of the deploy plan. Clean means: the rung's real dry-run command
 * exited 0 for the same commit and the same plan digest, after the rung's last placement change
 * and within the maximum age, and every required setting is known to be supplied now.
 */
export function judgeDryRuns(f: DryRunFacts): DryRunJudgement {
  const rerun = `run \`khal deploy --dry-run --target ${f.rungId} --ref ${f.ref}\` (it runs the rung's dry-run command and records the result)`;
  if (!f.dryRunCommand) {
    return {
      accepted: false,
      summary: `rung "${f.rungId}" configures no dry-run command, so no dry-run can be clean`,
      howToFix: `add commands.dryRun to rung "${f.rungId}" in the ladder config (e.g. \`kubectl apply --dry-run=server -f ...\`), then ${rerun}`,
    };
  }
  if (f.missingSettings.length > 0 || f.unknownSettings.length > 0) {
    const parts = [
      ...(f.missingSettings.length ? [`missing: ${f.missingSettings.join(', ')}`] : []),
      ...(f.unknownSettings.length ? [`not known to be supplied: ${f.unknownSettings.join(', ')}`] : []),
    ];
    return {
      accepted: false,
      summary: `no dry-run is clean while required settings are not known to be supplied on ${f.rungId} (${parts.join('; ')})`,
      howToFix: `supply the settings where the rung's settings source observes them (see the env-contract gate), then ${rerun}`,
      ...(f.runs[0] ? { evidence: f.runs[0] } : {}),
    };
  }
  for (const run of f.runs) {
    if (!objection(run, f)) {
      return {
        accepted: true,
        evidence: run,
        summary: `clean dry-run of ${f.ref} against ${f.rungId} at ${run.createdAt} (exit 0, same plan)`,
      };
    }
  }
  const newest = f.runs[0];
  if (!newest) {
    return { accepted: false, summary: `no dry-run recorded for ${f.ref} against ${f.rungId}`, howToFix: rerun };
  }
  return {
    accepted: false,
    summary: `the dry-run recorded at ${newest.createdAt} does not count: ${objection(newest, f)}`,
    howToFix: rerun,
    evidence: newest,
  };
}

/** The parts of a gate context the dry-run rule reads (the deploy planner has one too). */
export type DryRunContext = Pick<
  GateContext,
  'entity' | 'entityRef' | 'rung' | 'ref' | 'evidence' | 'placements' | 'getManifest' | 'getSettingsSupplied'
>;

/** Gathers what is true now and judges the recorded dry-runs of the context's ref and rung. */
export async function judgeDryRunsNow(
  ctx: DryRunContext,
  options: { maxAgeMs: number; now?: Date },
): Promise<DryRunJudgement> {
  const read = await ctx.getManifest(ctx.ref);
  if (read.status !== 'valid') {
    return {
      accepted: false,
      summary: `the plan cannot be computed: khal-app.json at ${ctx.ref} is ${read.status === 'invalid' ? 'invalid' : 'unreadable'}`,
      howToFix: read.status === 'unavailable' ? read.howToFix : 'fix khal-app.json first (see the manifest-valid gate)',
    };
  }
  const facts = planFactsOf({
    entity: ctx.entity,
    entityRef: ctx.entityRef,
    rung: ctx.rung,
    ref: ctx.ref,
    manifest: read.manifest,
    manifestDigest: read.digest,
  });
  const required = settingsForRung(read.manifest, [ctx.rung.id, ...ctx.rung.aliases])
    .filter(s => s.required && s.default === undefined)
    .map(s => s.name);
  const supplied = required.length ? await ctx.getSettingsSupplied() : undefined;
  const known = supplied && supplied.answeredBy.length > 0;
  const runs = await ctx.evidence.find({ rung: ctx.rung.id, ref: ctx.ref, kinds: ['dry-run'] });
  return judgeDryRuns({
    runs,
    rungId: ctx.rung.id,
    ref: ctx.ref,
    planDigest: planDigestOf(facts),
    dryRunCommand: facts.dryRunCommand,
    lastPlacementChange: ctx.placements.find(p => p.rungId === ctx.rung.id)?.placedAt,
    maxAgeMs: options.maxAgeMs,
    now: options.now ?? new Date(),
    unknownSettings: known ? [] : required,
    missingSettings: known ? required.filter(n => !supplied!.names.includes(n)) : [],
  });
}
