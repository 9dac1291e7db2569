import { useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import type { BadCommit } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { shortEntityRef, shortRef } from '../../format/shortRef';
import { ErrorAlert } from '../ErrorAlert';

export interface UnmarkBadCommitDialogProps {
  /** The mark to take back; the dialog is open while it is set. */
  mark?: BadCommit;
  onClose: () => void;
  onDone: (unmarked: BadCommit) => void;
}

/** Take a bad mark back, saying why: the commit may be promoted again; what it ended stays ended. */
export function UnmarkBadCommitDialog(props: UnmarkBadCommitDialogProps) {
  const { mark, onClose, onDone } = props;
  const api = useApi(ladderApiRef);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setReason('');
    setError(undefined);
  }, [mark]);

  const submit = async () => {
    if (!mark) return;
    setBusy(true);
    setError(undefined);
    try {
      onDone(await api.unmarkBadCommit(mark.id, reason.trim()));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={Boolean(mark)} onClose={busy ? undefined : onClose} aria-labelledby="unmark-bad-commit" fullWidth>
      <DialogTitle id="unmark-bad-commit">Take back the bad mark of {mark ? shortRef(mark.sha) : ''}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="textSecondary">
          {mark
            ? `Marked bad by ${shortEntityRef(mark.markedBy)}: “${mark.reason}”. Afterwards it may be promoted again; the promotions the mark ended stay ended.`
            : null}
        </Typography>
        <TextField
          id="unmark-bad-reason"
          label="Why it is fine after all"
          value={reason}
          onChange={e => setReason(e.target.value)}
          multiline
          minRows={2}
          fullWidth
          required
          inputProps={{ maxLength: 2000 }}
          margin="normal"
        />
        {error ? <ErrorAlert title="Could not take the bad mark back" error={error} /> : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button onClick={submit} disabled={busy || !reason.trim()} color="primary" variant="contained">
          Take back
        </Button>
      </DialogActions>
    </Dialog>
  );
}
