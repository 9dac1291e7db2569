import type {
  Approval,
  BadCommit,
  LinePause,
  PromotionExplanation,
  PromotionKind,
  PromotionPhase,
} from '@khal/plugin-ladder-common';
import type { GateMode } from '@khal/plugin-ladder-node';
import type {
  AuditInput,
  AuditRecord,
  DriftRecord,
  DriftResolution,
  EvidenceRecord,
  IdempotencyRecord,
  PlacementRecord,
  PromotionRecord,
  ProofStatus,
  StoredGateResult,
} from './records';
import type { HoldTarget, Holds } from '../policy/holds';
import type { PauseInput } from './policyTables';

/** A reserved `Idempotency-Key` of one caller and operation. */
export interface IdempotencyClaim {
  scope: string;
  operation: string;
  key: string;
}

/** Writes that must commit together (a transition, its audit row, the placement it moves). */
export interface LadderStoreTransaction {
  /**
   * Moves a promotion from one phase to another with one conditional update
   * (`WHERE id = ? AND phase = ? [AND version = ?]`). Zero rows changed throws ConflictError.
   */
  transitionPromotion(options: {
    id: string;
    from: PromotionPhase;
    /** The version the writer read; a concurrent write bumped it, and this throws ConflictError. */
    fromVersion: number;
    to: PromotionPhase;
    message: string;
    /** Records who claimed the promotion (Approved → Deploying). */
    claimedBy?: string;
    /** When a time rule on it changes next (see PromotionRecord.dueAt); null clears it, absent keeps it. */
    dueAt?: string | null;
    /** Marks the promotion as broken glass (see policy/breakGlass.ts). */
    breakGlass?: { reason: string; by: string; overridden: string[]; reviewDueAt: string };
  }): Promise<PromotionRecord>;
  /** Stored gate results of a promotion as this transaction sees them. */
  listGateResults(promotionId: string): Promise<StoredGateResult[]>;
  /** Removes an approval of this promotion (an expired one that its approver renews). */
  deleteApproval(options: { id: string; promotionId: string }): Promise<void>;
  /** Records an approval or rejection; a second one by the same person throws ConflictError. */
  insertApproval(
    approval: Omit<Approval, 'id' | 'createdAt'>,
  ): Promise<Approval>;
  /** Approvals of a promotion as this transaction sees them. */
  listApprovals(promotionId: string): Promise<Approval[]>;
  /** Replaces the stored results of one promotion and mode, or of one placement's proof. */
  replaceGateResults(options: {
    promotionId: string | null;
    entityRef: string;
    rungId: string;
    ref: string;
    mode: GateMode;
    results: Omit<
      StoredGateResult,
      'promotionId' | 'rungId' | 'ref' | 'mode'
    >[];
  }): Promise<void>;
  /** Puts a ref on a rung (insert or replace), resetting its proof summary. */
  upsertPlacement(
    placement: Omit<PlacementRecord, 'proofCheckedAt'>,
  ): Promise<void>;
  /** Sets the proof summary of a placement if it still holds `ref`. */
  setProofStatus(options: {
    entityRef: string;
    rungId: string;
    ref: string;
    status: ProofStatus;
  }): Promise<void>;
  insertAudit(event: AuditInput): Promise<void>;
  /**
   * Records the review of a break-glass: one conditional update (`break_glass_by IS NOT NULL AND
   * break_glass_reviewed_by IS NULL AND break_glass_by <> by`). Undefined when no row changed.
   */
  acknowledgeBreakGlassReview(options: {
    id: string;
    by: string;
    comment: string;
  }): Promise<PromotionRecord | undefined>;
  /**
   * Links a reserved `Idempotency-Key` to the promotion this transaction changes, so a retry after
   * a crash answers with it (see router/idempotency.ts).
   */
  linkIdempotencyKey(
    claim: IdempotencyClaim,
    promotionId: string,
  ): Promise<void>;
  /**
   * Resolves the open drift of an entity on a rung, with its audit row (`drift.resolved`);
   * returns the resolved drift, or undefined when none was open.
   */
  resolveDrift(options: {
    entityRef: string;
    rungId: string;
    resolution: DriftResolution;
    actor: string;
    promotionId?: string | null;
  }): Promise<DriftRecord | undefined>;
  /** The pauses and bad mark holding a promotion of `target` back, as this transaction sees them. */
  holdsOn(target: HoldTarget): Promise<Holds>;
}

/** Persistence of the ladder engine. */
export interface LadderStore {
  /** Runs `fn` in one database transaction. */
  transaction<T>(fn: (tx: LadderStoreTransaction) => Promise<T>): Promise<T>;

