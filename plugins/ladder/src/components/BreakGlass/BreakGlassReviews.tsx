import Typography from '@material-ui/core/Typography';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { Promotion } from '@khal/plugin-ladder-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ladderApiRef } from '../../api';
import { useEntityLadderLink } from '../../hooks/useEntityLadderLink';
import { useLadderPermissions } from '../../hooks/useLadderPermissions';
import { useSignedInUser } from '../../hooks/useSignedInUser';
import { shortEntityRef, shortRef } from '../../format/shortRef';
import { ErrorAlert } from '../ErrorAlert';
import { BreakGlassMark, isReviewOverdue } from './BreakGlassMark';

function ReviewItem(props: { promotion: Promotion; onChanged: () => void }) {
  const { promotion, onChanged } = props;
  const permissions = useLadderPermissions(promotion.entityRef);
  const user = useSignedInUser();
  const link = useEntityLadderLink();
  return (
    <li aria-label={`Break-glass review of ${promotion.entityRef} to ${promotion.toRung}`}>
      <Typography variant="body2">
        <Link to={link(promotion.entityRef)}>{shortEntityRef(promotion.entityRef)}</Link> {shortRef(promotion.ref)} →{' '}
        {promotion.toRung} ({promotion.phase})
      </Typography>
      <BreakGlassMark promotion={promotion} user={user} permissions={permissions} onChanged={onChanged} />
    </li>
  );
}

/**
 * Break-glass promotions whose review nobody acknowledged yet (the server lists only those the
 * user may read), overdue first. `overdueOnly` (the overview) shows just the overdue ones.
 */
export function BreakGlassReviews(props: { overdueOnly?: boolean }) {
  const api = useApi(ladderApiRef);
  const { value, error, retry } = useAsyncRetry(
    () => api.listPromotions({ breakGlassReview: 'pending', limit: 100 }),
    [api],
  );
  if (error) return <ErrorAlert title="Could not load the break-glass reviews" error={error} onRetry={retry} />;
  const items = (value?.items ?? []).filter(
    p => p.breakGlass && !p.breakGlass.review && (!props.overdueOnly || isReviewOverdue(p)),
  );
  if (items.length === 0) return null;
  const overdue = items.filter(p => isReviewOverdue(p)).length;
  return (
    <section aria-label="Break-glass reviews">
      <Typography variant="h6" component="h2">
        {props.overdueOnly
          ? `Overdue break-glass reviews: ${overdue}`
          : `Break-glass reviews waiting: ${items.length}${overdue ? ` (${overdue} overdue)` : ''}`}
      </Typography>
      <ul>
        {items.map(p => (
          <ReviewItem key={p.id} promotion={p} onChanged={retry} />
        ))}
      </ul>
    </section>
  );
}
