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

type Rule = NonNullable<Promotion['approvalRequirement']>['rules'][number];

/** Who can still approve for a rule that does not hold yet, or what to do when nobody can. */
function stillNeeded(r: Rule): string {
  if (r.eligible.length) return `; can still approve: ${r.eligible.map(shortEntityRef).join(', ')}`;
  return `; nobody who can approve is left: add members to ${r.groups.map(shortEntityRef).join(' or ')}`;
}

/** The line under the rules: how many approvals are given and what is still missing. */
function quorumLine(req: NonNullable<Promotion['approvalRequirement']>, missing: number): string {
  if (req.rules.length > 1 && !req.rules.every(r => r.satisfied)) {
    return '; every rule above must hold, and one person counts towards one rule only';
  }
  if (missing > 0) return `; ${missing} more needed from ${req.groups.map(shortEntityRef).join(' or ')}`;
  return '; the quorum is met';
}

/**
 * Each approval rule of the rung (all must hold) with who counts towards it and who can still
 * approve for it. One person counts towards one rule only; the server picks the assignment.
 */
function ApprovalRules(props: { rules: Rule[] }) {
  return (
    <ul aria-label="Approval rules">
      {props.rules.map(r => (
        <li key={r.title} data-testid="approval-rule">
          <Typography variant="body2">
            {r.satisfied ? '✔' : '…'} <strong>{r.title}</strong>:{' '}
            {Math.min(r.approvedBy.length, r.minimum)} of {r.minimum} from{' '}
            {r.groups.map(shortEntityRef).join(' or ')}
            {r.approvedBy.length
              ? ` — approved by ${r.approvedBy.map(shortEntityRef).join(', ')}`
              : ''}
            {r.satisfied ? '' : stillNeeded(r)}
          </Typography>
        </li>
      ))}
    </ul>
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
      {req.rules.length > 1 ? <ApprovalRules rules={req.rules} /> : null}
      <Typography variant="body2" gutterBottom>
        {approvedCount} of {req.minimum} approval{req.minimum === 1 ? '' : 's'}{' '}
        given
        {quorumLine(req, missing)}
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
      {missing > 0 && req.rules.length === 1 ? (
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
