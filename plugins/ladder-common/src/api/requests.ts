import { z } from 'zod';

/**
 * Request schemas of the ladder REST API (`/api/ladder`). Strict: unknown keys are rejected,
 * so a typo in a client never silently does something else.
 */

const entityRef = z
  .string()
  .trim()
  .min(1)
  .max(512)
  .regex(
    /^[a-zA-Z][a-zA-Z0-9_-]*:([a-z0-9][a-z0-9._-]*\/)?[a-zA-Z0-9][a-zA-Z0-9._-]*$/,
    'an entity ref looks like "component:default/orders-api"',
  );
const rungName = z
  .string()
  .trim()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'a rung id or alias, e.g. "dev"');
/** A git commit (7–40 hex), tag or image tag. No whitespace, no shell metacharacters. */
const gitRef = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._\/-]*$/,
    'a ref is a commit sha, tag or image tag (letters, digits, ".", "_", "/", "-")',
  );
const text = (max: number) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    // Control characters other than tab/newline have no business in a reason or comment.
    .regex(
      // eslint-disable-next-line no-control-regex
      /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/,
      'control characters are not allowed',
    );

/**
 * `adoption` makes the ref a drifted Kubernetes rung runs its placement (needs evidence for that
 * ref on that rung and the rung approvers, whatever the rung's policy says).
 */
export const promotionKinds = ['promotion', 'rollback', 'adoption'] as const;
export type PromotionKind = (typeof promotionKinds)[number];

export const createPromotionRequestSchema = z.strictObject({
  entityRef,
  toRung: rungName,
  ref: gitRef,
  kind: z.enum(promotionKinds).default('promotion'),
  reason: text(2000).optional(),
  /** Customer-rung explanation (required when the target rung's metadata.requiresExplanation). */
  explanation: text(4000).optional(),
});
export type CreatePromotionRequest = z.input<
  typeof createPromotionRequestSchema
>;

export const approvalDecisions = ['approve', 'reject'] as const;
export type ApprovalDecision = (typeof approvalDecisions)[number];

export const approvalRequestSchema = z.strictObject({
  decision: z.enum(approvalDecisions),
  comment: text(2000).default(''),
});
export type ApprovalRequest = z.input<typeof approvalRequestSchema>;

export const cancelRequestSchema = z.strictObject({
  reason: text(2000).optional(),
});

/** Break glass: the reason is mandatory, because everyone who sees the promotion reads it. */
export const breakGlassRequestSchema = z.strictObject({
  reason: text(2000).refine(r => r.trim().length >= 10, {
    message: 'say why the failing gates are overridden (at least 10 characters): people reviewing it read this',
  }),
});

export const breakGlassReviewRequestSchema = z.strictObject({
  comment: text(2000).optional(),
});

/** Evidence kinds are open-ended; these are the ones gates and the CLI know by name. */
export const wellKnownEvidenceKinds = [
  'build-output',
  'typecheck',
  'manifest-validation',
  'env-contract',
  'dry-run',
  'logs',
  'status',
  'url',
  'acceptance',
  'rollback-plan',
  'rollback-drill',
  'deploy-output',
] as const;

export const evidenceKindSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(
    /^[a-z][a-z0-9-]*$/,
    'evidence kinds are kebab-case, e.g. "build-output"',
  );

/** How deep evidence `data` may nest (the redactor and the store walk it). */
export const EVIDENCE_MAX_DEPTH = 32;

/** Nesting depth of a JSON value, without recursion (a hostile value may nest 100,000 levels). */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > EVIDENCE_MAX_DEPTH) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Default evidence limit (content plus data, in bytes); larger evidence gets a 413 naming the
 * limit. Configurable as `ladder.evidence.maxBytes`.
 */
export const EVIDENCE_MAX_BYTES = 1024 * 1024;

