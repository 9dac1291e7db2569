import type { BadCommit } from '@khal/plugin-ladder-common';
import type { PromotionRecord } from '../database/records';
import type { PromotionChange } from '../service/promotionChange';

/**
 * What a commit marked bad does to an open promotion of it: it is Superseded (approvals never
 * carry over to another commit); one a deploy already claimed cannot be superseded (the rung may
 * be half-changed), so it fails, telling to roll back.
 */
export function badCommitChange(
  p: PromotionRecord,
  bad: BadCommit,
): PromotionChange {
  const marked = `commit ${bad.sha} was marked bad by ${bad.markedBy} at ${bad.markedAt}: "${bad.reason}"`;
  const detail = { badCommitId: bad.id, reason: bad.reason, markedBy: bad.markedBy };
  if (p.phase === 'Deploying') {
    return {
      event: 'verification-failed',
      message: `${marked}; a deploy had claimed it, so ${p.toRung} may run it: roll ${p.toRung} back`,
      audit: { action: 'failed-bad-commit', detail },
    };
  }
  return {
    event: 'supersede',
    message: `${marked}; it is not promoted anywhere: request a promotion of a fixed commit`,
    audit: { action: 'superseded-bad-commit', detail },
  };
}
