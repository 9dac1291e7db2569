import Typography from '@material-ui/core/Typography';
import type { Promotion } from '@khal/plugin-ladder-common';
import { formatAge } from '../../format/age';
import { shortEntityRef } from '../../format/shortRef';

/** What an approval binds to: the full commit and the manifest digest read at that commit. */
function CommitBinding(props: { promotion: Promotion }) {
  const { ref, requestedRef, manifestDigest } = props.promotion;
  return (
    <Typography variant="body2" gutterBottom data-testid="approval-binding">
      Commit <code>{ref}</code>
      {requestedRef ? ` (requested as ${requestedRef})` : ''}; manifest{' '}
      {manifestDigest ? (
        <code>sha256:{manifestDigest.slice(0, 12)}…</code>
      ) : (
        'not readable at this commit'
      )}
      . An approval counts for exactly this commit and manifest; a newer request
      supersedes it.
    </Typography>
  );
}

/** Approvals given (by whom, with their comments) and approvals still needed (from whom). */
export function ApprovalsSummary(props: { promotion: Promotion }) {
  const { approvals, approvalRequirement: req } = props.promotion;
  if (!req) {
    return (
      <Typography variant="body2" color="textSecondary">
        This rung needs no approval.
      </Typography>
    );
  }
  // The server judges each approval again at decision time (group membership now, four eyes,
  // one per person); `given` counts only those that count.
  const approvedCount = req.given;
  const missing = Math.max(req.minimum - approvedCount, 0);
  return (
    <div>
      <CommitBinding promotion={props.promotion} />
      <Typography variant="body2" gutterBottom>
        {approvedCount} of {req.minimum} approval{req.minimum === 1 ? '' : 's'}{' '}
        given
        {missing > 0
          ? `; ${missing} more needed from ${req.groups
              .map(shortEntityRef)
              .join(' or ')}`
          : '; the quorum is met'}
        .
      </Typography>
      {approvals.length > 0 ? (
        <ul aria-label="Decisions given">
          {approvals.map(a => (
            <li key={a.id}>
              <Typography variant="body2">
                {shortEntityRef(a.approver)}{' '}
                {a.decision === 'approve' ? 'approved' : 'rejected'}{' '}
                {formatAge(a.createdAt)}
                {a.comment ? `: “${a.comment}”` : ''}
                {a.counted === false
                  ? ` — does not count: ${a.why ?? 'not eligible now'}`
                  : ''}
              </Typography>
            </li>
          ))}
        </ul>
      ) : null}
      {missing > 0 ? (
        <Typography variant="body2" color="textSecondary">
          {req.eligible.length > 0
            ? `Who can still approve: ${req.eligible
                .map(shortEntityRef)
                .join(', ')}.`
            : `Nobody who can approve is left: add members to ${req.groups
                .map(shortEntityRef)
                .join(' or ')}.`}
        </Typography>
      ) : null}
    </div>
  );
}
