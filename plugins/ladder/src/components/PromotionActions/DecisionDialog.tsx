import { useEffect, useMemo, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import type { ApprovalDecision, Promotion } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { shortRef } from '../../format/shortRef';
import { newIdempotencyKey } from '../../promotions/idempotencyKey';
import { ErrorAlert } from '../ErrorAlert';

export interface DecisionDialogProps {
  promotion: Promotion;
  decision: ApprovalDecision;
  /** The target rung as people read it. */
  toRungTitle?: string;
  open: boolean;
  onClose: () => void;
  onDone: (promotion: Promotion) => void;
}

/** Approve or reject a promotion, with a comment (required to reject: say why). */
export function DecisionDialog(props: DecisionDialogProps) {
  const { promotion, decision, toRungTitle, open, onClose, onDone } = props;
  const api = useApi(ladderApiRef);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // One key per opening of the dialog: a double click or a retry is one decision.
  const idempotencyKey = useMemo(() => (open ? newIdempotencyKey() : ''), [open]);
  useEffect(() => {
    if (open) {
      setComment('');
      setError(undefined);
    }
  }, [open]);

  const verb = decision === 'approve' ? 'Approve' : 'Reject';
  const commentMissing = decision === 'reject' && comment.trim() === '';
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const updated = await api.decide(
        promotion.id,
        { decision, comment: comment.trim() },
        { idempotencyKey },
      );
      onDone(updated);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} aria-labelledby={`decision-${promotion.id}`} fullWidth>
      <DialogTitle id={`decision-${promotion.id}`}>
        {verb} the promotion of {shortRef(promotion.ref)} to {toRungTitle ?? promotion.toRung}
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" gutterBottom>
          Requested by {promotion.requestedBy}
          {promotion.reason ? `: “${promotion.reason}”` : ''}
        </Typography>
        <TextField
          id={`decision-comment-${promotion.id}`}
          label={decision === 'reject' ? 'Why do you reject it? (required)' : 'Comment (optional)'}
          value={comment}
          onChange={e => setComment(e.target.value)}
          multiline
          minRows={3}
          fullWidth
          required={decision === 'reject'}
          inputProps={{ maxLength: 2000 }}
          margin="normal"
        />
        {error ? <ErrorAlert title={`Could not ${verb.toLocaleLowerCase('en-US')}`} error={error} /> : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Close
        </Button>
        <Button
          onClick={submit}
          disabled={busy || commentMissing}
          color={decision === 'approve' ? 'primary' : 'secondary'}
          variant="contained"
        >
          {verb}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
