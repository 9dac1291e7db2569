import type { PromotionKind, RungConfig } from '@khal/plugin-ladder-common';
import type { LadderStore } from '../database/LadderStore';
import type { EvidenceRecord, PromotionRecord } from '../database/records';
import type { EvaluatedGate } from '../gates/GateRunner';
import { verifyEvent, verifyMessage } from './phaseEvents';
import type { PromotionChange } from './promotionChange';

/** The evidence kind a deploy reports its outcome with. */
export const DEPLOY_OUTPUT_KIND = 'deploy-output';

/**
 * Whether deploying this promotion needs a claim first: on `approval` and `operators` rungs a
 * deploy claims the approved promotion (Approved → Deploying) before it changes anything. An
 * adoption changes nothing (the cluster already runs the ref), so it is never claimed.
 */
export function needsClaim(rung: RungConfig, kind: PromotionKind): boolean {
  return (
    kind !== 'adoption' &&
    (rung.mutationPolicy === 'approval' || rung.mutationPolicy === 'operators')
  );
}

function exitCodeOf(e: EvidenceRecord): number | undefined {
  const code = e.data?.exitCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * The deploy reports that count for a promotion: of its commit, on its rung, after it was
 * requested. For a claimed promotion only the claimed deploy's own reports count (sent by the
 * claimant and naming the promotion), so nobody else can declare its deploy done.
 */
async function deployReports(
  store: LadderStore,
  p: PromotionRecord,
): Promise<EvidenceRecord[]> {
  const reports = await store.findEvidence({
    entityRef: p.entityRef,
    rungId: p.toRung,
    ref: p.ref,
    kinds: [DEPLOY_OUTPUT_KIND],
    limit: 50,
  });
  return reports.filter(
    e =>
      exitCodeOf(e) !== undefined &&
      e.createdAt >= p.createdAt &&
      (!p.claim ||
        (e.data?.promotionId === p.id && e.createdBy === p.claim.claimedBy)),
  );
}

/**
 * The next change of an `Approved` or `Deploying` promotion. The placement moves only when the
 * change was observed, never the moment approval lands:
 *
 * - claimed rungs (`approval`, `operators`): an `Approved` promotion waits for a claim. Once
 *   `Deploying`, a failed report of the claimed deploy fails it; the rung's proof checks (e.g.
 *   `kubernetes-rollout`: the cluster runs the commit) or, without proof checks, a successful
 *   report of the claimed deploy or the rung's cluster running the commit promote it.
 * - other rungs (`self`, `after-dry-run`): with proof checks, verification starts (they observe
 *   the change); without, a successful deploy report of the commit, or the rung's cluster
 *   running it, promotes it.
 */
export async function observeDeploy(options: {
  promotion: PromotionRecord;
  rung: RungConfig;
  store: LadderStore;
  verify: () => Promise<EvaluatedGate[]>;
  /** What the rung's cluster runs now (Kubernetes rungs); null when unknown. */
  running: () => Promise<string | null>;
}): Promise<PromotionChange | undefined> {
  const { promotion: p, rung, store } = options;
  const placed = `${p.ref} is on ${rung.title}`;
  const observed = async (
    ok: EvidenceRecord | undefined,
  ): Promise<PromotionChange | undefined> => {
    if (ok) {
      return {
        event: 'verified',
        message: `${placed}: the deploy reported success (${ok.createdBy}, ${ok.createdAt})`,
      };
    }
    if (rung.kubernetes && (await options.running()) === p.ref) {
      return { event: 'verified', message: `${placed}: its cluster runs it` };
    }
    return undefined;
  };
  if (p.phase === 'Approved') {
    if (p.kind === 'adoption') {
      return {
        event: 'verified',
        message: `${placed}: the cluster already ran it when the adoption was requested`,
      };
    }
    if (needsClaim(rung, p.kind)) return undefined;
    if (rung.proofChecks.length > 0) {
      return {
        event: 'verify',
        message: `cleared: deploy ${p.ref} to ${rung.title}; verifying ${rung.proofChecks.length} proof check(s)`,
      };
    }
    return observed(
      (await deployReports(store, p)).find(e => exitCodeOf(e) === 0),
    );
  }
  const reports = await deployReports(store, p);
  const failed = reports.find(e => exitCodeOf(e) !== 0);
  if (failed) {
    return {
      event: 'deploy-failed',
      message: `the claimed deploy of ${p.ref} to ${
        rung.title
      } failed (exit code ${exitCodeOf(failed)}): ${
        failed.summary
      }. Check the rung, then request a new promotion or a rollback`,
    };
  }
  if (rung.proofChecks.length > 0) {
    const results = await options.verify();
    const event = verifyEvent(results);
    return {
      event,
      message: verifyMessage(event, results, `${placed} and proven`),
      mode: 'verify',
      results,
    };
  }
  return observed(reports.find(e => exitCodeOf(e) === 0));
}
