import { z } from 'zod';
import { policyDurationSchema } from './durations';
import { formatSeconds } from './freezes';

/**
 * Time limits on open promotions (ladder config `expiry`); each one is off when absent.
 * - `approvals`: an approval counts for this long; a promotion whose approvals grew older before a
 *   deploy claimed it expires (an approval is a decision about the world as it was then).
 * - `openPromotions`: a promotion not yet claimed by a deploy expires this long after it was
 *   requested.
 * - `remindApproversAfter`: approvers of a promotion waiting for them are reminded after this
 *   long, and again every time as long passes while it still waits.
 */
export const expiryRulesSchema = z.strictObject({
  approvals: policyDurationSchema.optional(),
  openPromotions: policyDurationSchema.optional(),
  remindApproversAfter: policyDurationSchema.optional(),
});
/** The ladder config's `expiry`, off by default. */
export const expirySchema = expiryRulesSchema.default({});
/** @public */
export type ExpiryConfig = z.output<typeof expiryRulesSchema>;

/** The expiry of promotions onto a rung: the ladder config's, with the rung's own `expiry` over it. */
export function expiryOf(
  global: ExpiryConfig | undefined,
  rung: { expiry?: ExpiryConfig },
): ExpiryConfig {
  return { ...global, ...rung.expiry };
}

/** An approval of a promotion, as far as its age goes. */
interface Decided {
  decision: string;
  createdAt: string;
}

/** Whether an approval is past `expiry.approvals` at `now` (at exactly its age limit it is). */
export function approvalExpired(
  approval: Decided,
  expiry: ExpiryConfig,
  now: Date,
): boolean {
  return (
    expiry.approvals !== undefined &&
    approval.decision === 'approve' &&
    Date.parse(approval.createdAt) + expiry.approvals * 1000 <= now.getTime()
  );
}

/**
 * Why a promotion that no deploy claimed yet ran out of time at `now`, or undefined while it has
 * time left. `counted` are the approvals that cleared it (for an approved promotion).
 */
export function expiryReason(options: {
  phase: string;
  createdAt: string;
  counted: Decided[];
  expiry: ExpiryConfig;
  now: Date;
}): string | undefined {
  const { expiry, now } = options;
  if (
    !['Checking', 'Blocked', 'AwaitingApproval', 'Approved'].includes(
      options.phase,
    )
  ) {
    return undefined;
  }
  if (
    expiry.openPromotions !== undefined &&
    Date.parse(options.createdAt) + expiry.openPromotions * 1000 <=
      now.getTime()
  ) {
    return `it stayed open for ${formatSeconds(
      (now.getTime() - Date.parse(options.createdAt)) / 1000,
    )}, longer than the ${formatSeconds(
      expiry.openPromotions,
    )} the ladder allows (expiry.openPromotions) before a deploy; request it again`;
  }
  if (options.phase === 'Approved') {
    const stale = options.counted.filter(a => approvalExpired(a, expiry, now));
    if (stale.length > 0) {
      return `its approval from ${
        stale[0].createdAt
      } expired after ${formatSeconds(
        expiry.approvals!,
      )} (expiry.approvals) before a deploy claimed it; request it again and ask for a fresh approval`;
    }
  }
  return undefined;
}
