import { InputError } from '@backstage/errors';
import {
  ChangesResponse,
  KhalAppManifest,
  ManifestDiff,
  ManifestFieldChange,
  diffManifests,
  resolveRung,
  settingsForRung,
} from '@khal/plugin-ladder-common';
import type { ManifestReadResult } from '@khal/plugin-ladder-node';
import type { LadderStore } from '../database/LadderStore';
import { PLACEMENT_AUDIT_ACTION } from '../database/DatabaseLadderStore';
import type { PromotionRecord } from '../database/records';
import type { ManifestReader } from '../manifest/ManifestReader';
import type { Caller } from '../service/Caller';
import type { LadderEntities, LadderEntity } from '../service/LadderEntities';
import type { PromotionEngine } from '../service/PromotionEngine';
import type { CommitLog, CommitRange } from './CommitLog';

function why(read: ManifestReadResult): string {
  if (read.status === 'unavailable') return read.reason;
  if (read.status === 'invalid') {
    const first = read.problems[0];
    return `khal-app.json is invalid${
      first ? ` (${first.path}: ${first.message})` : ''
    }`;
  }
  return '';
}

/**
 * The diff as the API sends it (the spec's ManifestDiff): a field not set at a ref is `null`.
 * diffManifests says `undefined`, which JSON drops, and a dropped `from` is what broke the
 * Changes section of every promotion that sets a field for the first time.
 */
function toWireDiff(
  diff: ManifestDiff,
): NonNullable<ChangesResponse['manifestDiff']> {
  const wire = <F extends string>(changes: Array<ManifestFieldChange<F>>) =>
    changes.map(c => ({
      field: c.field,
      from: c.from ?? null,
      to: c.to ?? null,
    }));
  return {
    settingsAdded: diff.settingsAdded,
    settingsRemoved: diff.settingsRemoved,
    settingsChanged: diff.settingsChanged.map(s => ({
      name: s.name,
      changes: wire(s.changes),
    })),
    runtimeChanges: wire(diff.runtimeChanges),
    identityChanges: wire(diff.identityChanges),
    deployChanges: wire(diff.deployChanges),
  };
}

/** Required for a rung: required and without a default (a default supplies it). */
function requiredFor(
  manifest: KhalAppManifest | undefined,
  names: string[],
): Set<string> {
  if (!manifest) return new Set();
  return new Set(
    settingsForRung(manifest, names)
      .filter(s => s.required && s.default === undefined)
      .map(s => s.name),
  );
}

/**
 * The change view: what changes between two refs of an entity — the commits of the range, the
 * manifest diff, and the settings the target rung needs at the newer ref (names and whether they
 * are supplied, never values).
 */
export class ChangeView {
  constructor(
    private readonly deps: {
      store: LadderStore;
      entities: LadderEntities;
      manifests: ManifestReader;
      engine: PromotionEngine;
      commits: CommitLog;
    },
  ) {}

  private rungOf(target: LadderEntity, name: string) {
    const resolved = resolveRung(target.ladder, name);
    if (!resolved) {
      throw new InputError(
        `ladder "${
          target.ladder.id
        }" has no rung "${name}"; its rungs are ${target.ladder.rungs
          .map(r => r.id)
          .join(', ')}`,
      );
    }
    return resolved;
  }

  /** Between the refs placed on two rungs, or between two refs for a target rung. */
  async between(
    caller: Caller,
    q: {
      entityRef: string;
      from?: string;
      to?: string;
      fromRef?: string;
      toRef?: string;
      target?: string;
    },
  ): Promise<ChangesResponse> {
    const target = await this.deps.entities.load(
      q.entityRef,
      caller.credentials,
    );
    if (q.from && q.to) {
      const from = this.rungOf(target, q.from);
      const to = this.rungOf(target, q.to);
      const placements = await this.deps.store.listPlacements([
        target.entityRef,
      ]);
      const fromRef =
        placements.find(p => p.rungId === from.rung.id)?.ref ?? null;
      const toRef = placements.find(p => p.rungId === to.rung.id)?.ref;
      if (!toRef) {
        throw new InputError(
          `nothing is placed on ${to.rung.title}: there is no ref to compare ${from.rung.title} with`,
        );
      }
      return this.compare(target, {
        from: { rung: from.rung.id, ref: fromRef },
        to: { rung: to.rung.id, ref: toRef },
        targetIndex: to.index,
      });
    }
    const rung = this.rungOf(target, q.target!);
    return this.compare(target, {
      from: { ref: q.fromRef! },
      to: { ref: q.toRef! },
      targetIndex: rung.index,
    });
  }