  /**
   * Inserts a new promotion in its first phase with its audit row. An open promotion of the same
   * entity and rung that no deploy claimed yet is moved to `Superseded` in the same transaction
   * (a version-checked update with its audit row) and returned as `superseded`; one of the same
   * commit and kind, or one being deployed, throws ConflictError.
   */
  createPromotion(
    promotion: {
      entityRef: string;
      ladderId: string;
      fromRung: string | null;
      toRung: string;
      /** The full commit SHA. */
      ref: string;
      requestedRef?: string;
      manifestDigest: string | null;
      kind: PromotionKind;
      reason: string;
      explanation?: string;
      explanationDetail?: PromotionExplanation;
      requestedBy: string;
      phaseMessage: string;
    },
    audit: Omit<AuditInput, 'entityRef' | 'promotionId'>,
    /** When the request carried an Idempotency-Key: linked to the new promotion in the same transaction. */
    idempotency?: IdempotencyClaim,
  ): Promise<{ promotion: PromotionRecord; superseded?: PromotionRecord }>;
  getPromotion(id: string): Promise<PromotionRecord | undefined>;
  listPromotions(filter: {
    entityRef?: string;
    entityRefs?: string[];
    phases?: PromotionPhase[];
    /** Only break-glass promotions whose review waits, the earliest due first. */
    breakGlassReviewPending?: boolean;
    limit: number;
    offset: number;
  }): Promise<PromotionRecord[]>;
  /**
   * Open promotions that the re-check task should look at: those due by `dueBy` (a time rule on
   * them changed) first, earliest due first, then the rest, oldest update first.
   */
  listPromotionsToRecheck(options: {
    phases: PromotionPhase[];
    updatedBefore?: string;
    dueBy?: string;
    limit: number;
  }): Promise<PromotionRecord[]>;
  /**
   * `AwaitingApproval` promotions that entered that phase and were last reminded (if ever) at or
   * before `before`, oldest first.
   */
  listPromotionsToRemind(options: {
    before: string;
    limit: number;
  }): Promise<Array<{ promotion: PromotionRecord; remindedAt: string | null }>>;
  /**
   * Claims the reminder of a promotion: sets `reminded_at` to `at` only if it is still what was
   * read (`previous`) and the promotion still waits for approval, and records the audit row in
   * the same transaction. False when another replica claimed it first.
   */
  claimReminder(options: {
    id: string;
    previous: string | null;
    at: string;
    audit: AuditInput;
  }): Promise<boolean>;
  listGateResults(promotionIds: string[]): Promise<StoredGateResult[]>;
  listApprovals(promotionIds: string[]): Promise<Approval[]>;

  listPlacements(entityRefs: string[]): Promise<PlacementRecord[]>;
  /** Refs ever placed on a rung for an entity (from the audit trail), newest first. */
  placementHistory(entityRef: string, rungId: string): Promise<string[]>;
  /** Proof results of placements (mode `proof`) for these entities. */
  listProofResults(entityRefs: string[]): Promise<StoredGateResult[]>;
  /** Placements whose proof never ran or is pending, least recently checked first. */
  listPlacementsToProve(limit: number): Promise<PlacementRecord[]>;
  /** Places an entity on a rung for the first time; throws ConflictError when it is already on the ladder. */
  enroll(
    placement: Omit<PlacementRecord, 'proofStatus' | 'proofCheckedAt'>,
  ): Promise<PlacementRecord>;

