import { useEffect, useState } from 'react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useApi } from '@backstage/core-plugin-api';
import type { CreateLinePauseRequest, LinePause } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { ReasonDialog } from './ReasonDialog';

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
  useEffect(() => {
    if (open) {
      setScope('entity');
      setReason('');
    }
  }, [open]);

  const request = (): CreateLinePauseRequest => {
    if (scope === 'entity') return { scope: 'entity', entityRef, reason: reason.trim() };
    if (scope === 'ladder') return { scope: 'ladder', ladderId, reason: reason.trim() };
    return { scope: 'rung', ladderId, rungId: scope.slice('rung:'.length), reason: reason.trim() };
  };

  return (
    <ReasonDialog
      id="stop-the-line"
      title="Stop the line"
      open={open}
      onClose={onClose}
      reasonLabel="Reason (people blocked by it read this)"
      reason={reason}
      onReasonChange={setReason}
      ready
      submitLabel="Pause"
      errorTitle="Could not stop the line"
      submit={async () => onDone(await api.pauseLine(request()))}
    >
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
    </ReasonDialog>
  );
}
