import { useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { useApi } from '@backstage/core-plugin-api';
import type { Promotion } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { shortRef } from '../../format/shortRef';
import { useSubmit } from '../../hooks/useSubmit';
import { ErrorAlert } from '../ErrorAlert';

/** The server asks for at least this many characters; the dialog says so before sending. */
export const MIN_BREAK_GLASS_REASON = 10;

export interface BreakGlassDialogProps {
  promotion: Promotion;
  open: boolean;
  onClose: () => void;
  onDone: (promotion: Promotion) => void;
}

/** Override the failing gates of a promotion (operators): the reason is required. */
export function BreakGlassDialog(props: BreakGlassDialogProps) {
  const { promotion, open, onClose, onDone } = props;
  const api = useApi(ladderApiRef);
  const [reason, setReason] = useState('');
  const { busy, error, submit, reset } = useSubmit(() => api.breakGlass(promotion.id, reason.trim()), onDone);
  useEffect(() => {
    if (open) {
      setReason('');
      reset();
    }
  }, [open, reset]);
  const failing = promotion.gates.filter(g => g.gateId !== 'approval' && g.status !== 'passed');
  const short = reason.trim().length < MIN_BREAK_GLASS_REASON;

  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} aria-labelledby={`break-glass-${promotion.id}`} fullWidth>
      <DialogTitle id={`break-glass-${promotion.id}`}>
        Break glass on {shortRef(promotion.ref)} to {promotion.toRung}
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          This overrides {failing.length ? failing.map(g => g.title).join(', ') : 'the failing gates'} for this
          promotion only. Approvals are never overridden: it still waits for them. The approvers are notified, the
          promotion carries the mark everywhere, and someone other than you must acknowledge the review.
        </DialogContentText>
        <TextField
          id={`break-glass-reason-${promotion.id}`}
          label="Reason (required)"
          required
          value={reason}
          onChange={e => setReason(e.target.value)}
          error={reason.length > 0 && short}
          helperText={`Why now? At least ${MIN_BREAK_GLASS_REASON} characters; reviewers read this.`}
          multiline
          minRows={2}
          fullWidth
          inputProps={{ maxLength: 2000 }}
          margin="normal"
        />
        {error ? <ErrorAlert title="Could not break the glass" error={error} /> : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Keep the gates
        </Button>
        <Button onClick={submit} disabled={busy || short} color="secondary" variant="contained">
          Break glass
        </Button>
      </DialogActions>
    </Dialog>
  );
}
