import type { EntityLadderResponse } from '@khal/plugin-ladder-common';

/** The target and ref a promotion most likely wants: the backend's next step, else one rung up. */
export function defaultTarget(ladder: EntityLadderResponse): { toRung: string; ref: string } {
  if (ladder.next.toRung) {
    return { toRung: ladder.next.toRung, ref: ladder.next.ref ?? refBelow(ladder, ladder.next.toRung) };
  }
  const lastPlaced = ladder.rungs.map(r => Boolean(r.placement)).lastIndexOf(true);
  const target = ladder.rungs[Math.min(lastPlaced + 1, ladder.rungs.length - 1)];
  return { toRung: target?.rung.id ?? '', ref: target ? refBelow(ladder, target.rung.id) : '' };
}

/** The ref on the nearest placed rung below `rungId` (what a promotion to it would carry). */
export function refBelow(ladder: EntityLadderResponse, rungId: string): string {
  const index = ladder.rungs.findIndex(r => r.rung.id === rungId);
  for (let i = index - 1; i >= 0; i--) {
    const ref = ladder.rungs[i].placement?.ref;
    if (ref) return ref;
  }
  return '';
}

/**
 * What a promotion onto `rungId` is compared with: the ref placed there now (what it replaces),
 * else the ref on the nearest placed rung below it (what the customer-rung explanation uses).
 */
export function changeBase(
  ladder: EntityLadderResponse,
  rungId: string,
): { rungId: string; ref: string } | undefined {
  const index = ladder.rungs.findIndex(r => r.rung.id === rungId);
  for (let i = index; i >= 0; i--) {
    const placement = ladder.rungs[i].placement;
    if (placement) return { rungId: ladder.rungs[i].rung.id, ref: placement.ref };
  }
  return undefined;
}
