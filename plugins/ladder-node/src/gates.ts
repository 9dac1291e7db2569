import type { Entity } from '@backstage/catalog-model';
import type {
  Approval,
  Evidence,
  GateResult,
  KhalAppManifest,
  LadderDefinition,
  Placement,
  Promotion,
  RungConfig,
} from '@khal/plugin-ladder-common';

/** The outcome of one gate. `failed` is a rule saying no; `error` is a technical fault. */
export type GateStatus = 'passed' | 'failed' | 'pending' | 'error';

/**
 * Why a gate runs:
 * - `entry`: clearing a promotion into the rung (the rung's `entryGates`);
 * - `proof`: proving the ref that is placed on the rung (the rung's `proofChecks`);
 * - `verify`: a promotion is `Verifying` (the rung's `proofChecks`, before the placement moves).
 */
export type GateMode = 'entry' | 'proof' | 'verify';

/** What a gate says. Pure data: the engine persists it, shows it and derives the phase from it. */
export interface GateEvaluation {
  status: GateStatus;
  /** One sentence a person reads, e.g. "no clean dry-run recorded for a1b2c3d on dev". */
  summary: string;
  /** What to do to make the gate pass, e.g. "run `khal deploy --dry-run --target dev`". */
  howToFix?: string;
  /** Ids of the evidence the result is based on. */
  evidenceIds?: string[];
  /**
   * A short noun phrase for "waiting for …" lines (e.g. "a dry-run"). Defaults to the gate title.
   */
  waitingFor?: string;
}

/** The result of reading `khal-app.json` as of a ref. */
export type ManifestReadResult =
  | {
      status: 'valid';
      manifest: KhalAppManifest;
      /** sha256 (hex) of the file as read. */
      digest: string;
      /** Where it was read from, e.g. "file:/srv/repos/orders.git@a1b2c3d". */
      source: string;
    }
  | {
      status: 'invalid';
      problems: Array<{ path: string; message: string; fix?: string }>;
      digest: string;
      source: string;
    }
  | {
      status: 'unavailable';
      /** Why nothing could be read, e.g. "the entity names no source repository". */
      reason: string;
      /** What to configure so that it can be read. */
      howToFix: string;
    };

/** The setting names the settings sources report for a rung (never values). */
export interface SettingsSupplied {
  /** Names reported as supplied by at least one source. */
  names: string[];
  /** Sources that could not tell, with their reason. */
  unknown: Array<{ sourceId: string; reason: string }>;
  /** Ids of the sources that answered with names. */
  answeredBy: string[];
}

/** Read-only access to evidence. */
export interface GateEvidenceReader {
  /**
   * Evidence of this entity for a rung and ref, newest first; optionally only some kinds. Without
   * `ref`, evidence of any ref on the rung (e.g. a rollback drill proves the rung's procedure).
   */
  find(query: { rung: string; ref?: string; kinds?: string[] }): Promise<Evidence[]>;
}

/** Everything a gate may look at. All accessors are read-only. */
export interface GateContext {
  /** Why the gate runs (see {@link GateMode}). */
  mode: GateMode;
  /** The catalog entity being promoted or proven. */
  entity: Entity;
  /** Its normalized entity ref (lower case), e.g. "component:default/orders-api". */
  entityRef: string;
  ladder: LadderDefinition;
  /** The target rung (entry, verify) or the rung being proven (proof). */
  rung: RungConfig;
  rungIndex: number;
  /** The rungs below `rung`, closest first. */
  previousRungs: RungConfig[];
  /** The ref (commit, tag or image tag) being promoted or proven. */
  ref: string;
  /** The promotion, in `entry` and `verify` mode. */
  promotion?: Promotion;
  /** This gate's `config` from the ladder configuration (empty object when none). */
  config: Record<string, unknown>;
  evidence: GateEvidenceReader;
  /** All placements of this entity, one per rung at most. */
  placements: Placement[];
  /** Approvals recorded on the promotion (empty without one). */
  approvals: Approval[];
  /** Reads `khal-app.json` as of a ref from the entity's source repository (cached per commit). */
  getManifest(ref: string): Promise<ManifestReadResult>;
  /** Asks the settings sources that support this rung which names are supplied. */
  getSettingsSupplied(): Promise<SettingsSupplied>;
  /**
   * Evaluates the proof checks of another rung for a ref (used by `previous-rung-proven`).
   * Results are also stored as that rung's proof.
   */
  proveRung(rungId: string, ref: string): Promise<GateResult[]>;
  /** Aborted when the gate's time is up (`ladder.gateTimeoutMs`). */
  signal: AbortSignal;
  /**
   * How old a cluster observation this evaluation accepts, in ms: set when the results are only
   * shown to people (the next step of an entity read); absent when the engine decides, in which
   * case gates read the clusters themselves.
   */
  clusterMaxAgeMs?: number;
}

/**
 * A gate: a named check with a pure contract. Register gates through
 * `ladderGatesExtensionPoint`; the ladder config refers to them by `id`.
 */
export interface LadderGate {
  /** Stable, kebab-case id used in the ladder config, e.g. "dry-run-clean". */
  readonly id: string;
  /** Human title shown when the config gives none. */
  readonly title: string;
  /** What the gate checks, for docs and tooltips. */
  readonly description?: string;
  /**
   * Evaluates the gate. Must not mutate anything; may be called any number of times. A thrown
   * error or exceeding the timeout is recorded as status `error`.
   */
  evaluate(context: GateContext): Promise<GateEvaluation>;
}
