import { z } from 'zod';
import { mutationPolicies } from '../config/schema';
import { validationChecks } from '../config/environment';
import { promotionPhases } from '../phases/phase';
import { promotionKinds } from './requests';
import { badCommitSchema, linePauseSchema } from './policy';

/**
 * Response schemas of the ladder REST API. The backend builds these shapes, the frontend and
 * the CLI parse them: one definition, so the three never drift apart.
 * They follow the OpenAPI contract (plugins/ladder-backend/src/schema/openapi.yaml), which the
 * backend's router is typed by and its tests check every answer against.
 */

export const gateResultSchema = z.object({
  gateId: z.string(),
  title: z.string(),
  status: z.enum(['passed', 'failed', 'pending', 'error']),
  summary: z.string(),
  howToFix: z.string().optional(),
  evidenceIds: z.array(z.string()).optional(),
  checkedAt: z.string(),
  durationMs: z.number().optional(),
});
export type GateResult = z.infer<typeof gateResultSchema>;

export const placementSchema = z.object({
  entityRef: z.string(),
  ladderId: z.string(),
  rungId: z.string(),
  ref: z.string(),
  /** How the ref got here. */
  via: z.enum(['promotion', 'rollback', 'enrollment', 'adoption']),
  promotionId: z.string().nullable(),
  placedAt: z.string(),
  placedBy: z.string(),
});
export type Placement = z.infer<typeof placementSchema>;

export const rungSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  aliases: z.array(z.string()),
  audience: z.string(),
  runtime: z.string(),
  purpose: z.string(),
  optional: z.boolean(),
  /** The rung above accepts this rung's unverified placements (it has no proof checks). */
  proofOptional: z.boolean().optional(),
  mutationPolicy: z.enum(mutationPolicies),
  host: z.string().optional(),
  kubernetes: z
    .object({ cluster: z.string(), namespace: z.string() })
    .optional(),
  approvers: z
    .object({
      groups: z.array(z.string()),
      minimum: z.number(),
      rules: z.array(z.object({ title: z.string(), groups: z.array(z.string()), minimum: z.number() })),
    })
    .optional(),
  entryGates: z.array(
    z.object({ id: z.string(), title: z.string().optional() }),
  ),
  proofChecks: z.array(
    z.object({ id: z.string(), title: z.string().optional() }),
  ),
  commands: z.record(z.string(), z.string()),
  metadata: z
    .object({
      customer: z.string().optional(),
      contacts: z.array(z.string()),
      requiresExplanation: z.boolean(),
    })
    .optional(),
  /** `khal env` lifecycle steps per action (rendered for the entity on an entity's ladder). */
  lifecycle: z
    .record(
      z.string(),
      z.array(
        z.object({
          title: z.string(),
          run: z.string(),
          howToFix: z.string().optional(),
          checks: z.enum(validationChecks).optional(),
        }),
      ),
    )
    .optional(),
  endpoints: z.array(z.object({ name: z.string(), url: z.string() })).optional(),
  /** What the rung is for, must provide and must never be. */
  boundary: z
    .object({
      useFor: z.array(z.string()),
      mustProvide: z.array(z.string()),
      mustNotBe: z.array(z.string()),
    })
    .optional(),
  /** Freezes of the rung or its ladder that have not ended yet, earliest first. */
  freezes: z
    .array(
      z.object({
        from: z.string(),
        to: z.string(),
        reason: z.string(),
        scope: z.enum(['ladder', 'rung']),
      }),
    )
    .optional(),
  /**
   * The release windows that apply to the rung (its own, or its ladder's): promotions enter only
   * while one is open. `duration` in seconds; see `windowState` and `describeWindow`.
   */
  windows: z
    .array(
      z.object({
        cron: z.string(),
        timeZone: z.string(),
        duration: z.number(),
        title: z.string().optional(),
      }),
    )
    .optional(),
  /** How long a ref must have been placed on the rung below before it may come here, in seconds. */
  minSoakSeconds: z.number().optional(),
});
export type RungSummary = z.infer<typeof rungSummarySchema>;

