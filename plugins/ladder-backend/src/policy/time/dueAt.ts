import {
  activeFreeze,
  freezesOf,
  windowState,
  windowsOf,
  type Approval,
  type ExpiryConfig,
  type LadderDefinition,
  type Placement,
} from '@khal/plugin-ladder-common';
import type { PromotionRecord } from '../../database/records';
import { soakEndsAt } from '../../gates/soakGate';

/**
 * The next instant at which a time rule on an open promotion changes by time alone: its soak
 * ends, a release window opens, the freeze in force ends, it or one of its approvals expires.
 * The engine stores it with each step (`due_at`), and the re-check task takes due promotions
 * first, so time releases a promotion within one re-check interval. Undefined when nothing waits
 * on time.
 */
export function timeRulesDueAt(options: {
  ladder: LadderDefinition;
  rungIndex: number;
  promotion: Pick<PromotionRecord, 'kind' | 'ref' | 'createdAt'>;
  placements: Placement[];
  approvals: Approval[];
  expiry: ExpiryConfig;
  now: Date;
}): string | undefined {
  const { ladder, rungIndex, promotion: p, expiry, now } = options;
  const rung = ladder.rungs[rungIndex];
  const candidates: Array<string | undefined> = [];
  if (p.kind === 'promotion') {
    candidates.push(
      soakEndsAt(ladder.rungs, rungIndex, options.placements, p.ref),
    );
    const window = windowState(windowsOf(ladder, rung), now);
    if (window.configured && !window.open) candidates.push(window.opensAt);
    candidates.push(activeFreeze(freezesOf(ladder, rung, now), now)?.to);
  }
  const at = (iso: string, seconds: number) =>
    new Date(Date.parse(iso) + seconds * 1000).toISOString();
  if (expiry.openPromotions)
    candidates.push(at(p.createdAt, expiry.openPromotions));
  if (expiry.approvals) {
    for (const a of options.approvals) {
      if (a.decision === 'approve')
        candidates.push(at(a.createdAt, expiry.approvals));
    }
  }
  const future = candidates
    .filter(
      (c): c is string => c !== undefined && Date.parse(c) > now.getTime(),
    )
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return future[0];
}
