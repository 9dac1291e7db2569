import { ReactNode, useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { ErrorAlert } from '../ErrorAlert';

export interface ReasonDialogProps {
  /** Id of the title (`aria-labelledby`); the reason field is `<id>-reason`. */
  id: string;
  title: string;
  open: boolean;
  onClose: () => void;
  reasonLabel: string;
  reason: string;
  onReasonChange: (reason: string) => void;
  /** Whether the fields above the reason are complete. */
  ready: boolean;
  submitLabel: string;
  /** Shown over the error when `submit` fails. */
  errorTitle: string;
  /** Sends the request; the dialog shows it busy, and the error when it fails. */
  submit: () => Promise<void>;
  /** The fields asked before the reason. */
  children?: ReactNode;
}

/** A release-policy decision that needs a reason: the fields, the reason, Cancel and submit. */
export function ReasonDialog(props: ReasonDialogProps) {
  const { id, title, open, onClose, reason, onReasonChange, ready, submit } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (open) setError(undefined);
  }, [open]);

  const send = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await submit();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} aria-labelledby={id} fullWidth>
      <DialogTitle id={id}>{title}</DialogTitle>
      <DialogContent>
        {props.children}
        <TextField
          id={`${id}-reason`}
          label={props.reasonLabel}
          value={reason}
          onChange={e => onReasonChange(e.target.value)}
          multiline
          minRows={2}
          fullWidth
          required
          inputProps={{ maxLength: 2000 }}
          margin="normal"
        />
        {error ? <ErrorAlert title={props.errorTitle} error={error} /> : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button onClick={send} disabled={busy || !ready || !reason.trim()} color="secondary" variant="contained">
          {props.submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
