import { PromotionPhase, isTerminal, promotionPhases } from './phase';

/**
 * What can happen to a promotion. Events are named after the fact that moves it ("the gates
 * passed", "the approval quorum was met"), not after the endpoint that caused it, so that the
 * engine, the scheduler and the UI speak about one transition with one word.
 */
export const promotionEvents = [
  'gates-blocked',
  'gates-passed-awaiting-approval',
  'gates-passed',
  'recheck',
  'approval-quorum-met',
  'rejected',
  'gates-regressed',
  'claim',
  'deploy-failed',
  'verify',
  'verified',
  'verification-failed',
  'cancel',
  'supersede',
  'error',
  'expire',
] as const;

/** @public */
export type PromotionEvent = (typeof promotionEvents)[number];

/** One allowed edge of the promotion state machine. */
export interface PhaseTransition {
  from: PromotionPhase;
  event: PromotionEvent;
  to: PromotionPhase;
}

function edges(
  from: ReadonlyArray<PromotionPhase>,
  event: PromotionEvent,
  to: PromotionPhase,
): PhaseTransition[] {
  return from.map(f => ({ from: f, event, to }));
}

const nonTerminal = promotionPhases.filter(p => !isTerminal(p));

/**
 * The whole state machine; anything not listed here is refused. The backend applies an edge as
 * one conditional update (`WHERE phase = <from>`), so this table is also the list of updates a
 * concurrent writer can race on.
 */
export const phaseTransitions: ReadonlyArray<PhaseTransition> = Object.freeze(
  [
    ...edges(['Checking'], 'gates-blocked', 'Blocked'),
    ...edges(
      ['Checking'],
      'gates-passed-awaiting-approval',
      'AwaitingApproval',
    ),
    ...edges(['Checking'], 'gates-passed', 'Approved'),
    ...edges(['Blocked'], 'recheck', 'Checking'),
    // A re-check that still fails keeps the promotion open (and blocked) instead of ending it:
    // the missing evidence may still arrive.
    ...edges(['Blocked'], 'gates-blocked', 'Blocked'),
    ...edges(['Blocked'], 'gates-passed-awaiting-approval', 'AwaitingApproval'),
    ...edges(['Blocked'], 'gates-passed', 'Approved'),
    ...edges(['AwaitingApproval'], 'approval-quorum-met', 'Approved'),
    // Evidence can expire or be superseded while approvers think; approvals must not clear a
    // promotion whose gates no longer hold.
    ...edges(['AwaitingApproval'], 'gates-regressed', 'Blocked'),
    ...edges(['AwaitingApproval'], 'recheck', 'AwaitingApproval'),
    ...edges(
      ['Checking', 'Blocked', 'AwaitingApproval'],
      'rejected',
      'Rejected',
    ),
    // On `approval` and `operators` rungs a deploy first claims the approved promotion: single
    // use, because the conditional update lets exactly one claim leave "Approved".
    ...edges(['Approved'], 'claim', 'Deploying'),
    // The claimed deploy reported a non-zero exit: the rung may be half-changed, so this ends here.
    ...edges(['Deploying'], 'deploy-failed', 'Failed'),
    // Rungs without a claim whose proof checks observe the change (e.g. deploy evidence).
    ...edges(['Approved'], 'verify', 'Verifying'),
    // Only when the change was observed (the cluster runs the commit, the deploy reported it,
    // every proof check passed); never the moment approval lands.
    ...edges(['Approved', 'Deploying', 'Verifying'], 'verified', 'Promoted'),
    // The rollout is still progressing.
    ...edges(['Deploying'], 'recheck', 'Deploying'),
    ...edges(['Verifying'], 'recheck', 'Verifying'),
    ...edges(['Deploying', 'Verifying'], 'verification-failed', 'Failed'),
    // Once a deploy claimed it the rung may be mutated: cancelling would hide that. Roll back instead.
    ...edges(
      ['Checking', 'Blocked', 'AwaitingApproval', 'Approved'],
      'cancel',
      'Cancelled',
    ),
    ...edges(
      ['Checking', 'Blocked', 'AwaitingApproval', 'Approved', 'Verifying'],
      'supersede',
      'Superseded',
    ),
    ...edges(nonTerminal, 'error', 'Errored'),
    // Time ran out before a deploy claimed it (ladder config `expiry`). Once a deploy claimed it
    // the rung may be changing, so a deploying or verifying promotion never expires: it ends by
    // what is observed.
    ...edges(
      ['Checking', 'Blocked', 'AwaitingApproval', 'Approved'],
      'expire',
      'Expired',
    ),
  ].map(t => Object.freeze(t)),
);

const transitionIndex: ReadonlyMap<string, PromotionPhase> = new Map(
  phaseTransitions.map(t => [`${t.from}\u0000${t.event}`, t.to]),
);

/**
 * How each event reads in a sentence: "cannot <act>" (`%` stands for the promotion) and
 * "it cannot be <done>".
 */
