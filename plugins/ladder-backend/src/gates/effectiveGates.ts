import type { GateRef, PromotionKind, RungConfig } from '@khal/plugin-ladder-common';

/**
 * The entry gates of a rung, including those its mutation policy implies: `after-dry-run` needs
 * a clean dry-run, `approval` needs approvals. A rollback skips `previous-rung-proven`: the ref
 * was on this rung before, so the rung below proved it then.
 */
export function entryGatesFor(rung: RungConfig, kind: PromotionKind = 'promotion'): GateRef[] {
  const refs: GateRef[] = [...rung.entryGates];
  const has = (id: string) => refs.some(r => r.id === id);
  if (rung.mutationPolicy === 'after-dry-run' && !has('dry-run-clean')) {
    refs.push({ id: 'dry-run-clean' });
  }
  if (rung.mutationPolicy === 'approval' && !has('approval')) {
    refs.push({ id: 'approval' });
  }
  return kind === 'rollback' ? refs.filter(r => r.id !== 'previous-rung-proven') : refs;
}

/** Whether promotions into the rung wait for approvers. */
export function requiresApproval(rung: RungConfig): boolean {
  return entryGatesFor(rung).some(r => r.id === 'approval');
}

/** The id of the built-in approval gate; its result decides between approval and clearance. */
export const APPROVAL_GATE_ID = 'approval';