/** What a Kubernetes rung's cluster says (absent on non-k8s rungs). */
export const clusterStateSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  reachable: z.boolean(),
  reason: z.string().optional(),
  runningRef: z.string().nullable(),
  image: z.string().nullable().optional(),
  rollout: z
    .enum(['complete', 'progressing', 'failed', 'absent', 'unknown'])
    .optional(),
  rolloutMessage: z.string().optional(),
  replicas: z
    .object({
      desired: z.number(),
      updated: z.number(),
      ready: z.number(),
      available: z.number(),
    })
    .optional(),
  crashLoopingPods: z.array(z.string()).optional(),
  revisions: z
    .array(
      z.object({
        revision: z.number(),
        ref: z.string().nullable(),
        image: z.string().nullable(),
      }),
    )
    .optional(),
  checkedAt: z.string(),
});
export type ClusterState = z.infer<typeof clusterStateSchema>;

export const rungViewSchema = z.object({
  rung: rungSummarySchema,
  placement: placementSchema.nullable(),
  proof: z.array(gateResultSchema),
  status: z.enum(['empty', 'placed', 'proving', 'proven', 'unverified', 'failed', 'deploying', 'drifted', 'unknown']),
  statusReason: z.string(),
  /**
   * Whether the signed-in user may request a promotion onto this rung (the rule the backend
   * enforces on the request, e.g. operators only), and why not. Absent from older backends.
   */
  request: z.object({ allowed: z.boolean(), reason: z.string().optional() }).optional(),
  /**
   * Where "Roll back" on this rung goes: the previous ref the ladder placed there that is not
   * marked bad (or, on a drifted rung, the placed ref), or why there is nowhere to go (e.g. a
   * first release). Absent from older backends.
   */
  rollback: z
    .object({ allowed: z.boolean(), ref: z.string().optional(), reason: z.string().optional() })
    .optional(),
  cluster: clusterStateSchema.optional(),
  drift: z
    .object({
      since: z.string(),
      running: z.string().nullable(),
      expected: z.string().nullable(),
    })
    .optional(),
});
export type RungView = z.infer<typeof rungViewSchema>;

export const approvalSchema = z.object({
  id: z.string(),
  promotionId: z.string(),
  approver: z.string(),
  decision: z.enum(['approve', 'reject']),
  comment: z.string(),
  createdAt: z.string(),
  /**
   * Whether this approval counts toward the quorum now: eligibility (membership of the approver
   * groups, four eyes) is decided again at decision time. Absent on rejections.
   */
  counted: z.boolean().optional(),
  /** Why it does not count, e.g. "no longer a member of group:default/operators". */
  why: z.string().optional(),
});
export type Approval = z.infer<typeof approvalSchema>;

export const breakGlassSchema = z.object({
  reason: z.string(),
  by: z.string(),
  at: z.string(),
  /** Gates that were not passing when the glass was broken. */
  overridden: z.array(z.string()),
  /** The review should be acknowledged (by someone other than `by`) before this. */
  reviewDueAt: z.string(),
  review: z.object({ by: z.string(), at: z.string(), comment: z.string() }).nullable(),
});
export type BreakGlass = z.infer<typeof breakGlassSchema>;

export const approvalRequirementSchema = z.object({
  groups: z.array(z.string()),
  minimum: z.number(),
  given: z.number(),
  /** Users who may still approve (excludes the requester and those who already approved). */
  eligible: z.array(z.string()),
  /** Every rule must hold; one person counts towards one rule only. */
  rules: z.array(
    z.object({
      title: z.string(),
      groups: z.array(z.string()),
      minimum: z.number(),
      /** People counted towards this rule. */
      approvedBy: z.array(z.string()),
      /** Members of its groups who may still approve. */
      eligible: z.array(z.string()),
      satisfied: z.boolean(),
    }),
  ),
});
export type ApprovalRequirement = z.infer<typeof approvalRequirementSchema>;

/**
 * What approvers of a rung that needs an explanation (metadata.requiresExplanation) see first:
 * captured when the promotion was requested. Setting names only, never values.
 */
