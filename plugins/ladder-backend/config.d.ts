export interface Config {
  /**
   * The environment ladders and the promotion engine. Validated at start-up: a bad config stops
   * the backend with a message that names the config path and what is wrong.
   */
  ladder?: {
    /**
     * The ladders. Nothing in the suite hard-codes rung ids, counts or names.
     */
    ladders: Array<{
      /** Ladder id, referenced by the `khal.ai/ladder` entity annotation (lower case, digits, "-", "_"). */
      id: string;
      /** Title people read. */
      title: string;
      /** One or two sentences about the ladder. */
      description?: string;
      /**
       * Release windows of every rung of this ladder that declares none: promotions enter only
       * while one is open (the implied `window-open` gate says when the next opens; rollbacks
       * ignore windows).
       */
      windows?: Array<{
        /** Five-field cron expression of the openings, e.g. `0 9 * * 2-4` (Tue–Thu 09:00). */
        cron: string;
        /** IANA time zone the cron is read in, e.g. `America/Sao_Paulo`; openings follow its wall clock across DST. */
        timeZone: string;
        /** How long each opening lasts: ISO 8601 (`PT8H`) or `{ hours: 8 }`; no months or years. */
        duration: string | { weeks?: number; days?: number; hours?: number; minutes?: number; seconds?: number };
        /** Shown to people, e.g. `business hours`. */
        title?: string;
      }>;
      /** Freezes of every rung of this ladder (see a rung's `freezes`). */
      freezes?: Array<{
        /** ISO 8601 with an offset, e.g. `2026-12-20T18:00:00-03:00`; included. */
        from: string;
        /** ISO 8601 with an offset, after `from`; excluded. */
        to: string;
        /** Why: people blocked by the freeze read this. */
        reason: string;
      }>;
      /** The rungs, lowest first. */
      rungs: Array<{
        /** Rung id, unique within the ladder (lower case, digits, "-", "_"). */
        id: string;
        /** Title people read, e.g. "Shared dev". */
        title: string;
        /** Other names the rung answers to (e.g. `dev-local`). Unique across the ladder. */
        aliases?: string[];
        /** Who uses the rung. */
        audience?: string;
        /** How apps run there: pm2, pm2-mirror, compose, kind, k3s, oke, vm, … */
        runtime: string;
        /** Why the rung exists. */
        purpose?: string;
        /** An optional rung may be skipped by `previous-rung-proven` when it does not hold the ref. */
        optional?: boolean;
        /**
         * A rung without proof checks shows its placement as "unverified", and the next rung's
         * `previous-rung-proven` treats it as not proven. `true` lets that gate accept it anyway
         * (say so only for a rung where nothing needs proving). Default false.
         */
        proofOptional?: boolean;
        /**
         * Who may change the rung: `self` (anyone allowed to request promotions), `after-dry-run`
         * (implies the dry-run-clean gate), `approval` (implies the approval gate; needs
         * `approvers`), `operators` (only members of `ladder.operatorsGroup`).
         */
        mutationPolicy: 'self' | 'after-dry-run' | 'approval' | 'operators';
        /**
         * Gates checked before a promotion into the rung is cleared: a gate id
         * (`previous-rung-proven`, `manifest-valid`, `env-contract`, `evidence`, `dry-run-clean`,
         * `approval`, `rollback-plan`, `mirror-parity` (proof of a mirrored rung; `config.source`: the rung it mirrors), or one a backend module adds) or `{ id, title?, config? }`.
         */
        entryGates?: Array<string | { id: string; title?: string; config?: { [key: string]: unknown } }>;
        /** Gates that prove the app works at the rung (run while Verifying, and for placements). */
        proofChecks?: Array<string | { id: string; title?: string; config?: { [key: string]: unknown } }>;
        /**
         * The shortened gate set a rollback onto this rung runs instead of entryGates (e.g.
         * [rollback-plan]); the approvals the mutation policy implies are always added.
         */
        rollbackGates?: Array<string | { id: string; title?: string; config?: { [key: string]: unknown } }>;
        /**
         * Who approves promotions into the rung: `{ groups, minimum }` (one rule) or
         * `{ rules: [{ groups, minimum, title? }] }` (every rule must hold; one person counts
         * towards one rule only). Not both.
         */
        approvers?: {
          /** Catalog group refs, e.g. `group:default/customer-stakeholders`. */
          groups?: string[];
          /** Distinct people needed (the requester never counts). Default 1. */
          minimum?: number;
          /** Rules that must all hold, e.g. 1 of customer-stakeholders AND 1 of operators (at most 8). */
          rules?: Array<{
            /** Catalog group refs; a member of any of them can count towards this rule. */
            groups: string[];
            /** Distinct people needed for this rule. Default 1. */
            minimum?: number;
            /** Shown on the approval checklist, e.g. "Customer sign-off". */
            title?: string;
          }>;
          /** Always true: the requester never approves their own promotion. */
          fourEyes?: true;
        };
        /**
         * Freezes of this rung: from `from` until `to` nothing is promoted onto it (the implied
         * `freeze` gate blocks, saying why and until when; rollbacks are not frozen).
         */
        freezes?: Array<{
          /** ISO 8601 with an offset, e.g. `2026-12-20T18:00:00-03:00`; included. */
          from: string;
          /** ISO 8601 with an offset, after `from`; excluded. */
          to: string;
          /** Why: people blocked by the freeze read this. */
          reason: string;
        }>;
        /** Release windows of this rung; replace the ladder's (see the ladder's `windows`). */
        windows?: Array<{
          /** Five-field cron expression of the openings, e.g. `0 9 * * 2-4` (Tue–Thu 09:00). */
          cron: string;
          /** IANA time zone the cron is read in, e.g. `America/Sao_Paulo`; openings follow its wall clock across DST. */
          timeZone: string;
          /** How long each opening lasts: ISO 8601 (`PT8H`) or `{ hours: 8 }`; no months or years. */
          duration: string | { weeks?: number; days?: number; hours?: number; minutes?: number; seconds?: number };
          /** Shown to people, e.g. `business hours`. */
          title?: string;
        }>;
        /**
         * How long a ref must have been placed on the rung below before it may be promoted here:
         * ISO 8601 (`PT2H`) or `{ hours: 2 }`. The implied `soak` gate shows the time left.
         */
        minSoak?: string | { weeks?: number; days?: number; hours?: number; minutes?: number; seconds?: number };
        /** This rung's own expiry, key by key over the top-level `expiry` (same keys and meaning). */
        expiry?: {
          approvals?: string | { weeks?: number; days?: number; hours?: number; minutes?: number; seconds?: number };
          openPromotions?: string | { weeks?: number; days?: number; hours?: number; minutes?: number; seconds?: number };
          remindApproversAfter?: string | { weeks?: number; days?: number; hours?: number; minutes?: number; seconds?: number };
        };
        /** For Kubernetes rungs: a cluster from the standard `kubernetes` config and a namespace pattern. */
        kubernetes?: {
          /** Cluster name as declared in `kubernetes.clusterLocatorMethods[].clusters[].name`. */
          cluster: string;
          /** Namespace template, e.g. `khal-{{entity.name}}`. Default `{{entity.namespace}}`. */
          namespace?: string;
        };
        /** The host or control plane the rung contacts (SSH alias, control plane name). */
        host?: string;
        /**
         * Command templates shown in the deploy plan. Placeholders: {{entity.name}},
         * {{entity.namespace}}, {{ref}}, {{rung.id}}, {{namespace}}, {{cluster}}, {{host}},
         * {{kubernetesId}}.
         */
        commands?: {
          deploy?: string;
          logs?: string;
          status?: string;
          open?: string;
          rollback?: string;
          evidence?: string;
          /**
           * The rung's real dry-run, e.g. `kubectl -n {{namespace}} apply --dry-run=server -f deploy/`.
           * `khal deploy --dry-run` runs it; only exit code 0 (with every required setting known to
           * be supplied) makes a clean dry-run. A rung without it has no clean dry-runs.
           */
          dryRun?: string;
        };
        /** Customer-facing facts of the rung. */
        metadata?: {
          customer?: string;
          contacts?: string[];
          /** Promotions into the rung must carry an `explanation`. */
          requiresExplanation?: boolean;
        };
        /**
         * How `khal env up|status|validate|down|reset --target <rung>` runs this environment. Each
         * action is a command template or a list of steps (`{ title, run, howToFix?, checks? }`),
         * run in order and stopped at the first failure. Every `validate` step says what it proves
         * (`checks: ingress | config | readiness`); validate fails closed while one of the three
         * has no step. Placeholders as in `commands`.
         */
        lifecycle?: {
          up?: string | Array<string | { title: string; run: string; howToFix?: string; checks?: 'ingress' | 'config' | 'readiness' }>;
          status?: string | Array<string | { title: string; run: string; howToFix?: string; checks?: 'ingress' | 'config' | 'readiness' }>;
          validate?: string | Array<string | { title: string; run: string; howToFix?: string; checks?: 'ingress' | 'config' | 'readiness' }>;
          down?: string | Array<string | { title: string; run: string; howToFix?: string; checks?: 'ingress' | 'config' | 'readiness' }>;
          reset?: string | Array<string | { title: string; run: string; howToFix?: string; checks?: 'ingress' | 'config' | 'readiness' }>;
        };
        /** Where the environment answers: `{ name, url }` (URL templates). */
        endpoints?: Array<{ name: string; url: string }>;
        /** What the rung is for, what it must provide, and what it must never be. */
        boundary?: {
          useFor?: string[];
          mustProvide?: string[];
          mustNotBe?: string[];
        };
      }>;
    }>;
    /** The ladder used when an entity's `khal.ai/ladder` annotation is empty. */
    defaultLadder?: string;
    /** Members of this catalog group are the operators of the `operators` policy. Default `group:default/operators`. */
    operatorsGroup?: string;
    /** Time each gate evaluation may take before it is recorded as `error` (ms). Default 10000. */
    gateTimeoutMs?: number;
    /**
     * Entity ladder reads show cluster state at most this old (ms) before reading the clusters
     * again; up to 6× this age a cached answer is served while a fresh one is fetched (its
     * `checkedAt` says when it was read). Gates, drift checks and deploys always read live.
     * Default 5000; 0 reads the clusters on every entity read.
     */
    clusterStateMaxAgeMs?: number;
    /**
     * How long a user's permission-policy decision for one permission is reused, in ms. A policy
     * decides on the user and the permission only (a resource enters through the conditions of a
     * CONDITIONAL decision, which are still resolved per entity), so an unconditional ALLOW or
     * DENY holds for every entity; a changed policy or membership applies after at most this long.
     * Default 5000; 0 asks the permission backend on every request.
     */
    permissionDecisionTtlMs?: number;
    /**
     * How often open promotions are re-checked by the global scheduled task `ladder-recheck`:
     * a duration object (`{ seconds: 15 }`) or an ISO duration (`PT15S`). Default 15 seconds.
     */
    recheckInterval?: string | { [unit: string]: number };
    /**
     * The approvers' digest: every `frequency` (a duration object or ISO duration), one
     * notification per approver listing the promotions waiting for them, with links. Sent by one
     * replica per interval (a global scheduled task). Absent: no digest.
     */
    approvalDigest?: {
      frequency: string | { [unit: string]: number };
    };
    /**
     * How old a dry-run may be, in hours, for the `dry-run-clean` gate and the `after-dry-run`
     * policy to accept it (it must also be of the same commit and plan digest, and newer than
     * the rung's last placement change). Default 24.
     */
    dryRunMaxAgeHours?: number;
    /**
     * Base directory of `khal.ai/source-repo: file:<relative path>` repositories (the local git
     * repositories the embedded default publishes to). Default: the backend's working directory.
     */
    localRepositoriesRoot?: string;
    /**
     * Time limits on open promotions; each is off when absent. Durations are ISO 8601 (`P2D`) or
     * `{ days: 2 }`; no months or years.
     */
    expiry?: {
      /** An approval counts this long; an approved promotion no deploy claimed by then expires. */
      approvals?: string | { weeks?: number; days?: number; hours?: number; minutes?: number; seconds?: number };
      /** A promotion no deploy claimed expires this long after it was requested (phase `Expired`). */
      openPromotions?: string | { weeks?: number; days?: number; hours?: number; minutes?: number; seconds?: number };
      /** Approvers who have not decided are reminded after this wait, and again each time it passes. */
      remindApproversAfter?: string | { weeks?: number; days?: number; hours?: number; minutes?: number; seconds?: number };
    };
    /** Evidence limits and retention. */
    evidence?: {
      /**
       * Largest evidence item accepted by `POST /api/ladder/evidence`: its content plus its data,
       * in bytes. More is answered 413 with the limit. Default 1048576 (1 MiB).
       */
      maxBytes?: number;
      /**
       * How long evidence content is kept: a duration object (`{ days: 90 }`) or an ISO duration
       * (`P90D`). The global scheduled task `ladder-retention` (hourly) then removes the content;
       * the item's digest, summary and data stay, and an `evidence.content-expired` audit row
       * records the removal. Default 90 days.
       */
      contentRetention?: string | { [unit: string]: number };
    };
    /**
     * Largest JSON body of the other `/api/ladder` routes (promotions, approvals, enrollments, …),
     * in bytes. More is answered 413 with the limit. Default 262144 (256 KiB).
     */
    requestBodyMaxBytes?: number;
    /**
     * Which service principals (tokens of backend plugins, `plugin:<pluginId>`, or of
     * `backend.auth.externalAccess`, `external:<subject>`) may call which ladder routes. A service
     * not listed here, or calling a route it is not listed for, gets 403 before the route runs;
     * people are decided by the permission policy. Route names: `ladders.read`, `entities.read`,
     * `overview.read`, `promotions.read`, `changes.read`, `evidence.read`, `plan.read`,
     * `audit.read`, `evidence.create`, `promotions.recheck`, or `read` for every read route.
     * Enrolments, promotion requests, cancels and approvals are for people only (the scaffolder's
     * `khal:ladder:enroll` calls on behalf of the person who ran the template).
     * Default: none — no module of the suite calls the ladder with its own token.
     */
    servicePrincipals?: Array<{
      /** `plugin:<pluginId>` or `external:<subject>`. */
      subject: string;
      /** Route names (see above), at least one. */
      routes: string[];
    }>;
    /**
     * The customers of the customer rungs. An entity names its customer with the
     * `khal.ai/customer` annotation (a customer id); without one, the customer named in its
     * ladder's rung `metadata.customer` (id or title) applies. A customer's stakeholders see and
     * act on that customer's apps only (others answer 404 as if missing), and on a rung whose
     * approvers include any customer's stakeholder group, the entity's customer's groups approve.
     */
    customers?: Array<{
      /** Customer id (lower case, digits, "-", "_"): the `khal.ai/customer` value. */
      id: string;
      /** Name people read; rung `metadata.customer` may use it. */
      title: string;
      /** Catalog group refs of the customer's stakeholders. */
      stakeholders: string[];
    }>;
  };
}
