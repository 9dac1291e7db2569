import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useApi } from '@backstage/core-plugin-api';
import type { Promotion } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { formatAge } from '../../format/age';
import { shortEntityRef } from '../../format/shortRef';
import { useSubmit } from '../../hooks/useSubmit';
import {
  reviewAvailability,
  type LadderPermissionDecisions,
  type SignedInUser,
} from '../../promotions/actionAvailability';
import { ActionButton } from '../ActionButton';
import { ErrorAlert } from '../ErrorAlert';

/** Whether a break-glass review is past due and not acknowledged. */
export function isReviewOverdue(promotion: Promotion, now = Date.now()): boolean {
  const glass = promotion.breakGlass;
  return !!glass && !glass.review && Date.parse(glass.reviewDueAt) < now;
}

export interface BreakGlassMarkProps {
  promotion: Promotion;
  user: SignedInUser | undefined;
  permissions: LadderPermissionDecisions;
  onChanged: () => void;
}

/**
 * The break-glass mark of a promotion: who overrode which gates and why, and where the review
 * stands (with the acknowledge action for someone other than the breaker). Nothing without one.
 */
export function BreakGlassMark(props: BreakGlassMarkProps) {
  const { promotion, user, permissions, onChanged } = props;
  const api = useApi(ladderApiRef);
  const { busy, error, submit: acknowledge } = useSubmit(
    () => api.acknowledgeBreakGlassReview(promotion.id),
    () => onChanged(),
  );
  const glass = promotion.breakGlass;
  if (!glass) return null;
  const overdue = isReviewOverdue(promotion);
  let review: string;
  if (glass.review) {
    review = `Review acknowledged by ${shortEntityRef(glass.review.by)} ${formatAge(glass.review.at)}${
      glass.review.comment ? `: “${glass.review.comment}”` : ''
    }.`;
  } else if (overdue) {
    review = `Review OVERDUE (was due ${formatAge(glass.reviewDueAt)}): someone other than ${shortEntityRef(glass.by)} acknowledges it.`;
  } else {
    review = `Review waits for someone other than ${shortEntityRef(glass.by)}.`;
  }
  let severity: 'info' | 'warning' | 'error' = 'warning';
  if (glass.review) severity = 'info';
  else if (overdue) severity = 'error';
  return (
    // A break-glass is a warning while its review waits (an error only once the review is overdue),
    // and a note once someone acknowledged it: the page is not broken, a rule was overridden.
    <Alert severity={severity} role="status" aria-label="Break-glass">
      <Typography variant="body2">
        <strong>Break-glass</strong> by {shortEntityRef(glass.by)} {formatAge(glass.at)}: “{glass.reason}”. Overrides{' '}
        {glass.overridden.join(', ')}; approvals still apply.
      </Typography>
      <Typography variant="body2">{review}</Typography>
      {glass.review ? null : (
        <ActionButton
          label="Acknowledge review"
          availability={reviewAvailability(promotion, user, permissions)}
          onClick={acknowledge}
          busy={busy}
        />
      )}
      {error ? <ErrorAlert title="Could not acknowledge the review" error={error} /> : null}
    </Alert>
  );
}