const eventWords: Record<PromotionEvent, { act: string; done: string }> = {
  'gates-blocked': { act: 'block %', done: 'blocked' },
  'gates-passed-awaiting-approval': {
    act: 'send % for approval',
    done: 'sent for approval',
  },
  'gates-passed': { act: 'clear %', done: 'cleared' },
  recheck: { act: 're-check %', done: 're-checked' },
  'approval-quorum-met': { act: 'approve %', done: 'approved' },
  rejected: { act: 'reject %', done: 'rejected' },
  'gates-regressed': {
    act: 'report a gate regression on %',
    done: 'sent back to "Blocked"',
  },
  claim: { act: 'claim %', done: 'claimed' },
  'deploy-failed': {
    act: 'report a failed deploy of %',
    done: 'marked as failed',
  },
  verify: { act: 'start verifying %', done: 'sent to verification' },
  verified: { act: 'mark % as verified', done: 'marked as verified' },
  'verification-failed': {
    act: 'fail the verification of %',
    done: 'marked as failed',
  },
  cancel: { act: 'cancel %', done: 'cancelled' },
  supersede: { act: 'supersede %', done: 'superseded' },
  error: { act: 'mark % as errored', done: 'marked as errored' },
  expire: { act: 'expire %', done: 'expired' },
};

/** What a person can do instead, once a promotion is finished. */
function terminalAdvice(phase: PromotionPhase, event: PromotionEvent): string {
  switch (phase) {
    case 'Promoted':
      return event === 'cancel' ||
        event === 'rejected' ||
        event === 'verification-failed'
        ? 'Start a rollback instead.'
        : 'Request a new promotion (or a rollback) instead.';
    case 'Superseded':
      return 'Act on the newer promotion that replaced it instead.';
    case 'Failed':
      return 'Fix what the failed check reported and request a new promotion.';
    case 'Errored':
      return 'Request a new promotion once the fault is fixed.';
    case 'Expired':
      return 'It ran out of time before it was deployed; request a new promotion.';
    default:
      return 'Request a new promotion instead.';
  }
}

/** Why an open promotion in this phase refuses the event, when the general rule is not enough. */
function specificRefusal(
  phase: PromotionPhase,
  event: PromotionEvent,
): string | undefined {
  switch (event) {
    case 'approval-quorum-met':
      if (phase === 'Blocked') {
        return 'its gates must pass first (re-check it after adding the missing evidence)';
      }
      if (phase === 'Checking') {
        return 'its gates are still being checked; approve it once it is "AwaitingApproval"';
      }
      return 'it is already approved';
    case 'rejected':
      return phase === 'Approved'
        ? 'it is already approved; cancel it instead'
        : 'it is already deployed; wait for verification to finish, then start a rollback if needed';
    case 'claim':
      return phase === 'Deploying' || phase === 'Verifying'
        ? 'a deploy already claimed it (a claim is used once); wait for that deploy, or request a new promotion'
        : 'only an approved promotion can be claimed by a deploy; wait until it is "Approved"';
    case 'deploy-failed':
      return 'only a promotion a deploy claimed ("Deploying") can report a failed deploy';
    case 'cancel':
      return 'the rung has already been changed; wait for verification to finish, then start a rollback if needed';
    case 'gates-regressed':
      return phase === 'Checking' || phase === 'Blocked'
        ? 'only a promotion that is "AwaitingApproval" can regress; report "gates-blocked" instead'
        : `it is already approved and its gates are no longer re-evaluated; ${
            phase === 'Approved'
              ? 'cancel it instead'
              : 'wait for verification to finish'
          }`;
    case 'gates-blocked':
    case 'gates-passed':
    case 'gates-passed-awaiting-approval':
      if (phase === 'AwaitingApproval') {
        return 'its gates already passed; report a regression with "gates-regressed", or re-check it';
      }
      return 'its gates already passed and gate results can no longer change its course';
    case 'recheck':
      return phase === 'Checking'
        ? 'it is being checked right now; wait for the result'
        : 'it is cleared and waits to be deployed; start verifying it, or cancel it';
    case 'verify':
      return phase === 'Verifying'
        ? 'it is already being verified'
        : 'only an approved promotion is deployed and verified';
    case 'verified':
      return 'only an approved, deploying or verifying promotion can be marked as verified';
    case 'verification-failed':
      return 'only a promotion that is "Deploying" or "Verifying" can fail its verification';
    case 'expire':
      return 'a deploy already claimed it, so it ends by what the rung shows, not by time';
    default:
      return undefined;
  }
}

/**
 * Applies an event to a phase. Pure: the caller persists the result with a conditional update.
 * A refusal carries a sentence a person can act on, so the API can return it as is (409).
 */
export function nextPhase(
  phase: PromotionPhase,
  event: PromotionEvent,
): { ok: true; phase: PromotionPhase } | { ok: false; reason: string } {
  const to = transitionIndex.get(`${phase}\u0000${event}`);
  if (to !== undefined) {
    return { ok: true, phase: to };
  }
  const words = eventWords[event];
  if (isTerminal(phase)) {
    return {
      ok: false,
      reason: `a promotion in phase "${phase}" is finished; it cannot be ${
        words.done
      }. ${terminalAdvice(phase, event)}`,
    };
  }
  const why =
    specificRefusal(phase, event) ??
    `this is not a step that follows "${phase}" (possible now: ${allowedEvents(
      phase,
    ).join(', ')})`;
  return {
    ok: false,
    reason: `cannot ${words.act.replace(
      '%',
      `a promotion that is "${phase}"`,
    )}: ${why}`,
  };
}

/** The events a promotion in this phase accepts, in `promotionEvents` order (for buttons, docs). */
export function allowedEvents(phase: PromotionPhase): PromotionEvent[] {
  return promotionEvents.filter(e => transitionIndex.has(`${phase}\u0000${e}`));
}

/**
 * The phases that count as "open" for the one-open-promotion-per-entity-and-rung rule (the
 * backend's unique index). Derived, so a new non-terminal phase is open without a second edit.
 * Returns a fresh array, so callers may sort or extend it.
 */
export function openPhases(): PromotionPhase[] {
  return [...nonTerminal];
}
