import { useEffect, useState } from 'react';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import type { BadCommitResponse } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { ReasonDialog } from './ReasonDialog';

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
  const first = knownShas[0] ?? '';
  useEffect(() => {
    if (open) {
      setSha(first);
      setReason('');
    }
  }, [open, first]);
  const shaOk = /^[0-9a-f]{40}$/.test(sha.trim());

  return (
    <ReasonDialog
      id="mark-bad-commit"
      title="Mark a commit bad"
      open={open}
      onClose={onClose}
      reasonLabel="What is wrong with it"
      reason={reason}
      onReasonChange={setReason}
      ready={shaOk}
      submitLabel="Mark bad"
      errorTitle="Could not mark the commit bad"
      submit={async () => onDone(await api.markBadCommit({ entityRef, sha: sha.trim(), reason: reason.trim() }))}
    >
      <Typography variant="body2" color="textSecondary">
        It cannot be promoted to any rung afterwards, and its open promotions end (Superseded, or Failed when a deploy
        had claimed one).
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
    </ReasonDialog>
  );
}
