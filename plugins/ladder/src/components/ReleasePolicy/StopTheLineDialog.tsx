import { useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useApi } from '@backstage/core-plugin-api';
import type { CreateLinePauseRequest, LinePause } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { ErrorAlert } from '../ErrorAlert';

export interface StopTheLineDialogProps {
  entityRef: string;
  ladderId: string;
  rungs: Array<{ id: string; title: string }>;
  open: boolean;
  onClose: () => void;
  onDone: (pause: LinePause) => void;
}

/** Stop the line for this entity, one rung of its ladder, or the whole ladder, with a reason. */
export function StopTheLineDialog(props: StopTheLineDialogProps) {
  const { entityRef, ladderId, rungs, open, onClose, onDone } = props;
  const api = useApi(ladderApiRef);
  const [scope, setScope] = useState<string>('entity');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (open) {
      setScope('entity');
      setReason('');
      setError(undefined);
    }
  }, [open]);

  const request = (): CreateLinePauseRequest => {
    if (scope === 'entity') return { scope: 'entity', entityRef, reason: reason.trim() };
    if (scope === 'ladder') return { scope: 'ladder', ladderId, reason: reason.trim() };
    return { scope: 'rung', ladderId, rungId: scope.slice('rung:'.length), reason: reason.trim() };
  };
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await api.pauseLine(request()));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} aria-labelledby="stop-the-line" fullWidth>
      <DialogTitle id="stop-the-line">Stop the line</DialogTitle>
      <DialogContent>
        <TextField
          select
          id="stop-the-line-scope"
          label="What to pause"
          value={scope}
          onChange={e => setScope(e.target.value)}
          fullWidth
          margin="normal"
        >
          <MenuItem value="entity">This service, on every rung</MenuItem>
          {rungs.map(r => (
            <MenuItem key={r.id} value={`rung:${r.id}`}>
              {r.title} ({r.id}), for every service of ladder {ladderId}
            </MenuItem>
          ))}
          <MenuItem value="ladder">The whole ladder {ladderId}</MenuItem>
        </TextField>
        <TextField
          id="stop-the-line-reason"
          label="Reason (people blocked by it read this)"
          value={reason}
          onChange={e => setReason(e.target.value)}
          multiline
          minRows={2}
          fullWidth
          required
          inputProps={{ maxLength: 2000 }}
          margin="normal"
        />
        {error ? <ErrorAlert title="Could not stop the line" error={error} /> : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button onClick={submit} disabled={busy || !reason.trim()} color="secondary" variant="contained">
          Pause
        </Button>
      </DialogActions>
    </Dialog>
  );
}
