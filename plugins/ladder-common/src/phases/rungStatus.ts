import { StatusTone } from './tone';

/**
 * The status of one entity on one rung, as shown in the overview matrix and on entity pages.
 * Unlike a promotion phase it is not stored: it is derived each time from the conditions below.
 */
export const rungStatuses = [
  /** Nothing has been placed on the rung. */
  'empty',
  /** A ref is placed, its proof checks have not been evaluated yet. */
  'placed',
  /** A ref is placed, some proof check is still pending (e.g. a rollout in progress). */
  'proving',
  /** A ref is placed and every proof check passed. */
  'proven',
  /** A ref is placed on a rung that has no proof checks: nothing observed that it works. */
  'unverified',
  /** A ref is placed and a proof check failed or errored. */
  'failed',
  /**
   * A claimed deploy of a promotion is changing the rung; its placement moves once the change
   * is observed (the cluster runs the commit, or the deploy reports success).
   */
  'deploying',
  /** The cluster runs something the ladder did not place there. */
  'drifted',
  /** The rung's cluster could not be reached, so nothing can be said. */
  'unknown',
] as const;

/** @public */
export type RungStatus = (typeof rungStatuses)[number];

/** The result of one gate or proof check (the gate contract's `status`). */
export type GateStatus = 'passed' | 'failed' | 'pending' | 'error';

/** What is known about an entity on a rung; the input of {@link deriveRungStatus}. */
export interface RungConditions {
  /** `false` when the rung's cluster could not be reached; `undefined` for non-Kubernetes rungs. */
  clusterReachable?: boolean | undefined;
  /** Why the cluster could not be reached, in words a person can act on. */
  clusterReason?: string | undefined;
  /** The ref the ladder placed on this rung (from the placement); absent when nothing was placed. */
  placedRef?: string | null | undefined;
  /**
   * The ref the cluster runs (Kubernetes rungs only). `undefined`, `null` or `''` mean the cluster
   * did not report one (e.g. no `khal.ai/ref` annotation): that is not treated as drift, because
   * nothing can be compared.
   */
  runningRef?: string | null | undefined;
  /**
   * The commit an open promotion is deploying to this rung (phase `Deploying` or `Verifying`);
   * absent when nothing is being deployed.
   */
  deployingRef?: string | null | undefined;
  /** Results of the rung's proof checks; `undefined` when they were not evaluated yet. */
  proofResults?:
    | Array<{ status: GateStatus; summary?: string | undefined }>
    | undefined;
}

function present(ref: string | null | undefined): ref is string {
  return typeof ref === 'string' && ref !== '';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Derives a rung's status from its conditions in a fixed order; the first match wins. The order
 * is the point (as in Kargo's stage health): a fact that makes later facts meaningless is checked
 * first, so an unreachable cluster is never reported as a failed proof and a drifted rung never
 * as proven.
 *
 *  1. `clusterReachable === false`                   → `unknown` (reason: `clusterReason`)
 *  1b. a `deployingRef`, and the cluster runs it, the
 *      placed ref or says nothing                   → `deploying` (a deploy in flight is no drift)
 *  2. no `placedRef` (null, undefined or '')
 *       and the cluster runs a ref                   → `drifted` (the ladder placed nothing here)
 *       otherwise                                    → `empty`
 *  3. `runningRef` reported and !== `placedRef`      → `drifted` (what runs vs what was placed)
 *  4. `proofResults` undefined (not evaluated yet)   → `placed`
 *  5. any proof `failed` or `error`                  → `failed` (reason: first failing summary)
 *  6. any proof `pending`                            → `proving`
 *  7. no proof checks at all                         → `unverified` (nothing proved it)
 *  8. otherwise (all passed)                         → `proven`
 */
export function deriveRungStatus(c: RungConditions): {
  status: RungStatus;
  reason: string;
} {
  if (c.clusterReachable === false) {
    return {
      status: 'unknown',
      reason:
        c.clusterReason || 'the cluster of this rung could not be reached',
    };
  }
  if (
    present(c.deployingRef) &&
    (!present(c.runningRef) ||
      c.runningRef === c.deployingRef ||
      c.runningRef === c.placedRef)
  ) {
    return {
      status: 'deploying',
      reason: `${
        c.deployingRef
      } is being deployed; the rung changes once that is observed${
        present(c.placedRef) ? ` (placed now: ${c.placedRef})` : ''
      }`,
    };
  }
  if (!present(c.placedRef)) {
    if (present(c.runningRef)) {
      return {
        status: 'drifted',
        reason: `the cluster runs ${c.runningRef} but the ladder placed nothing here`,
      };
    }
    return {
      status: 'empty',
      reason: 'nothing has been placed on this rung yet',
    };
  }
  if (present(c.runningRef) && c.runningRef !== c.placedRef) {
    return {
      status: 'drifted',
      reason: `the cluster runs ${c.runningRef} but the ladder placed ${c.placedRef} here`,
    };
  }
  const results = c.proofResults;
  if (results === undefined) {
    return {
      status: 'placed',
      reason: `${c.placedRef} is placed; its proof checks have not been evaluated yet`,
    };
  }
  const failing = results.find(
    r => r.status === 'failed' || r.status === 'error',
  );
  if (failing) {
    return {
      status: 'failed',
      reason:
        failing.summary ||
        (failing.status === 'error'
          ? 'a proof check could not be evaluated (error)'
          : 'a proof check failed'),
    };
  }
  const pending = results.filter(r => r.status === 'pending');
  if (pending.length > 0) {
    return {
      status: 'proving',
      reason:
        pending.find(r => r.summary)?.summary ||
        `waiting for ${plural(pending.length, 'proof check')} of ${
          results.length
        }`,
    };
  }
  if (results.length === 0) {
    return {
      status: 'unverified',
      reason: `${c.placedRef} is placed, but this rung has no proof checks: nothing observed that it works`,
    };
  }
  return {
    status: 'proven',
    reason: `${c.placedRef} passed ${
      results.length === 1
        ? 'its proof check'
        : `all ${results.length} proof checks`
    }`,
  };
}

const toneByRungStatus: Record<RungStatus, StatusTone> = {
  empty: 'neutral',
  placed: 'info',
  proving: 'progress',
  proven: 'success',
  // Placed and maybe fine, but nothing proved it: never shown as good news.
  unverified: 'warning',
  failed: 'error',
  deploying: 'progress',
  // Someone changed the cluster behind the ladder's back: needs a look, but the app may be fine.
  drifted: 'warning',
  // Not the app's fault and not good news either: shown greyed out.
  unknown: 'neutral',
};

const labelByRungStatus: Record<RungStatus, string> = {
  empty: 'Empty',
  placed: 'Placed',
  proving: 'Proving',
  proven: 'Proven',
  unverified: 'Unverified',
  failed: 'Failed',
  deploying: 'Deploying',
  drifted: 'Drifted',
  unknown: 'Unknown',
};

/** The tone a rung status is shown with. */
export function rungStatusTone(s: RungStatus): StatusTone {
  return toneByRungStatus[s];
}

/** The rung status as people read it. */
export function rungStatusLabel(s: RungStatus): string {
  return labelByRungStatus[s];
}

const toneByGateStatus: Record<GateStatus, StatusTone> = {
  passed: 'success',
  failed: 'error',
  pending: 'progress',
  error: 'error',
};

/** The tone a gate or proof-check result is shown with. */
export function gateStatusTone(s: GateStatus): StatusTone {
  return toneByGateStatus[s];
}
