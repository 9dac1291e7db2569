import { z } from 'zod';
import { DEFAULT_SERVICE_PRINCIPALS, customerSchema, servicePrincipalSchema } from './access';
import { EVIDENCE_MAX_BYTES } from '../api/requests';
import { freezeSchema } from './freezes';
import { boundarySchema, endpointSchema, lifecycleSchema } from './environment';
import { releaseWindowSchema } from './windows';
import { policyDurationSchema } from './durations';
import { expiryRulesSchema, expirySchema } from './expiry';
import { approversSchema } from './approvers';

/**
 * The ladder configuration (`ladder` in app-config.yaml). Ladders are data:
 * nothing in the suite hard-codes rung ids, counts or names.
 */

const idPattern = /^[a-z0-9][a-z0-9_-]*$/;
const gateIdPattern = /^[a-z0-9][a-z0-9.-]*(:[a-z0-9][a-z0-9.-]*)?$/;
const groupRefPattern = /^group:([a-z0-9][a-z0-9._-]*\/)?[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** Who may change a rung, and under which condition. */
export const mutationPolicies = [
  'self',
  'after-dry-run',
  'approval',
  'operators',
] as const;
/** @public */
export type MutationPolicy = (typeof mutationPolicies)[number];

const gateRefObject = z
  .strictObject({
    id: z
      .string()
      .regex(gateIdPattern, 'gate ids are kebab-case, e.g. "dry-run-clean"'),
    title: z.string().min(1).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('A gate by id, with optional gate-specific config');

/** A gate reference: `"dry-run-clean"` or `{ id, title?, config? }`. */
export const gateRefSchema = z
  .union([
    z
      .string()
      .regex(gateIdPattern, 'gate ids are kebab-case, e.g. "dry-run-clean"'),
    gateRefObject,
  ])
  .transform(g => (typeof g === 'string' ? { id: g } : g));

/** @public */
export type GateRef = z.output<typeof gateRefSchema>;

const commandTemplate = z.string().min(1);

export const rungCommandsSchema = z.strictObject({
  deploy: commandTemplate.optional(),
  logs: commandTemplate.optional(),
  status: commandTemplate.optional(),
  open: commandTemplate.optional(),
  rollback: commandTemplate.optional(),
  evidence: commandTemplate.optional(),
  /**
   * The rung's real dry-run (e.g. `kubectl apply --dry-run=server ...`): `khal deploy --dry-run`
   * runs it, and only its exit code 0 makes a dry-run clean. Without it no dry-run is clean.
   */
  dryRun: commandTemplate.optional(),
});
/** @public */
export type RungCommands = z.output<typeof rungCommandsSchema>;

export const rungSchema = z.strictObject({
  id: z
    .string()
    .regex(idPattern, 'rung ids are lower-case letters, digits, "-" or "_"'),
  title: z.string().min(1, 'a rung needs a title people can read'),
  aliases: z
    .array(z.string().regex(idPattern, 'aliases follow the rung id rules'))
    .default([]),
  audience: z.string().min(1).default('everyone'),
  runtime: z.string().min(1),
  purpose: z.string().default(''),
  optional: z.boolean().default(false),
  /**
   * A rung without proof checks shows its placement as "unverified"; the next rung's
   * `previous-rung-proven` accepts an unverified placement only when this is true.
   */
  proofOptional: z.boolean().default(false),
  mutationPolicy: z.enum(mutationPolicies),
  entryGates: z.array(gateRefSchema).default([]),
  proofChecks: z.array(gateRefSchema).default([]),
  /**
   * The shortened gate set a rollback onto this rung runs instead of `entryGates`, e.g.
   * `[rollback-plan]`. The approvals the mutation policy implies are always added: a rollback
   * never skips the rung's approvers. Without it, a rollback runs the entry gates minus
   * `previous-rung-proven` and `freeze`.
   */
  rollbackGates: z.array(gateRefSchema).optional(),
  approvers: approversSchema.optional(),
  kubernetes: z
    .strictObject({
      cluster: z.string().min(1),
      /** e.g. `khal-{{entity.name}}`; placeholders: entity.name, entity.namespace, kubernetesId */
      namespace: z.string().min(1).default('{{entity.namespace}}'),
    })
    .optional(),
  host: z.string().min(1).optional(),
  commands: rungCommandsSchema.default({}),
  /** Customer-facing metadata (customer, contacts) and whether a promotion needs an explanation. */
  metadata: z
    .strictObject({
      customer: z.string().min(1).optional(),
      contacts: z.array(z.string().min(1)).default([]),
      requiresExplanation: z.boolean().default(false),
    })
    .optional(),
  /** Times nothing is promoted onto this rung (the `freeze` gate says why and until when). */
  freezes: z.array(freezeSchema).optional(),
  /** How `khal env up|status|validate|down|reset` brings this environment up, checks and removes it. */
  lifecycle: lifecycleSchema.optional(),
  /** Where the environment answers (URL templates). */
  endpoints: z.array(endpointSchema).optional(),
  /** What the rung is for, must provide and must never be (shown in the portal and `khal context`). */
  boundary: boundarySchema.optional(),
  /**
   * When promotions may enter this rung (the `window-open` gate says when the next window opens);
   * replaces the ladder's windows for this rung. Rollbacks ignore windows.
   */
  windows: z.array(releaseWindowSchema).optional(),
  /**
   * How long a ref must have been placed on the rung below before it may be promoted here (the
   * `soak` gate shows the time left; the re-check clears the promotion when it is up).
   */
  minSoak: policyDurationSchema.optional(),
  /** This rung's own expiry rules, over the ladder config's `expiry` (e.g. a shorter request life). */
  expiry: expiryRulesSchema.optional(),
});
/** @public */
export type RungConfig = z.output<typeof rungSchema>;

export const ladderSchema = z.strictObject({
  id: z.string().regex(idPattern, 'ladder ids are lower-case letters, digits, "-" or "_"'),
  title: z.string().min(1, 'a ladder needs a title'),
  description: z.string().default(''),
  rungs: z.array(rungSchema).min(1, 'a ladder needs at least one rung'),
  /** Times nothing is promoted onto any rung of this ladder. */
  freezes: z.array(freezeSchema).optional(),
  /** When promotions may enter the rungs of this ladder that declare no windows of their own. */
  windows: z.array(releaseWindowSchema).optional(),
});
/** @public */
export type LadderDefinition = z.output<typeof ladderSchema>;

export const ladderConfigSchema = z
  .strictObject({
    ladders: z.array(ladderSchema).min(1, 'declare at least one ladder'),
    /** The ladder used when an entity's `khal.ai/ladder` annotation is empty. */
    defaultLadder: z.string().optional(),
    /** Members of this group are the operators of the `operators` mutation policy. */
    operatorsGroup: z
      .string()
      .regex(groupRefPattern, 'a catalog group ref, e.g. "group:default/operators"')
      .default('group:default/operators'),
    /** Engine settings read by the ladder backend (see its config.d.ts). */
    gateTimeoutMs: z.number().int().min(100).max(600000).default(10000),
    /**
     * Entity ladder reads show cluster state at most this old (ms) before reading the clusters
     * again; up to 6× this age an answer is served while a fresh one is fetched. 0 turns it off.
     */
    clusterStateMaxAgeMs: z.number().int().min(0).max(300000).default(5000),
    /**
     * How long a user's permission-policy decision (per permission) is reused, in ms; conditional
     * decisions are still resolved per entity. 0 asks the permission backend on every request.
     */
    permissionDecisionTtlMs: z.number().int().min(0).max(60000).default(5000),
    /** How often open promotions are re-checked: a Backstage duration (`{ seconds: 15 }` or ISO `PT15S`). */
    recheckInterval: z
      .union([z.string().min(1), z.record(z.string(), z.number().nonnegative())])
      .optional(),
    /**
     * The approvers' digest: one notification per approver listing the promotions waiting for
     * them, every `frequency` (a Backstage duration). Absent: no digest.
     */
    approvalDigest: z
      .strictObject({
        frequency: z.union([z.string().min(1), z.record(z.string(), z.number().nonnegative())]),
      })
      .optional(),
    /**
     * How old a dry-run may be (hours) for `dry-run-clean` and the `after-dry-run` policy to
     * accept it; it must also be newer than the rung's last placement change.
     */
    dryRunMaxAgeHours: z.number().positive().max(24 * 365).default(24),
    /** Where `khal.ai/source-repo: file:<relative path>` repositories live (default: the process cwd). */
    localRepositoriesRoot: z.string().min(1).optional(),
    /** Which service principals may call which routes (see `serviceRoutes`); people are decided by the permission policy. */
    servicePrincipals: z.array(servicePrincipalSchema).default(DEFAULT_SERVICE_PRINCIPALS),
    /** The customers of the customer rungs, each with its stakeholder groups. */
    customers: z.array(customerSchema).default([]),
    /** Evidence limits and retention (see the ladder backend's config.d.ts). */
    evidence: z
      .strictObject({
        /** Content plus data of one evidence item, in bytes; more is answered 413. */
        maxBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(EVIDENCE_MAX_BYTES),
        /** How long evidence content is kept (a Backstage duration); digest and summary stay. */
        contentRetention: z
          .union([z.string().min(1), z.record(z.string(), z.number().nonnegative())])
          .optional(),
      })
      .default({ maxBytes: EVIDENCE_MAX_BYTES }),
    /** Approvals and open promotions that expire, and approver reminders (see expiry.ts). */
    expiry: expirySchema,
    /** Request bodies of the other routes, in bytes; more is answered 413. */
    requestBodyMaxBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
  })
  .superRefine((cfg, ctx) => {
    (['servicePrincipals', 'customers'] as const).forEach(list => {
      const seen = new Set<string>();
      cfg[list].forEach((item, i) => {
        const key = 'subject' in item ? item.subject : item.id;
        if (seen.has(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [list, i],
            message: `"${key}" is listed twice; merge the two entries`,
          });
        }
        seen.add(key);
      });
    });
    const ladderIds = new Set<string>();
    cfg.ladders.forEach((ladder, li) => {
      if (ladderIds.has(ladder.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['ladders', li, 'id'],
          message: `duplicate ladder id "${ladder.id}"; ladder ids must be unique`,
        });
      }
      ladderIds.add(ladder.id);
      const names = new Map<string, string>();
      ladder.rungs.forEach((rung, ri) => {
        if (names.has(rung.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['ladders', li, 'rungs', ri, 'id'],
            message: `duplicate rung id "${rung.id}" (already used by ${names.get(rung.id)}); rung ids must be unique within a ladder`,
          });
        } else {
          names.set(rung.id, `rung "${rung.id}"`);
        }
      });
      ladder.rungs.forEach((rung, ri) => {
        rung.aliases.forEach((alias, ai) => {
          const owner = names.get(alias);
          if (owner && owner !== `rung "${rung.id}"`) {
            ctx.addIssue({
              code: 'custom',
              path: ['ladders', li, 'rungs', ri, 'aliases', ai],
              message: `alias "${alias}" is already used by ${owner}; aliases must be unique across the ladder`,
            });
          } else if (!owner) {
            names.set(alias, `an alias of rung "${rung.id}"`);
          }
        });
        if (rung.mutationPolicy === 'approval' && !rung.approvers) {
          ctx.addIssue({
            code: 'custom',
            path: ['ladders', li, 'rungs', ri, 'approvers'],
            message:
              'mutationPolicy "approval" needs approvers: add approvers.groups (catalog group refs) and approvers.minimum',
          });
        }
        const rollbackGates = rung.rollbackGates ?? [];
        const drillAt = [...rung.entryGates, ...rollbackGates].findIndex(g => g.id === 'rollback-drill');
        if (drillAt >= 0 && ri === 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['ladders', li, 'rungs', ri, 'entryGates'],
            message:
              'the rollback-drill gate asks for a drill on the rung below, and the first rung has none: put it on a higher rung (e.g. production)',
          });
        }
        const usesK8s = [...rung.entryGates, ...rung.proofChecks, ...rollbackGates].some(g =>
          g.id.startsWith('kubernetes-'),
        );
        if (usesK8s && !rung.kubernetes) {
          ctx.addIssue({
            code: 'custom',
            path: ['ladders', li, 'rungs', ri, 'kubernetes'],
            message:
              'this rung uses a kubernetes-* gate but names no cluster: add kubernetes.cluster (a cluster from the kubernetes config) and kubernetes.namespace',
          });
        }
      });
    });
    if (cfg.defaultLadder && !ladderIds.has(cfg.defaultLadder)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultLadder'],
        message: `defaultLadder "${cfg.defaultLadder}" is not one of the declared ladders (${[...ladderIds].join(', ')})`,
      });
    }
  });

/** The ladder configuration after validation and defaults. @public */
export type LadderConfig = z.output<typeof ladderConfigSchema>;
/** The ladder configuration as written in app-config.yaml. @public */
export type LadderConfigInput = z.input<typeof ladderConfigSchema>;
