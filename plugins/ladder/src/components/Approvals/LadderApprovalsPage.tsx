import Typography from '@material-ui/core/Typography';
import { Progress } from '@backstage/core-components';
import { useAwaitingMyApproval } from '../../hooks/useAwaitingMyApproval';
import { useRungTitles } from '../../hooks/useRungTitles';
import { useSignedInUser } from '../../hooks/useSignedInUser';
import { BreakGlassReviews } from '../BreakGlass';
import { ErrorAlert } from '../ErrorAlert';
import { ApprovalInboxItem } from './ApprovalInboxItem';

/** The approvals inbox: promotions waiting for the signed-in user, decided in place. */
export function LadderApprovalsPage() {
  const { value, loading, error, retry } = useAwaitingMyApproval();
  const user = useSignedInUser();
  const rungTitle = useRungTitles();

  if (!value && loading) return <Progress />;
  if (!value) {
    return (
      <ErrorAlert
        title="Could not load the promotions waiting for you"
        error={error}
        hint="Check that the ladder backend is running, then try again."
        onRetry={retry}
      />
    );
  }
  return (
    <div>
      <Typography variant="h5" component="h2" gutterBottom>
        Waiting for your approval
      </Typography>
      {error ? <ErrorAlert title="Could not refresh the inbox" error={error} onRetry={retry} /> : null}
      {value.items.length === 0 ? (
        <Typography variant="body1" data-testid="approvals-empty">
          Nothing is waiting for you. Promotions that need your approval appear here as soon as
          their gates pass; you are also notified.
        </Typography>
      ) : (
        value.items.map(p => (
          <div key={p.id} style={{ marginBottom: 16 }}>
            <ApprovalInboxItem
              promotion={p}
              toRungTitle={rungTitle(p.ladderId, p.toRung)}
              rungTitle={id => rungTitle(p.ladderId, id)}
              user={user}
              onChanged={retry}
            />
          </div>
        ))
      )}
      <BreakGlassReviews />
    </div>
  );
}
