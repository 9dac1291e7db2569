import {
  windowsOf,
  type FreezeConfig,
  type GateRef,
  type PromotionKind,
  type ReleaseWindowConfig,
  type RungConfig,
} from '@khal/plugin-ladder-common';

/** The id of the built-in approval gate; its result decides between approval and clearance. */
export const APPROVAL_GATE_ID = 'approval';

/** The gate a configured freeze (of the rung or its ladder) implies. */
export const FREEZE_GATE_ID = 'freeze';

/** The gate configured release windows (of the rung or its ladder) imply. */
export const WINDOW_GATE_ID = 'window-open';

/** The gate a rung's `minSoak` implies. */
export const SOAK_GATE_ID = 'soak';

/** Time rules that stop a promotion but never a rollback or an adoption (ways out of trouble). */
const PROMOTION_ONLY = [FREEZE_GATE_ID, WINDOW_GATE_ID, SOAK_GATE_ID];

/** The gate adoptions of drift need besides approval. */
export const ADOPTION_EVIDENCE_GATE_ID = 'adoption-evidence';

/**
 * The entry gates of a rung, including those its mutation policy implies: `after-dry-run` needs
 * a clean dry-run, `approval` needs approvals. A rollback skips `previous-rung-proven`: the ref
 * was on this rung before, so the rung below proved it then. An adoption (making what a drifted
 * rung runs its placement) needs evidence for that ref on the rung and the rung approvers,
 * whatever the rung's policy says; the rung's other gates judge promotions, not what already runs.
 * Freezes of the rung or of `ladder` imply the `freeze` gate, release windows the `window-open`
 * gate and the rung's `minSoak` the `soak` gate, for promotions only (a rollback or an adoption
 * is how one gets out of trouble, so time rules do not stop it). A rung that states
 * `rollbackGates` runs those instead of its entry gates for a rollback, plus the approval its
 * mutation policy implies (approvals, a clean dry-run): a shorter way back, never one around the
 * rung's approvers.
 */
export function entryGatesFor(
  rung: RungConfig,
  kind: PromotionKind = 'promotion',
  ladder?: { freezes?: FreezeConfig[]; windows?: ReleaseWindowConfig[] },
): GateRef[] {
  if (kind === 'adoption') return [{ id: ADOPTION_EVIDENCE_GATE_ID }, { id: APPROVAL_GATE_ID }];
  const shortened = kind === 'rollback' && rung.rollbackGates !== undefined;
  const refs: GateRef[] = [...(shortened ? rung.rollbackGates! : rung.entryGates)];
  const has = (id: string) => refs.some(r => r.id === id);
  if (rung.mutationPolicy === 'after-dry-run' && !has('dry-run-clean')) {
    refs.push({ id: 'dry-run-clean' });
  }
  // A shortened rollback set never drops the rung's approvers, whether the policy implies them
  // or the entry gates name them (e.g. an operators rung that also wants approvals).
  const approvedOnEntry = rung.entryGates.some(r => r.id === APPROVAL_GATE_ID);
  if ((rung.mutationPolicy === 'approval' || (shortened && approvedOnEntry)) && !has('approval')) {
    refs.push({ id: 'approval' });
  }
  const frozen = Boolean(rung.freezes?.length || ladder?.freezes?.length);
  if (rung.minSoak && !has(SOAK_GATE_ID)) refs.unshift({ id: SOAK_GATE_ID });
  if (windowsOf(ladder ?? {}, rung).length && !has(WINDOW_GATE_ID)) {
    refs.unshift({ id: WINDOW_GATE_ID });
  }
  if (frozen && !has(FREEZE_GATE_ID)) {
    refs.unshift({ id: FREEZE_GATE_ID });
  }
  return kind === 'rollback'
    ? refs.filter(r => r.id !== 'previous-rung-proven' && !PROMOTION_ONLY.includes(r.id))
    : refs;
}

/** Whether promotions (of this kind) into the rung wait for approvers. */
export function requiresApproval(rung: RungConfig, kind: PromotionKind = 'promotion'): boolean {
  return entryGatesFor(rung, kind).some(r => r.id === 'approval');
}
