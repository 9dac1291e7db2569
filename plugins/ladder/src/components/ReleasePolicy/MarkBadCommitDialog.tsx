import { useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import type { BadCommitResponse } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { ErrorAlert } from '../ErrorAlert';

export interface MarkBadCommitDialogProps {
  entityRef: string;
  /** Commits the page knows (placed or open), offered first. */
  knownShas: string[];
  open: boolean;
  onClose: () => void;
  onDone: (marked: BadCommitResponse) => void;
}

/** Mark a commit of this service bad, with a reason: it is never promoted anywhere again. */
export function MarkBadCommitDialog(props: MarkBadCommitDialogProps) {
  const { entityRef, knownShas, open, onClose, onDone } = props;
  const api = useApi(ladderApiRef);
  const [sha, setSha] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const first = knownShas[0] ?? '';
  useEffect(() => {
    if (open) {
      setSha(first);
      setReason('');
      setError(undefined);
    }
  }, [open, first]);
  const shaOk = /^[0-9a-f]{40}$/.test(sha.trim());

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await api.markBadCommit({ entityRef, sha: sha.trim(), reason: reason.trim() }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} aria-labelledby="mark-bad-commit" fullWidth>
      <DialogTitle id="mark-bad-commit">Mark a commit bad</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="textSecondary">
          It cannot be promoted to any rung afterwards, and its open promotions end (Superseded, or Failed when a
          deploy had claimed one).
        </Typography>
        <TextField
          id="mark-bad-sha"
          label="Commit (full 40-hex SHA)"
          value={sha}
          onChange={e => setSha(e.target.value)}
          fullWidth
          required
          margin="normal"
          error={sha !== '' && !shaOk}
          helperText={sha !== '' && !shaOk ? 'the full 40-hex commit SHA, as the ladder shows it' : undefined}
          inputProps={{ list: 'mark-bad-known', spellCheck: false }}
        />
        <datalist id="mark-bad-known">
          {knownShas.map(s => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <TextField
          id="mark-bad-reason"
          label="What is wrong with it"
          value={reason}
          onChange={e => setReason(e.target.value)}
          multiline
          minRows={2}
          fullWidth
          required
          inputProps={{ maxLength: 2000 }}
          margin="normal"
        />
        {error ? <ErrorAlert title="Could not mark the commit bad" error={error} /> : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button onClick={submit} disabled={busy || !shaOk || !reason.trim()} color="secondary" variant="contained">
          Mark bad
        </Button>
      </DialogActions>
    </Dialog>
  );
}
