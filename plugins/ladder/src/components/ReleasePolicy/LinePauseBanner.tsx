import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { describePauseScope, type LinePause } from '@khal/plugin-ladder-common';
import { formatAge, formatTime } from '../../format/age';
import { shortEntityRef } from '../../format/shortRef';

export interface LinePauseBannerProps {
  pauses: LinePause[];
  /** The title of a rung of the ladder, by id (for "Production (prod) of ladder khal"). */
  rungTitle?: (rungId: string) => string;
  /** Whether the user may resume (ladder.line.pause); undefined while that is being decided. */
  canResume?: boolean;
  onResume?: (pause: LinePause) => void;
}

/**
 * The line is stopped: each pause in force over what this page shows, with its reason, who paused
 * it and since when, what it stops, and how to get unblocked.
 */
export function LinePauseBanner(props: LinePauseBannerProps) {
  const { pauses, rungTitle, canResume, onResume } = props;
  if (pauses.length === 0) return null;
  return (
    <div data-testid="line-pause-banner">
      {pauses.map(pause => {
        const what = describePauseScope(pause, pause.rungId && rungTitle ? rungTitle(pause.rungId) : undefined);
        return (
          <Alert
            key={pause.id}
            severity="warning"
            style={{ marginBottom: 8 }}
            action={
              onResume ? (
                <Button
                  color="inherit"
                  size="small"
                  disabled={!canResume}
                  title={canResume === false ? 'you lack permission ladder.line.pause (operators resume the line)' : undefined}
                  onClick={() => onResume(pause)}
                >
                  Resume
                </Button>
              ) : undefined
            }
          >
            <AlertTitle>Line stopped: {what} is paused</AlertTitle>
            <Typography variant="body2" component="div">
              “{pause.reason}” — paused by {shortEntityRef(pause.pausedBy)} {formatAge(pause.pausedAt)} (
              {formatTime(pause.pausedAt)}).
            </Typography>
            <Typography variant="body2" component="div">
              No promotion to it can be requested, approved, claimed or deployed until an operator resumes it
              {canResume === false ? '; ask an operator' : ''} (<code>khal line resume {pause.id}</code>).
            </Typography>
          </Alert>
        );
      })}
    </div>
  );
}
