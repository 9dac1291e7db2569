import type { LadderGate } from '@khal/plugin-ladder-node';
import { judgeDryRunsNow } from './dryRunAcceptance';

/**
 * `dry-run-clean`: a clean dry-run of this commit and this plan was recorded (see
 * {@link judgeDryRunsNow}: the same rule the `after-dry-run` policy of the deploy plan uses).
 * `maxAgeMs` is read at each evaluation, from `ladder.dryRunMaxAgeHours`.
 */
export function createDryRunCleanGate(options: { maxAgeMs: () => number }): LadderGate {
  return {
    id: 'dry-run-clean',
    title: 'Clean dry-run',
    description:
      "The rung's dry-run command exited 0 for this commit and this plan, after the rung's last placement change and within ladder.dryRunMaxAgeHours, with every required setting known to be supplied.",
    async evaluate(ctx) {
      const judgement = await judgeDryRunsNow(ctx, { maxAgeMs: options.maxAgeMs() });
      if (judgement.accepted) {
        return { status: 'passed', summary: judgement.summary, evidenceIds: [judgement.evidence.id] };
      }
      return {
        status: 'failed',
        summary: judgement.summary,
        howToFix: judgement.howToFix,
        ...(judgement.evidence ? { evidenceIds: [judgement.evidence.id] } : {}),
        waitingFor: 'a clean dry-run',
      };
    },
  };
}