export const createEvidenceRequestSchema = z
  .strictObject({
    entityRef,
    rung: rungName,
    ref: gitRef,
    kind: evidenceKindSchema,
    summary: text(500).min(1, 'say in one line what this evidence shows'),
    // PostgreSQL stores no NUL character in text; say so instead of failing at the insert.
    content: z
      .string()
      .refine(
        c => !c.includes('\u0000'),
        'contains NUL characters (\\u0000); strip them, e.g. with tr -d "\\000"',
      )
      .optional(),
    url: z
      .string()
      .max(2048)
      .url('a full http(s) URL')
      .refine(u => /^https?:\/\//i.test(u), 'only http(s) URLs')
      .optional(),
    /** Structured facts (e.g. a dry-run's result); redacted like content. */
    data: z
      .record(z.string(), z.unknown())
      .refine(d => nestingDepth(d) <= EVIDENCE_MAX_DEPTH, {
        message: `nests deeper than ${EVIDENCE_MAX_DEPTH} levels; flatten it, or put the raw output in content`,
      })
      .optional(),
  })
  .refine(e => e.content !== undefined || e.url !== undefined, {
    message: 'give either content (the proof itself) or url (where it lives)',
    path: ['content'],
  });
export type CreateEvidenceRequest = z.input<typeof createEvidenceRequestSchema>;

const limit = z.coerce.number().int().min(1).max(500);

/**
 * `GET /entities/{kind}/{namespace}/{name}`: `clusterState=live` reads the Kubernetes rungs'
 * clusters now instead of showing an observation up to `ladder.clusterStateMaxAgeMs` old.
 */
export const entityLadderQuerySchema = z.strictObject({
  clusterState: z.enum(['live', 'recent']).default('recent'),
});
export type EntityLadderQuery = z.input<typeof entityLadderQuerySchema>;

export const overviewQuerySchema = z.strictObject({
  ladder: z.string().max(63).optional(),
  owner: z.string().max(512).optional(),
  system: z.string().max(512).optional(),
  q: z.string().max(200).optional(),
  limit: limit.default(100),
  // Wraps the catalog's own cursor (its filter, order and position), which runs to about 1,000 characters.
  cursor: z.string().max(4096).optional(),
});
export type OverviewQuery = z.input<typeof overviewQuerySchema>;

export const listPromotionsQuerySchema = z.strictObject({
  entityRef: entityRef.optional(),
  phase: z.string().max(200).optional(),
  awaitingMyApproval: z.enum(['true', 'false']).optional(),
  /** `pending`: break-glass promotions whose review nobody acknowledged yet, earliest due first. */
  breakGlassReview: z.enum(['pending']).optional(),
  limit: limit.default(50),
  cursor: z.string().max(512).optional(),
});
export type ListPromotionsQuery = z.input<typeof listPromotionsQuerySchema>;

/** Evidence items per page of `GET /evidence`: each carries at most a preview of its content. */
export const EVIDENCE_PAGE_MAX = 100;
/** Characters of content an item of `GET /evidence` carries; `GET /evidence/{id}` has it all. */
export const EVIDENCE_PREVIEW_CHARS = 4096;

export const listEvidenceQuerySchema = z.strictObject({
  entityRef,
  rung: rungName.optional(),
  ref: gitRef.optional(),
  kind: evidenceKindSchema.optional(),
  limit: z.coerce.number().int().min(1).max(EVIDENCE_PAGE_MAX).default(50),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(256).optional(),
});

export const planQuerySchema = z.strictObject({
  entityRef,
  target: rungName,
  ref: gitRef.optional(),
});

/**
 * GET /sources: a repository as a person would paste it (HTTPS, SSH scp-style, `file:` URL or an
 * absolute path) and a ref name in it. No whitespace or control characters: it is compared, not run.
 */
export const sourceQuerySchema = z.strictObject({
  repoUrl: z
    .string()
    .trim()
    .min(1)
    .max(2048)
    .regex(
      // eslint-disable-next-line no-control-regex
      /^[^\s\u0000-\u001f\u007f]+$/,
      'a repository URL has no spaces or control characters, e.g. https://github.com/acme/orders-api or file:///srv/git/orders-api.git',
    ),
  ref: gitRef,
  entityRef: entityRef.optional(),
});

export const auditQuerySchema = z
  .strictObject({
    entityRef: entityRef.optional(),
    promotionId: z.string().max(64).optional(),
    limit: limit.default(100),
    cursor: z.string().max(512).optional(),
  })
  .refine(q => q.entityRef || q.promotionId, {
    message: 'filter by entityRef or promotionId',
    path: ['entityRef'],
  });

/**
 * Delivery insights: one entity, one owning team (`owner`, a group ref or name), or every entity
 * the caller may read; over the last `days` days.
 */
export const insightsQuerySchema = z.strictObject({
  entityRef: entityRef.optional(),
  owner: z.string().min(1).max(512).optional(),
  days: z.coerce.number().int().min(1).max(365).default(30),
});

/**
 * The change view: between the refs placed on two rungs (`from`, `to`), or between two refs
 * (`fromRef`, `toRef`) judged against a `target` rung.
 */
export const changesQuerySchema = z
  .strictObject({
    entityRef,
    from: rungName.optional(),
    to: rungName.optional(),
    fromRef: gitRef.optional(),
    toRef: gitRef.optional(),
    target: rungName.optional(),
  })
  .refine(
    q =>
      (q.from !== undefined &&
        q.to !== undefined &&
        !q.fromRef &&
        !q.toRef &&
        !q.target) ||
      (q.fromRef !== undefined &&
        q.toRef !== undefined &&
        q.target !== undefined &&
        !q.from &&
        !q.to),
    {
      message:
        'give either from and to (two rungs) or fromRef, toRef and target (two refs and the rung they are for)',
      path: ['from'],
    },
  );
export type ChangesQuery = z.input<typeof changesQuerySchema>;

/** Places an entity on the first rung of its ladder (the scaffolder's khal:ladder:enroll). */
export const createEnrollmentRequestSchema = z.strictObject({
  entityRef,
  ref: gitRef,
});
export type CreateEnrollmentRequest = z.input<
  typeof createEnrollmentRequestSchema
>;

/** A full 40-hex commit SHA, as promotions store it. */
export const commitShaSchema = z
  .string()
  .trim()
  .regex(
    /^[0-9a-f]{40}$/,
    'the full 40-hex commit SHA the promotion was approved for',
  );

/**
 * `POST /promotions/{id}/claim`: a deploy claims the approved promotion of exactly this rung and
 * commit before it changes anything (Approved → Deploying, single use).
 */
export const claimRequestSchema = z.strictObject({
  toRung: rungName,
  sha: commitShaSchema,
});
export type ClaimRequest = z.input<typeof claimRequestSchema>;

/** `POST /promotions/{id}/deploy-result`: the claimed deploy reports how it ended. */
export const deployResultRequestSchema = z.strictObject({
  exitCode: z.number().int().min(-1).max(255),
  summary: text(500).min(1, 'say in one line how the deploy ended'),
  /** The tail of the deploy's output; redacted like evidence. */
  output: z
    .string()
    .max(EVIDENCE_MAX_BYTES)
    .refine(c => !c.includes('\u0000'), 'contains NUL characters (\\u0000)')
    .optional(),
});
export type DeployResultRequest = z.input<typeof deployResultRequestSchema>;

/** Header carrying the idempotency key on create and approve. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
