import { useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { useApi } from '@backstage/core-plugin-api';
import type { Promotion } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { shortRef } from '../../format/shortRef';
import { ErrorAlert } from '../ErrorAlert';

export interface CancelDialogProps {
  promotion: Promotion;
  open: boolean;
  onClose: () => void;
  onDone: (promotion: Promotion) => void;
}

/** Withdraw an open promotion, with an optional reason kept in the audit trail. */
export function CancelDialog(props: CancelDialogProps) {
  const { promotion, open, onClose, onDone } = props;
  const api = useApi(ladderApiRef);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (open) {
      setReason('');
      setError(undefined);
    }
  }, [open]);

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await api.cancel(promotion.id, reason.trim() || undefined));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} aria-labelledby={`cancel-${promotion.id}`} fullWidth>
      <DialogTitle id={`cancel-${promotion.id}`}>
        Cancel the promotion of {shortRef(promotion.ref)} to {promotion.toRung}
      </DialogTitle>
      <DialogContent>
        <TextField
          id={`cancel-reason-${promotion.id}`}
          label="Reason (optional)"
          value={reason}
          onChange={e => setReason(e.target.value)}
          multiline
          minRows={2}
          fullWidth
          inputProps={{ maxLength: 2000 }}
          margin="normal"
        />
        {error ? <ErrorAlert title="Could not cancel" error={error} /> : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Keep it
        </Button>
        <Button onClick={submit} disabled={busy} color="secondary" variant="contained">
          Cancel promotion
        </Button>
      </DialogActions>
    </Dialog>
  );
}
