import Typography from '@material-ui/core/Typography';
import type { BadCommit } from '@khal/plugin-ladder-common';
import { formatAge } from '../../format/age';
import { shortEntityRef, shortRef } from '../../format/shortRef';
import type { ActionAvailability } from '../../promotions/actionAvailability';
import { ActionButton } from '../ActionButton';

/** A ref struck through when its commit is marked bad, with the reason on hover and for readers. */
export function RefWithMark(props: { refName: string; bad?: BadCommit; full?: boolean }) {
  const { refName, bad, full } = props;
  const text = full ? refName : shortRef(refName);
  if (!bad) return <>{text}</>;
  return (
    <span title={`marked bad by ${shortEntityRef(bad.markedBy)}: ${bad.reason}`} data-testid={`bad-ref-${bad.sha}`}>
      <s>{text}</s> <Typography component="span" variant="caption" color="error">bad: {bad.reason}</Typography>
    </span>
  );
}

/**
 * The commits of an entity marked bad: struck through, with the reason, who and when; with
 * `unmark`, a way to take each mark back (shown disabled with its reason when not allowed).
 */
export function BadCommitList(props: {
  badCommits: BadCommit[];
  unmark?: ActionAvailability;
  onUnmark?: (mark: BadCommit) => void;
}) {
  const { unmark, onUnmark } = props;
  if (props.badCommits.length === 0) return null;
  return (
    <div data-testid="bad-commits">
      <Typography variant="h6" component="h3">
        Bad commits
      </Typography>
      <Typography variant="body2" color="textSecondary">
        Never promoted anywhere; their open promotions were ended.
      </Typography>
      <ul>
        {props.badCommits.map(b => (
          <li key={b.id}>
            <Typography variant="body2" component="span">
              <s style={{ fontFamily: 'monospace' }}>{shortRef(b.sha)}</s> — “{b.reason}”, marked by{' '}
              {shortEntityRef(b.markedBy)} {formatAge(b.markedAt)}
            </Typography>
            {unmark && onUnmark ? (
              <ActionButton
                label={`Take back the mark of ${shortRef(b.sha)}`}
                availability={unmark}
                onClick={() => onUnmark(b)}
              />
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