export const promotionExplanationSchema = z.object({
  text: z.string(),
  customer: z.string().nullable(),
  contacts: z.array(z.string()),
  /** Names of the settings the target rung needs that are supplied there; null when unknown. */
  settingsSupplied: z.array(z.string()).nullable(),
  /** Names of required settings not supplied there (empty when unknown). */
  settingsMissing: z.array(z.string()),
  /** The change vs the rung below the target. */
  changes: z.object({
    from: z.object({ rung: z.string().optional(), ref: z.string().nullable() }),
    to: z.string(),
    commits: z.number().nullable(),
    settingsAdded: z.array(z.string()),
    settingsRemoved: z.array(z.string()),
    newlyRequired: z.array(z.string()),
  }),
  /** Who can approve next (members of the approver groups, never the requester). */
  approvers: z.array(z.string()),
});
export type PromotionExplanation = z.infer<typeof promotionExplanationSchema>;

export const promotionSchema = z.object({
  id: z.string(),
  entityRef: z.string(),
  ladderId: z.string(),
  fromRung: z.string().nullable(),
  toRung: z.string(),
  ref: z.string(),
  kind: z.enum(promotionKinds),
  reason: z.string(),
  explanation: z.string().optional(),
  explanationDetail: promotionExplanationSchema.optional(),
  /**
   * What the requester asked for (a branch, tag or short SHA); `ref` is the full 40-hex commit
   * SHA it resolved to when the promotion was created, and approvals bind to that.
   */
  requestedRef: z.string().optional(),
  /** sha256 of khal-app.json at `ref`, read when the promotion was created; null when unreadable. */
  manifestDigest: z.string().nullable().optional(),
  /** The deploy that claimed this promotion (Approved → Deploying), once claimed. */
  claim: z
    .object({ claimedBy: z.string(), claimedAt: z.string() })
    .nullable()
    .optional(),
  phase: z.enum(promotionPhases),
  phaseMessage: z.string(),
  requestedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /**
   * When a time rule on it changes by time alone (its soak ends, a release window opens, a freeze
   * ends, it or an approval expires); null when nothing waits on time.
   */
  dueAt: z.string().nullable().optional(),
  version: z.number(),
  gates: z.array(gateResultSchema),
  approvals: z.array(approvalSchema),
  approvalRequirement: approvalRequirementSchema.nullable(),
  /** An operator overrode failing entry gates (never the approval gate) with this reason. */
  breakGlass: breakGlassSchema.optional(),
});
export type Promotion = z.infer<typeof promotionSchema>;

export const nextStepSchema = z.object({
  action: z.enum(['enroll', 'promote', 'fix', 'approve', 'deploy', 'wait', 'none']),
  toRung: z.string().optional(),
  ref: z.string().optional(),
  promotionId: z.string().optional(),
  gatesPassed: z.number().optional(),
  gatesTotal: z.number().optional(),
  waitingFor: z.array(z.string()).optional(),
  /** One line a person reads: "Next: promote a1b2c3d to Shared dev — 3 of 5 gates pass — waiting for a dry-run". */
  summary: z.string(),
});
export type NextStep = z.infer<typeof nextStepSchema>;

export const ladderSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  rungs: z.array(rungSummarySchema),
});
export type LadderSummary = z.infer<typeof ladderSummarySchema>;

export const laddersResponseSchema = z.object({
  items: z.array(ladderSummarySchema),
});
export type LaddersResponse = z.infer<typeof laddersResponseSchema>;

export const entityLadderResponseSchema = z.object({
  entityRef: z.string(),
  ladder: ladderSummarySchema,
  rungs: z.array(rungViewSchema),
  openPromotions: z.array(promotionSchema),
  next: nextStepSchema,
  /** Pauses in force over this entity: of its ladder, of one of its rungs, or of the entity. */
  pauses: z.array(linePauseSchema).optional(),
  /** Commits of this entity marked bad: never promoted anywhere. */
  badCommits: z.array(badCommitSchema).optional(),
});
export type EntityLadderResponse = z.infer<typeof entityLadderResponseSchema>;

