import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Collapse from '@material-ui/core/Collapse';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { describeError } from '../../api/errorMessage';

export interface ErrorAlertProps {
  /** What was being attempted, e.g. "Could not load the ladder". */
  title: string;
  error: unknown;
  /** What the person can do about it; replaces the advice derived from the error. */
  hint?: string;
  onRetry?: () => void;
}

/**
 * A failed call: what failed (the title), the backend's message when it is a sentence, what to do,
 * and the raw error only behind "Details".
 */
export function ErrorAlert(props: ErrorAlertProps) {
  const { title, error, hint, onRetry } = props;
  const [open, setOpen] = useState(false);
  const described = describeError(error);
  return (
    <Alert
      severity="error"
      role="alert"
      action={
        <>
          <Button
            color="inherit"
            size="small"
            onClick={() => setOpen(o => !o)}
            aria-expanded={open}
          >
            {open ? 'Hide details' : 'Details'}
          </Button>
          {onRetry ? (
            <Button color="inherit" size="small" onClick={onRetry}>
              Try again
            </Button>
          ) : null}
        </>
      }
    >
      <AlertTitle>{title}</AlertTitle>
      <div>{described.summary}</div>
      <div>{hint ?? described.action}</div>
      <Collapse in={open} unmountOnExit>
        <pre
          data-testid="error-details"
          style={{ whiteSpace: 'pre-wrap', margin: 0 }}
        >
          {described.details}
        </pre>
      </Collapse>
    </Alert>
  );
}