  /**
   * What a promotion changes on its rung: from the ref the rung held before it (for a promotion
   * that landed, the ref it replaced) to the promotion's ref.
   */
  async forPromotion(promotion: PromotionRecord): Promise<ChangesResponse> {
    const target = await this.deps.entities.load(promotion.entityRef);
    const index = target.ladder.rungs.findIndex(r => r.id === promotion.toRung);
    if (index < 0)
      throw new InputError(
        `rung "${promotion.toRung}" is no longer in the ladder config`,
      );
    let fromRef: string | null;
    if (promotion.phase === 'Promoted') {
      const moved = (
        await this.deps.store.listAudit({
          promotionId: promotion.id,
          limit: 100,
        })
      ).find(a => a.action === PLACEMENT_AUDIT_ACTION);
      fromRef =
        (moved?.detail.previousRef as string | null | undefined) ?? null;
    } else {
      const placements = await this.deps.store.listPlacements([
        target.entityRef,
      ]);
      fromRef =
        placements.find(p => p.rungId === promotion.toRung)?.ref ?? null;
    }
    return this.compare(target, {
      from: { rung: promotion.toRung, ref: fromRef },
      to: { rung: promotion.toRung, ref: promotion.ref },
      targetIndex: index,
    });
  }

  /** The change between two refs, judged against the rung at `targetIndex`. */
  async compare(
    target: LadderEntity,
    options: {
      from: { rung?: string; ref: string | null };
      to: { rung?: string; ref: string };
      targetIndex: number;
    },
  ): Promise<ChangesResponse> {
    const { manifests, engine, commits } = this.deps;
    const rung = target.ladder.rungs[options.targetIndex];
    const fromRef = options.from.ref;
    const toRef = options.to.ref;
    const [range, toRead, fromRead] = await Promise.all([
      fromRef === toRef
        ? Promise.resolve<CommitRange>({ commits: [], truncated: false })
        : commits.range(target.entity, fromRef, toRef),
      manifests.read(target.entity, toRef),
      fromRef
        ? manifests.read(target.entity, fromRef)
        : Promise.resolve(undefined),
    ]);
    const toManifest = toRead.status === 'valid' ? toRead.manifest : undefined;
    const fromManifest =
      fromRead?.status === 'valid' ? fromRead.manifest : undefined;

    let manifestDiff: ChangesResponse['manifestDiff'] = null;
    let manifestUnavailableReason: string | undefined;
    if (!toManifest) {
      manifestUnavailableReason = `the manifest at ${toRef} cannot be compared: ${why(
        toRead,
      )}`;
    } else {
      manifestDiff = toWireDiff(diffManifests(fromManifest, toManifest));
      if (fromRef && !fromManifest) {
        manifestUnavailableReason = `the manifest at ${fromRef} cannot be read (${why(
          fromRead!,
        )}): every setting counts as added`;
      }
    }

    const names = [rung.id, ...rung.aliases];
    const settingsForTarget: ChangesResponse['settingsForTarget'] = [];
    if (toManifest) {
      const before = requiredFor(fromManifest, names);
      const context = await engine.gateContext({
        target,
        rungIndex: options.targetIndex,
        ref: toRef,
        mode: 'entry',
      });
      const supplied = await context.getSettingsSupplied();
      for (const s of settingsForRung(toManifest, names)) {
        const required = s.required && s.default === undefined;
        settingsForTarget.push({
          name: s.name,
          required,
          secret: s.secret,
          newlyRequired: required && !before.has(s.name),
          supplied: supplied.answeredBy.length
            ? supplied.names.includes(s.name)
            : null,
        });
      }
    }

    return {
      entityRef: target.entityRef,
      from: {
        ...(options.from.rung ? { rung: options.from.rung } : {}),
        ref: fromRef,
      },
      to: { ...(options.to.rung ? { rung: options.to.rung } : {}), ref: toRef },
      target: rung.id,
      commits: range.commits,
      ...(range.commits === null
        ? { commitsUnavailableReason: range.reason }
        : {}),
      ...(range.commits !== null && range.truncated
        ? { commitsTruncated: true }
        : {}),
      manifestDiff,
      ...(manifestUnavailableReason ? { manifestUnavailableReason } : {}),
      settingsForTarget,
    };
  }
}
