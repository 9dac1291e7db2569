import { useEffect, useMemo, useRef, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  DeployPlan,
  EntityLadderResponse,
  Promotion,
  PromotionKind,
} from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { shortEntityRef, shortRef } from '../../format/shortRef';
import { newIdempotencyKey } from '../../promotions/idempotencyKey';
import { ChangeView } from '../ChangeView';
import { DeployPlanView, PlanProblem } from '../DeployPlan';
import { ErrorAlert } from '../ErrorAlert';
import { changeBase, defaultTarget, refBelow } from './defaultTarget';

export interface RequestPromotionDialogProps {
  ladder: EntityLadderResponse;
  open: boolean;
  onClose: () => void;
  onDone: (promotion: Promotion) => void;
  /** A rollback is a promotion of an earlier ref onto `initialToRung`. */
  kind?: PromotionKind;
  initialToRung?: string;
  /** Pre-filled ref (`ref` itself is reserved by React). */
  initialRef?: string;
}

/**
 * Request a promotion (or a rollback) in two steps: choose target and ref, see the deploy plan
 * the backend resolves for them, then confirm. Nothing is requested before the plan was shown.
 */
export function RequestPromotionDialog(props: RequestPromotionDialogProps) {
  const { ladder, open, onClose, onDone, kind = 'promotion' } = props;
  const api = useApi(ladderApiRef);
  const [toRung, setToRung] = useState('');
  const [ref, setRef] = useState('');
  const [reason, setReason] = useState('');
  const [explanation, setExplanation] = useState('');
  const [plan, setPlan] = useState<DeployPlan | undefined>();
  const [planError, setPlanError] = useState<unknown>();
  /** The target and ref the plan and the change view were asked for. */
  const [reviewed, setReviewed] = useState<{ toRung: string; ref: string } | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useMemo(() => (open ? newIdempotencyKey() : ''), [open]);
  // A refused request is shown where the user is looking: at the top of the dialog, scrolled to.
  const errorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) errorRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [error]);

  useEffect(() => {
    if (!open) return;
    const fallback = defaultTarget(ladder);
    setToRung(props.initialToRung ?? fallback.toRung);
    setRef(props.initialRef ?? (props.initialToRung ? refBelow(ladder, props.initialToRung) : fallback.ref));
    setReason('');
    setExplanation('');
    setPlan(undefined);
    setPlanError(undefined);
    setReviewed(undefined);
    setError(undefined);
    // Only when the dialog opens: later edits are the user's.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const targetView = ladder.rungs.find(r => r.rung.id === toRung);
  const target = targetView?.rung;
  const refused = targetView?.request && !targetView.request.allowed ? targetView.request.reason ?? 'you may not request promotions to this rung' : undefined;
  const needsExplanation = Boolean(target?.metadata?.requiresExplanation);
  const noun = kind === 'promotion' ? 'promotion' : kind;
  const titleOf = (rungId: string) => ladder.rungs.find(r => r.rung.id === rungId)?.rung.title ?? rungId;
  const base = reviewed ? changeBase(ladder, reviewed.toRung) : undefined;
  const formIncomplete = !toRung || !ref.trim() || (needsExplanation && !explanation.trim()) || Boolean(refused);

  const resetPlan = () => {
    setPlan(undefined);
    setPlanError(undefined);
    setReviewed(undefined);
  };
  const showPlan = async () => {
    setBusy(true);
    resetPlan();
    setReviewed({ toRung, ref: ref.trim() });
    try {
      setPlan(await api.getPlan({ entityRef: ladder.entityRef, target: toRung, ref: ref.trim() }));
    } catch (e) {
      setPlanError(e);
    } finally {
      setBusy(false);
    }
  };
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.createPromotion(
        {
          entityRef: ladder.entityRef,
          toRung,
          ref: ref.trim(),
          kind,
          reason: reason.trim() || undefined,
          explanation: explanation.trim() || undefined,
        },
        { idempotencyKey },
      );
      onDone(created);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onClose}
      aria-labelledby="request-promotion-title"
      fullWidth
      maxWidth="md"
    >
      <DialogTitle id="request-promotion-title">
        {{ promotion: 'Request a promotion', rollback: 'Roll back', adoption: 'Adopt what runs' }[kind]}
      </DialogTitle>
      <DialogContent>
        <div ref={errorRef}>{error ? <ErrorAlert title={`Could not request the ${noun}`} error={error} /> : null}</div>
        <TextField
          select
          id="request-promotion-target"
          label="Target rung"
          value={toRung}
          onChange={e => {
            setToRung(e.target.value);
            if (!props.initialRef) setRef(refBelow(ladder, e.target.value) || ref);
            resetPlan();
          }}
          fullWidth
          margin="normal"
          disabled={kind !== 'promotion'}
        >
          {ladder.rungs.map(r => (
            <MenuItem key={r.rung.id} value={r.rung.id} disabled={r.request?.allowed === false}>
              {r.rung.title} ({r.rung.id})
              {r.request?.allowed === false ? ` — ${r.request.reason ?? 'you may not request promotions here'}` : ''}
            </MenuItem>
          ))}
        </TextField>
        {refused ? (
          <Alert severity="warning" data-testid="request-refused">
            {refused}
          </Alert>
        ) : null}
        <TextField
          id="request-promotion-ref"
          label={{ promotion: 'Ref (commit, tag or image tag)', rollback: 'Ref to roll back to', adoption: 'Ref the cluster runs' }[kind]}
          value={ref}
          onChange={e => {
            setRef(e.target.value);
            resetPlan();
          }}
          fullWidth
          required
          margin="normal"
          inputProps={{ maxLength: 128, spellCheck: false }}
        />
        <TextField
          id="request-promotion-reason"
          label="Reason (optional)"
          value={reason}
          onChange={e => setReason(e.target.value)}
          fullWidth
          multiline
          margin="normal"
          inputProps={{ maxLength: 2000 }}
        />
        {needsExplanation && target ? (
          <>
            <Alert severity="info" data-testid="explanation-context">
              {target.title} is a customer rung
              {target.metadata?.customer ? ` for ${target.metadata.customer}` : ''}: a promotion onto it needs an
              explanation, and its approvers
              {target.approvers ? ` (${target.approvers.groups.map(shortEntityRef).join(', ')})` : ''} read it
              first, next to the settings supplied there and the change compared with the rung below.
              {target.metadata?.contacts.length ? ` Customer contacts: ${target.metadata.contacts.join(', ')}.` : ''}
            </Alert>
            {target.metadata?.customer ? null : (
              <Alert severity="warning">
                {target.title} names no customer (metadata.customer in the ladder config), so the ladder will refuse
                the request until an administrator sets it.
              </Alert>
            )}
            <TextField
              id="request-promotion-explanation"
              label="Explanation for the customer (required on this rung)"
              helperText="What changes for the customer and why: which customer is touched, which settings were supplied (names only), what changed compared with shared dev, who approves next."
              value={explanation}
              onChange={e => setExplanation(e.target.value)}
              fullWidth
              multiline
              minRows={3}
              required
              margin="normal"
              inputProps={{ maxLength: 4000 }}
            />
          </>
        ) : null}
        {busy && !plan ? <Progress /> : null}
        {planError ? <PlanProblem error={planError} /> : null}
        {plan ? (
          <>
            <Typography variant="h6" component="h3">
              Deploy plan
            </Typography>
            <DeployPlanView plan={plan} />
          </>
        ) : null}
        {reviewed ? (
          <section aria-label="Changes of this promotion">
            <Typography variant="h6" component="h3">
              Changes
            </Typography>
            {base ? (
              <>
                <Typography variant="body2" color="textSecondary" gutterBottom>
                  Compared with {base.rungId === reviewed.toRung ? 'what is on' : 'the rung below,'}{' '}
                  {titleOf(base.rungId)} ({shortRef(base.ref)}).
                </Typography>
                <ChangeView
                  source={{ entityRef: ladder.entityRef, fromRef: base.ref, toRef: reviewed.ref, target: reviewed.toRung }}
                  rungTitle={titleOf}
                />
              </>
            ) : (
              <Typography variant="body2" color="textSecondary">
                Nothing is placed on {titleOf(reviewed.toRung)} or below it, so there is nothing to compare with.
              </Typography>
            )}
          </section>
        ) : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Close
        </Button>
        {plan ? (
          <Button onClick={confirm} disabled={busy || formIncomplete} color="primary" variant="contained">
            Request {noun}
          </Button>
        ) : (
          <Button onClick={showPlan} disabled={busy || formIncomplete} color="primary" variant="contained">
            Show deploy plan
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
