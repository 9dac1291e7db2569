import type {
  AuditEvent,
  BreakGlass,
  Evidence,
  GateResult,
  Placement,
  PromotionExplanation,
  PromotionKind,
  PromotionPhase,
} from '@khal/plugin-ladder-common';
import type { GateMode } from '@khal/plugin-ladder-node';

/** A promotion as stored: the API's Promotion without gates and approvals. */
export interface PromotionRecord {
  id: string;
  entityRef: string;
  ladderId: string;
  fromRung: string | null;
  toRung: string;
  ref: string;
  kind: PromotionKind;
  reason: string;
  explanation?: string;
  explanationDetail?: PromotionExplanation;
  /** What the requester asked for; `ref` is the full commit SHA it resolved to. */
  requestedRef?: string;
  /** sha256 of khal-app.json at `ref` when the promotion was created; null when unreadable. */
  manifestDigest: string | null;
  /** The deploy that claimed the approved promotion; null until claimed. */
  claim: { claimedBy: string; claimedAt: string } | null;
  phase: PromotionPhase;
  phaseMessage: string;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  /** When it entered `phase`; null for promotions written before this was recorded. */
  phaseEnteredAt?: string | null;
  /**
   * When a time rule waiting on it changes by time alone (a soak ends, a window opens, a freeze
   * ends, it or its approvals expire): the re-check looks at it first from then on.
   */
  dueAt?: string | null;
  version: number;
  /** Set when an operator broke the glass: failing entry gates (never approval) are overridden. */
  breakGlass?: BreakGlass;
}

/** The summary of a placement's proof checks. */
export type ProofStatus = 'passed' | 'pending' | 'failed' | 'unverified';

/** A placement with the summary of its proof checks. */
export interface PlacementRecord extends Placement {
  /**
   * `null` until the rung's proof checks ran for the placed ref; `unverified` when the rung has
   * none (nothing proved the ref works there).
   */
  proofStatus: ProofStatus | null;
  proofCheckedAt: string | null;
}

/** A stored gate result and what it was about. */
export interface StoredGateResult extends GateResult {
  promotionId: string | null;
  rungId: string;
  ref: string;
  mode: GateMode;
  waitingFor?: string;
}

export type EvidenceRecord = Evidence;

export type AuditRecord = AuditEvent;

/** What an audit row says; `entityRef` and time are filled by the store. */
export interface AuditInput {
  entityRef: string;
  promotionId?: string | null;
  rungId?: string | null;
  ref?: string | null;
  action: string;
  actor: string;
  fromPhase?: string | null;
  toPhase?: string | null;
  detail?: Record<string, unknown>;
}

/** A stored first result of an idempotent request. */
export interface IdempotencyRecord {
  requestHash: string;
  statusCode: number | null;
  /** Before completion: null, or `{ promotionId }` once the change it guards committed. */
  response: unknown;
  createdAt: string;
}

/** How a drift ended. */
export type DriftResolution =
  | 'adoption'
  | 'rollback'
  | 'promotion'
  | 'cluster-returned';

/** A Kubernetes rung whose cluster runs a ref the ladder did not place there. */
export interface DriftRecord {
  id: string;
  entityRef: string;
  rungId: string;
  runningRef: string;
  /** What the ladder placed there; null when it placed nothing. */
  expectedRef: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  notifiedAt: string | null;
  resolvedAt: string | null;
  resolution: DriftResolution | null;
  resolvedBy: string | null;
  resolvedPromotionId: string | null;
}
