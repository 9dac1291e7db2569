/**
 * The phases of a promotion. The list is a stable enum: it is stored in the database, sent over
 * the API and mapped to tones in the UI, so phases are only ever added, never renamed.
 *
 * The shape follows Kargo's promotion phases: a promotion is checked against its gates, may wait
 * for approvers, is deployed and verified, and ends in exactly one terminal phase.
 */
export const promotionPhases = [
  /** Gates are being evaluated. */
  'Checking',
  /** Some gate is not satisfied yet, but can be (new evidence, a clean dry-run): it is re-checked. */
  'Blocked',
  /** Gates passed; the rung needs approvals and the quorum is not met yet. */
  'AwaitingApproval',
  /** Cleared to mutate the rung. */
  'Approved',
  /**
   * A deploy claimed the approved promotion (single use) and is changing the rung; the placement
   * moves only once the change is observed (the cluster runs the commit, or the claimed deploy
   * reports success).
   */
  'Deploying',
  /** Deployed; the rung's proof checks (e.g. a rollout) are running. */
  'Verifying',
  /** Terminal: the ref is placed on the rung and proven. */
  'Promoted',
  /** Terminal: an approver said no. */
  'Rejected',
  /** Terminal: the requester (or an operator) withdrew it before anything was deployed. */
  'Cancelled',
  /** Terminal: a newer promotion of the same entity to the same rung replaced it. */
  'Superseded',
  /**
   * Terminal: a rule said no, e.g. the rollout exceeded its deadline, verification failed or the
   * claimed deploy reported a failure.
   */
  'Failed',
  /**
   * Terminal: a technical fault that cannot be retried, e.g. the entity vanished from the catalog.
   * Kept apart from `Failed` so that dashboards can tell "the app is bad" from "the system broke".
   */
  'Errored',
  /**
   * Terminal: time ran out before anything was deployed: the promotion stayed open longer than the
   * ladder's `expiry.openPromotions`, or its approvals grew older than `expiry.approvals` before a
   * deploy claimed it. Nothing was changed on the rung; request it again.
   */
  'Expired',
] as const;

/** @public */
export type PromotionPhase = (typeof promotionPhases)[number];

/**
 * Phases a promotion never leaves. A terminal promotion no longer counts as "open", so a new
 * promotion of the same entity to the same rung may be requested.
 */
export const terminalPhases: ReadonlySet<PromotionPhase> =
  new Set<PromotionPhase>([
    'Promoted',
    'Rejected',
    'Cancelled',
    'Superseded',
    'Failed',
    'Errored',
    'Expired',
  ]);

/** Whether a promotion in this phase is finished (no transition leaves it). */
export function isTerminal(phase: PromotionPhase): boolean {
  return terminalPhases.has(phase);
}

const phaseSet: ReadonlySet<string> = new Set(promotionPhases);

/**
 * Narrows a value read from outside (a database row, a query string, an API response) to a
 * phase. Case-sensitive on purpose: phases are stored exactly as declared.
 */
export function isPromotionPhase(v: unknown): v is PromotionPhase {
  return typeof v === 'string' && phaseSet.has(v);
}