export const overviewCellSchema = z.object({
  ref: z.string().nullable(),
  status: rungViewSchema.shape.status,
  placedAt: z.string().nullable(),
  openPromotion: z
    .object({ id: z.string(), phase: z.string(), ref: z.string(), breakGlass: z.boolean().optional() })
    .nullable(),
  /** On a drifted rung: what the cluster runs, what the ladder placed, since when. */
  drift: rungViewSchema.shape.drift,
});
export type OverviewCell = z.infer<typeof overviewCellSchema>;

export const overviewRowSchema = z.object({
  entityRef: z.string(),
  title: z.string(),
  owner: z.string().nullable(),
  system: z.string().nullable(),
  ladderId: z.string(),
  cells: z.record(z.string(), overviewCellSchema),
});
export type OverviewRow = z.infer<typeof overviewRowSchema>;

export const overviewResponseSchema = z.object({
  ladders: z.array(ladderSummarySchema),
  items: z.array(overviewRowSchema),
  totalItems: z.number(),
  nextCursor: z.string().optional(),
  /** Pauses in force over the ladders shown (ladder and rung scope) and the entities of this page. */
  pauses: z.array(linePauseSchema).optional(),
});
export type OverviewResponse = z.infer<typeof overviewResponseSchema>;

export const promotionListResponseSchema = z.object({
  items: z.array(promotionSchema),
  nextCursor: z.string().optional(),
});
export type PromotionListResponse = z.infer<typeof promotionListResponseSchema>;

