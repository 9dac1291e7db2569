import { createHash, randomUUID } from 'node:crypto';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { EVIDENCE_MAX_BYTES, openPhases, resolveRung } from '@khal/plugin-ladder-common';
import type { LadderStore } from '../database/LadderStore';
import type { EvidenceRecord } from '../database/records';
import type { Redactor } from '../evidence/Redactor';
import type { ManifestReader } from '../manifest/ManifestReader';
import { PayloadTooLargeError } from '../router/httpErrors';
import type { Caller } from './Caller';
import type { LadderEntities, LadderEntity } from './LadderEntities';
import type { LadderNotifier } from './LadderNotifier';
import type { PromotionEngine } from './PromotionEngine';
import { secretSettingNames } from '../evidence/secretSettingNames';
import type { LadderMetrics } from './LadderMetrics';


const FULL_SHA = /^[0-9a-f]{40}$/;
const ABBREVIATED_SHA = /^[0-9a-f]{4,39}$/;

/** Human size: 262144 bytes (256 KiB). */
export function describeLimit(bytes: number) {
  return `${bytes} bytes (${Math.round(bytes / 1024)} KiB)`;
}

/**
 * Takes evidence in: checks its size, removes secrets (including the values of settings the
 * manifest marks secret), stores it with a sha256 of what was kept, then re-evaluates what it may
 * unblock (the placement's proof, the entity's open promotions).
 */
export class EvidenceIntake {
  constructor(
    private readonly deps: {
      store: LadderStore;
      entities: LadderEntities;
      manifests: ManifestReader;
      redactor: Redactor;
      engine: PromotionEngine;
      notifier: LadderNotifier;
      logger: LoggerService;
      /** `ladder.evidence.maxBytes`: content plus data of one item. Default EVIDENCE_MAX_BYTES. */
      maxBytes?: number;
      /** Counts the redactions made (never what was redacted). */
      metrics?: LadderMetrics;
    },
  ) {}

  async add(
    caller: Caller,
    input: {
      entityRef: string;
      rung: string;
      ref: string;
      kind: string;
      summary: string;
      content?: string;
      url?: string;
      data?: Record<string, unknown>;
    },
  ): Promise<EvidenceRecord> {
    const { store, entities, manifests, logger } = this.deps;
    const size =
      Buffer.byteLength(input.content ?? '', 'utf8') + Buffer.byteLength(JSON.stringify(input.data ?? {}), 'utf8');
    const maxBytes = this.deps.maxBytes ?? EVIDENCE_MAX_BYTES;
    if (size > maxBytes) {
      throw new PayloadTooLargeError(
        `evidence is ${size} bytes; the limit is ${describeLimit(maxBytes)} of content and data (ladder.evidence.maxBytes). Push the tail of the log, or a url to the full output`,
      );
    }
    const target = await entities.load(input.entityRef, caller.credentials);
    const resolved = resolveRung(target.ladder, input.rung);
    if (!resolved) {
      throw new InputError(
        `ladder "${target.ladder.id}" has no rung "${input.rung}"; its rungs are ${target.ladder.rungs.map(r => r.id).join(', ')}`,
      );
    }
    const ref = await this.commitOf(target, input.ref);
    const secretNames = await secretSettingNames(manifests, target.entity, ref);
    const redactor = this.deps.redactor.withSecretSettings(secretNames);
    const content = input.content === undefined ? undefined : await redactor.text(input.content);
    const summary = await redactor.text(input.summary);
    const url = input.url === undefined ? undefined : await redactor.text(input.url);
    const data = input.data === undefined ? undefined : await redactor.data(input.data);
    const kept = content?.value ?? JSON.stringify({ url: url?.value ?? null, data: data?.value ?? null });
    const record: EvidenceRecord = {
      id: randomUUID(),
      entityRef: target.entityRef,
      rungId: resolved.rung.id,
      ref,
      kind: input.kind,
      summary: summary.value,
      ...(url ? { url: url.value } : {}),
      ...(content ? { content: content.value } : {}),
      ...(data ? { data: data.value } : {}),
      digest: createHash('sha256').update(kept, 'utf8').digest('hex'),
      sizeBytes: Buffer.byteLength(kept, 'utf8'),
      redactions:
        (content?.redactions ?? 0) + summary.redactions + (url?.redactions ?? 0) + (data?.redactions ?? 0),
      createdBy: caller.actor,
      createdAt: new Date().toISOString(),
    };
    await store.addEvidence(record);
    this.deps.metrics?.redacted(record.redactions);
    await this.deps.notifier.entityChanged({ entityRef: target.entityRef, change: 'evidence' });

    // New evidence may prove the placement and unblock open promotions: look now rather than
    // at the next scheduled re-check.
    try {
      const placed = (await store.listPlacements([target.entityRef])).find(
        p => p.rungId === resolved.rung.id && p.ref === ref,
      );
      if (placed) await this.deps.engine.proveRung(target, resolved.index, ref);
      const open = await store.listPromotions({
        entityRef: target.entityRef,
        phases: openPhases(),
        limit: 50,
        offset: 0,
      });
      for (const p of open) {
        await this.deps.engine.advance(p.id, caller.actor);
      }
    } catch (error) {
      logger.warn(`re-check after evidence for ${target.entityRef} failed: ${error}`);
    }
    return record;
  }

  /**
   * The commit the evidence is about, as promotions and placements name it: the full SHA. A short
   * SHA, tag or branch of the app's repository is resolved now (otherwise evidence pushed with
   * `git rev-parse --short` would never match the promotion of that commit). A ref that looks like
   * an abbreviated SHA but resolves to no commit is refused, naming the fix; other refs (e.g. an
   * image tag of a rung that deploys images) are kept as sent.
   */
  private async commitOf(target: LadderEntity, ref: string): Promise<string> {
    if (FULL_SHA.test(ref)) return ref;
    const resolved = await this.deps.manifests.resolveCommit(target.entity, ref);
    if ('sha' in resolved) return resolved.sha;
    if (ABBREVIATED_SHA.test(ref)) {
      throw new InputError(
        `ref "${ref}" looks like an abbreviated commit SHA, but ${resolved.reason}; evidence binds to the full commit SHA of ${target.entityRef}: ${resolved.howToFix}`,
      );
    }
    return ref;
  }
}