  /** Open (unresolved) drifts of these entities. */
  listOpenDrifts(entityRefs: string[]): Promise<DriftRecord[]>;
  /**
   * The audit rows delivery insights are made of, oldest first, created at or after `since`:
   * placements, phase changes into and out of AwaitingApproval, failures and rollback requests.
   * Limited to `entityRefs` when given.
   */
  listDeliveryEvents(filter: {
    since: string;
    entityRefs?: string[];
  }): Promise<AuditRecord[]>;
  /** Every entity with a placement on some rung (what the ladder holds at all). */
  listPlacedEntityRefs(): Promise<string[]>;
  /** When each (entity, ref) was first placed on any rung; keys are `${entityRef} ${ref}`. */
  firstPlacedAt(
    pairs: Array<{ entityRef: string; ref: string }>,
  ): Promise<Map<string, string>>;
  /** How many promotions are in each phase (phases with none are left out). */
  countPromotionsByPhase(): Promise<Array<{ phase: string; count: number }>>;
  /** How many drifts are open, over all entities. */
  countOpenDrifts(): Promise<number>;
  /**
   * Records that the cluster of a rung runs `runningRef` where the ladder placed `expectedRef`.
   * Opens a drift (audited as `drift.detected`) unless one is open already; an open one keeps its
   * first-seen time and takes the latest refs. `created` is true only for the caller that opened it.
   */
  observeDrift(observation: {
    entityRef: string;
    rungId: string;
    runningRef: string;
    expectedRef: string | null;
    actor: string;
  }): Promise<{ drift: DriftRecord; created: boolean }>;
  /** Resolves the open drift of an entity on a rung outside a promotion (e.g. the cluster returned). */
  resolveDrift(
    options: Parameters<LadderStoreTransaction['resolveDrift']>[0],
  ): Promise<DriftRecord | undefined>;
  /** Marks a drift as notified; true only for the one caller that did it (notify once). */
  markDriftNotified(id: string): Promise<boolean>;
  /**
   * Entities the re-check looks at the clusters of: up to `limit` placed entities in ref order
   * after `after` (a keyset page), and up to `limit` entities with an open drift.
   */
  listEntityRefsToObserve(
    limit: number,
    after?: string,
  ): Promise<{ placed: string[]; drifting: string[] }>;

  addEvidence(evidence: EvidenceRecord): Promise<EvidenceRecord>;
  findEvidence(filter: {
    entityRef: string;
    rungId?: string;
    ref?: string;
    kinds?: string[];
    limit: number;
    /** Keyset page: only evidence older than this (newest first by createdAt, then id). */
    before?: { createdAt: string; id: string };
  }): Promise<EvidenceRecord[]>;
  getEvidence(id: string): Promise<EvidenceRecord | undefined>;
  /**
   * Removes the content of up to `limit` evidence items created before `createdBefore` (digest,
   * summary and data stay), each with an `evidence.content-expired` audit row in the same
   * transaction. Returns how many were expired; an expired item is never counted again.
   */
  expireEvidenceContent(options: { createdBefore: string; limit: number }): Promise<number>;
  /** Deletes Idempotency-Key records created before `createdBefore`; returns how many. */
  deleteIdempotencyKeys(options: { createdBefore: string }): Promise<number>;

  listAudit(filter: {
    entityRef?: string;
    promotionId?: string;
    limit: number;
    afterId?: number;
  }): Promise<AuditRecord[]>;

  getIdempotencyKey(options: {
    scope: string;
    operation: string;
    key: string;
  }): Promise<IdempotencyRecord | undefined>;
  /** Reserves a key; returns false when it already exists. */
  reserveIdempotencyKey(options: {
    scope: string;
    operation: string;
    key: string;
    requestHash: string;
  }): Promise<boolean>;
  completeIdempotencyKey(options: {
    scope: string;
    operation: string;
    key: string;
    statusCode: number;
    response: unknown;
  }): Promise<void>;
  releaseIdempotencyKey(options: {
    scope: string;
    operation: string;
    key: string;
  }): Promise<void>;

  /**
   * Stops the line for a ladder, a rung or an entity, with its audit row (`line.paused`), and
   * bumps the version of the open promotions it covers in the same transaction; 409 when that
   * scope is paused already.
   */
  pauseLine(input: PauseInput): Promise<LinePause>;
  /** Resumes a pause in force, with its audit row (`line.resumed`); 409 once resumed, 404 unknown. */
  resumeLine(input: { id: string; actor: string; reason?: string }): Promise<LinePause>;
  getPause(id: string): Promise<LinePause | undefined>;
  /** Pauses in force; with a filter, those over these ladders (ladder or rung scope) or entities. */
  listPauses(filter?: { ladderIds?: string[]; entityRefs?: string[] }): Promise<LinePause[]>;
  /** The pauses and bad mark holding a promotion of `target` back now. */
  holdsOn(target: HoldTarget): Promise<Holds>;
  /**
   * Marks a commit of an entity bad, with its audit row (`commit.marked-bad`), bumping the version
   * of its open promotions in the same transaction; 409 when it is marked already.
   */
  markBadCommit(input: { entityRef: string; sha: string; reason: string; actor: string }): Promise<BadCommit>;
  /** Takes a bad mark back (audited in the same transaction); 404 when unknown or taken back already. */
  unmarkBadCommit(input: { id: string; actor: string; reason: string }): Promise<BadCommit>;
  getBadCommitById(id: string): Promise<BadCommit | undefined>;
  listBadCommits(entityRefs: string[]): Promise<BadCommit[]>;
}
