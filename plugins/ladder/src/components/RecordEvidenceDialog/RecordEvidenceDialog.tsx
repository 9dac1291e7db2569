import { useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useApi } from '@backstage/core-plugin-api';
import {
  wellKnownEvidenceKinds,
  type Evidence,
  type RungView,
} from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { ErrorAlert } from '../ErrorAlert';

export interface RecordEvidenceDialogProps {
  entityRef: string;
  rungs: RungView[];
  open: boolean;
  onClose: () => void;
  onDone: (evidence: Evidence) => void;
  /** Pre-selected rung. */
  rung?: string;
}

/** Attach a proof item (acceptance, logs, a URL…) to an entity, rung and ref. */
export function RecordEvidenceDialog(props: RecordEvidenceDialogProps) {
  const { entityRef, rungs, open, onClose, onDone } = props;
  const api = useApi(ladderApiRef);
  const [rung, setRung] = useState('');
  const [ref, setRef] = useState('');
  const [kind, setKind] = useState<string>('acceptance');
  const [summary, setSummary] = useState('');
  const [url, setUrl] = useState('');
  const [content, setContent] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const refOn = (id: string) => rungs.find(r => r.rung.id === id)?.placement?.ref ?? '';
  useEffect(() => {
    if (!open) return;
    const first = props.rung ?? rungs.find(r => r.placement)?.rung.id ?? rungs[0]?.rung.id ?? '';
    setRung(first);
    setRef(refOn(first));
    setKind('acceptance');
    setSummary('');
    setUrl('');
    setContent('');
    setError(undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const incomplete = !rung || !ref.trim() || !summary.trim() || (!url.trim() && !content);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(
        await api.createEvidence({
          entityRef,
          rung,
          ref: ref.trim(),
          kind,
          summary: summary.trim(),
          url: url.trim() || undefined,
          content: content || undefined,
        }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} aria-labelledby="record-evidence-title" fullWidth>
      <DialogTitle id="record-evidence-title">Record evidence</DialogTitle>
      <DialogContent>
        <TextField
          select
          id="record-evidence-rung"
          label="Rung"
          value={rung}
          onChange={e => {
            setRung(e.target.value);
            setRef(refOn(e.target.value) || ref);
          }}
          fullWidth
          margin="normal"
        >
          {rungs.map(r => (
            <MenuItem key={r.rung.id} value={r.rung.id}>
              {r.rung.title}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="record-evidence-ref"
          label="Ref"
          value={ref}
          onChange={e => setRef(e.target.value)}
          fullWidth
          required
          margin="normal"
          inputProps={{ maxLength: 128, spellCheck: false }}
        />
        <TextField
          select
          id="record-evidence-kind"
          label="Kind"
          value={kind}
          onChange={e => setKind(e.target.value)}
          fullWidth
          margin="normal"
        >
          {wellKnownEvidenceKinds.map(k => (
            <MenuItem key={k} value={k}>
              {k}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="record-evidence-summary"
          label="Summary: what does it show?"
          value={summary}
          onChange={e => setSummary(e.target.value)}
          fullWidth
          required
          margin="normal"
          inputProps={{ maxLength: 500 }}
        />
        <TextField
          id="record-evidence-url"
          label="URL where the proof lives"
          value={url}
          onChange={e => setUrl(e.target.value)}
          fullWidth
          margin="normal"
          type="url"
          helperText="Give a URL, or paste the proof itself below. Secrets are redacted when stored."
        />
        <TextField
          id="record-evidence-content"
          label="Content (e.g. build output)"
          value={content}
          onChange={e => setContent(e.target.value)}
          fullWidth
          multiline
          minRows={4}
          margin="normal"
        />
        {error ? <ErrorAlert title="Could not record the evidence" error={error} /> : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Close
        </Button>
        <Button onClick={submit} disabled={busy || incomplete} color="primary" variant="contained">
          Record evidence
        </Button>
      </DialogActions>
    </Dialog>
  );
}
