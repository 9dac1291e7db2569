import type { RungView } from '@khal/plugin-ladder-common';

/**
 * Where "Roll back" on a rung goes, decided once for the entity page and the CLI (which both
 * read it from the entity view): on a drifted rung, the ref the ladder placed (the cluster goes
 * back to it); otherwise the newest ref placed there before the current one that is not marked
 * bad. A first release has nowhere to go, and says so; POST /promotions decides again.
 */
export function rollbackTarget(input: {
  rungTitle: string;
  placedRef: string | null;
  drifted: boolean;
  /** Refs placed on the rung, newest first (the placement audit trail). */
  history: string[];
  badShas: ReadonlySet<string>;
}): NonNullable<RungView['rollback']> {
  const { rungTitle, placedRef } = input;
  if (!placedRef) {
    return { allowed: false, reason: `nothing is placed on ${rungTitle}, so there is nothing to roll back` };
  }
  if (input.drifted) return { allowed: true, ref: placedRef };
  const earlier = input.history.filter(ref => ref !== placedRef);
  const ref = earlier.find(r => !input.badShas.has(r));
  if (ref) return { allowed: true, ref };
  if (earlier.length > 0) {
    return {
      allowed: false,
      reason: `every earlier ref on ${rungTitle} is marked bad (${earlier.map(r => r.slice(0, 7)).join(', ')}): there is no good ref to roll back to; promote a fix instead`,
    };
  }
  return {
    allowed: false,
    reason: `${placedRef.slice(0, 7)} is the first release on ${rungTitle}: there is no previous ref to roll back to (its rollback plan says how to undo it)`,
  };
}