export const evidenceSchema = z.object({
  id: z.string(),
  entityRef: z.string(),
  rungId: z.string(),
  ref: z.string(),
  kind: z.string(),
  summary: z.string(),
  url: z.string().optional(),
  /** Redacted content (in lists: its first EVIDENCE_PREVIEW_CHARS characters). */
  content: z.string().optional(),
  /** In lists: the content was cut to a preview; `GET /evidence/{id}` returns all of it. */
  contentTruncated: z.boolean().optional(),
  /** When the retention task removed the content (digest and summary stay). */
  contentExpiredAt: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  /** sha256 (hex) of the redacted content as stored. */
  digest: z.string(),
  sizeBytes: z.number(),
  redactions: z.number(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const evidenceListResponseSchema = z.object({
  items: z.array(evidenceSchema),
  /** Pass as `cursor` for the next (older) page; absent on the last page. */
  nextCursor: z.string().optional(),
});

export const deployPlanSettingSchema = z.object({
  name: z.string(),
  required: z.boolean(),
  secret: z.boolean(),
  /** null when the settings source cannot tell for this target. */
  supplied: z.boolean().nullable(),
});

export const deployPlanSchema = z.object({
  entityRef: z.string(),
  ladderId: z.string(),
  target: z.string(),
  rung: z.object({ id: z.string(), title: z.string(), index: z.number() }),
  host: z.string().nullable(),
  controlPlane: z.string().nullable(),
  runtime: z.string(),
  mechanism: z.string(),
  manifest: z.object({ name: z.string(), ref: z.string(), digest: z.string() }),
  settings: z.array(deployPlanSettingSchema),
  mutationPolicy: z.object({
    policy: z.enum(mutationPolicies),
    description: z.string(),
    allowedNow: z.boolean(),
    reason: z.string(),
  }),
  commands: z.record(z.string(), z.string()),
  /**
   * sha256 of the facts a dry-run vouches for (target, rung, host, runtime, manifest digest,
   * setting names, dry-run command), as `sha256:<hex>`. A dry-run counts only for this digest.
   */
  planDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** The programs each command runs (first words of its parts), to check before running it. */
  tools: z.record(z.string(), z.array(z.string())).optional(),
});
export type DeployPlan = z.infer<typeof deployPlanSchema>;

/** Body detail of a 422 from GET /plan: each fact that could not be resolved. */
export const unresolvedFactSchema = z.object({
  fact: z.string(),
  howToConfigure: z.string(),
});
export type UnresolvedFact = z.infer<typeof unresolvedFactSchema>;

export const auditEventSchema = z.object({
  id: z.string(),
  entityRef: z.string(),
  promotionId: z.string().nullable(),
  action: z.string(),
  actor: z.string(),
  fromPhase: z.string().nullable(),
  toPhase: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  /** The x-correlation-id of the request or scheduled run that wrote it; null on older rows. */
  correlationId: z.string().nullable().optional(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditListResponseSchema = z.object({
  items: z.array(auditEventSchema),
  nextCursor: z.string().optional(),
});

/** A distribution of durations; the figures are null when there was no sample. */
const durationSummarySchema = z.object({
  count: z.number().int(),
  medianSeconds: z.number().nullable(),
  p90Seconds: z.number().nullable(),
});

export const insightsGroupSchema = z.object({
  /** `all`, an owner (group ref), or an entity ref. */
  key: z.string(),
  leadTime: durationSummarySchema,
  deployments: z.array(
    z.object({
      rungId: z.string(),
      count: z.number().int(),
      perWeek: z.number(),
    }),
  ),
  changes: z.number().int(),
  failures: z.number().int(),
  changeFailureRate: z.number().nullable(),
  timeToRestore: durationSummarySchema.extend({ open: z.number().int() }),
  approvalWait: durationSummarySchema,
});
export type InsightsGroup = z.infer<typeof insightsGroupSchema>;

export const deliveryInsightsSchema = z.object({
  from: z.string(),
  to: z.string(),
  days: z.number().int(),
  totals: insightsGroupSchema,
  teams: z.array(insightsGroupSchema),
  entities: z.array(insightsGroupSchema),
});
export type DeliveryInsights = z.infer<typeof deliveryInsightsSchema>;

/** A manifest field's value at one ref; null when the field is not set there. */
const manifestValueSchema = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.string())])
  .nullable();
const manifestFieldChangeSchema = z.object({
  field: z.string(),
  from: manifestValueSchema,
  to: manifestValueSchema,
});
const manifestSettingSummarySchema = z
  .object({
    name: z.string(),
    required: z.boolean().optional(),
    secret: z.boolean().optional(),
  })
  .passthrough();

/** `diffManifests` output as it travels over the API (setting values never appear). */
export const manifestDiffSchema = z.object({
  settingsAdded: z.array(manifestSettingSummarySchema),
  settingsRemoved: z.array(manifestSettingSummarySchema),
  settingsChanged: z.array(
    z.object({ name: z.string(), changes: z.array(manifestFieldChangeSchema) }),
  ),
  runtimeChanges: z.array(manifestFieldChangeSchema),
  identityChanges: z.array(manifestFieldChangeSchema),
  deployChanges: z.array(manifestFieldChangeSchema),
});

export const changeCommitSchema = z.object({
  sha: z.string(),
  subject: z.string(),
  author: z.string(),
  date: z.string(),
});
export type ChangeCommit = z.infer<typeof changeCommitSchema>;

/** A setting the target rung needs at the newer ref; names and flags only, never values. */
export const changeSettingSchema = deployPlanSettingSchema.extend({
  /** Required at the newer ref for this rung, and was not (or did not exist) at the older ref. */
  newlyRequired: z.boolean(),
});

/** GET /changes and GET /promotions/:id/changes: what changes between two refs of an entity. */
export const changesResponseSchema = z.object({
  entityRef: z.string(),
  from: z.object({ rung: z.string().optional(), ref: z.string().nullable() }),
  to: z.object({ rung: z.string().optional(), ref: z.string() }),
  /** The rung the settings are judged against. */
  target: z.string(),
  /** Oldest last, as `git log` lists them; null when the repository cannot be asked. */
  commits: z.array(changeCommitSchema).nullable(),
  commitsUnavailableReason: z.string().optional(),
  /** True when the range has more commits than were listed. */
  commitsTruncated: z.boolean().optional(),
  /** null when the newer ref's manifest cannot be read or is invalid. */
  manifestDiff: manifestDiffSchema.nullable(),
  manifestUnavailableReason: z.string().optional(),
  settingsForTarget: z.array(changeSettingSchema),
});
export type ChangesResponse = z.infer<typeof changesResponseSchema>;
