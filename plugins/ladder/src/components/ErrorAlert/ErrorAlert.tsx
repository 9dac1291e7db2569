import Button from '@material-ui/core/Button';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { errorMessage } from '../../api/errorMessage';

export interface ErrorAlertProps {
  /** What was being attempted, e.g. "Could not load the ladder". */
  title: string;
  error: unknown;
  /** What the person can do about it; shown under the server's own message. */
  hint?: string;
  onRetry?: () => void;
}

/** A failed call, with the backend's message shown verbatim (it is written for people). */
export function ErrorAlert(props: ErrorAlertProps) {
  const { title, error, hint, onRetry } = props;
  return (
    <Alert
      severity="error"
      role="alert"
      action={
        onRetry ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            Try again
          </Button>
        ) : undefined
      }
    >
      <AlertTitle>{title}</AlertTitle>
      {errorMessage(error)}
      {hint ? <div>{hint}</div> : null}
    </Alert>
  );
}
