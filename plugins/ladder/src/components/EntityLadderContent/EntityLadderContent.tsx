import { useMemo, useState } from 'react';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import Button from '@material-ui/core/Button';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  LADDER_ANNOTATION,
  badCommitCreatePermission,
  linePausePermission,
  pauseCovers,
  evidenceCreatePermission,
  promotionCreatePermission,
  type BadCommit,
  type EntityLadderResponse,
  type Evidence,
  type PromotionKind,
  type RungView,
  EVIDENCE_PAGE_MAX,
} from '@khal/plugin-ladder-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ladderApiRef } from '../../api';
import { errorMessage, errorStatus } from '../../api/errorMessage';
import { useEntityLadder } from '../../hooks/useEntityLadder';
import { useLadderPermissions } from '../../hooks/useLadderPermissions';
import { useSignedInUser } from '../../hooks/useSignedInUser';
import type {
  ActionAvailability,
  LadderPermissionDecisions,
} from '../../promotions/actionAvailability';
import { ActionButton } from '../ActionButton';
import { AuditTimeline } from '../AuditTimeline';
import { DeliveryInsightsCard } from '../DeliveryInsights';
import { CompareRungs } from '../ChangeView';
import { ErrorAlert } from '../ErrorAlert';
import { LadderEmptyState } from '../LadderEmptyState';
import { RecordEvidenceDialog } from '../RecordEvidenceDialog';
import { RequestPromotionDialog } from '../RequestPromotionDialog';
import { defaultTarget } from '../RequestPromotionDialog/defaultTarget';
import { RungRow } from '../EntityLadderCard/RungRow';
import { OpenPromotionPanel } from './OpenPromotionPanel';
import { RungDetails } from './RungDetails';
import {
  BadCommitList,
  LinePauseBanner,
  MarkBadCommitDialog,
  StopTheLineDialog,
  UnmarkBadCommitDialog,
} from '../ReleasePolicy';

function permitted(decision: boolean | undefined, permission: { name: string }): ActionAvailability {
  if (decision === undefined) return { allowed: false, reason: 'checking your permissions…' };
  return decision ? { allowed: true } : { allowed: false, reason: `you lack permission ${permission.name}` };
}

/**
 * Requesting a promotion: the permission first, then the rule for the rung the request would go to
 * (the next step's target): the entity view says, per rung, whether the backend would refuse the
 * signed-in user (e.g. operators only) and why. The backend still decides.
 */
function requestAvailability(value: EntityLadderResponse, permissions: LadderPermissionDecisions): ActionAvailability {
  const allowed = permitted(permissions.create, promotionCreatePermission);
  if (!allowed.allowed) return allowed;
  const { toRung } = defaultTarget(value);
  const target = value.rungs.find(r => r.rung.id === toRung);
  if (target?.request && !target.request.allowed) {
    return { allowed: false, reason: target.request.reason ?? `you may not request promotions to ${target.rung.title}` };
  }
  return allowed;
}

/**
 * When the next rung refuses the signed-in user, the closest rung below it they may request (e.g.
 * placing another commit on Local while Production is for operators), if any.
 */
function otherRequestableRung(value: EntityLadderResponse): string | undefined {
  const { toRung } = defaultTarget(value);
  const index = value.rungs.findIndex(r => r.rung.id === toRung);
  for (let i = index - 1; i >= 0; i--) {
    if (value.rungs[i].request?.allowed !== false) return value.rungs[i].rung.id;
  }
  return undefined;
}

/**
 * Rolling a rung back (or, on a drifted rung, adopting what runs): where the backend says Roll
 * back goes, or why nowhere (a first release); then the permission; then the rung's request rule
 * (e.g. operators only). The backend decides again.
 */
function undoAvailability(
  view: RungView,
  permissions: LadderPermissionDecisions,
  kind: 'rollback' | 'adoption',
): ActionAvailability {
  if (kind === 'rollback') {
    if (!view.placement) return { allowed: false, reason: 'nothing is placed here to roll back' };
    if (!view.rollback) return { allowed: false, reason: 'the portal does not say where this rung rolls back to' };
    if (!view.rollback.allowed) return { allowed: false, reason: view.rollback.reason ?? 'there is nothing to roll back to' };
  } else if (!view.drift?.running) {
    return { allowed: false, reason: 'the cluster does not say which ref it runs' };
  }
  const allowed = permitted(permissions.create, promotionCreatePermission);
  if (!allowed.allowed) return allowed;
  if (view.request && !view.request.allowed) {
    return { allowed: false, reason: view.request.reason ?? `you may not request changes to ${view.rung.title}` };
  }
  return allowed;
}

/**
 * The entity's Ladder tab: each rung in detail, each open promotion with its gates, approvals,
 * deploy plan and actions, and the audit trail. Updates live through signals.
 */
export function EntityLadderContent() {
  const { entity } = useEntity();
  if (!entity.metadata.annotations?.[LADDER_ANNOTATION]) {
    return (
      <InfoCard title="Ladder">
        <LadderEmptyState />
      </InfoCard>
    );
  }
  return <EnrolledLadderContent entityRef={stringifyEntityRef(entity)} />;
}

type Dialog =
  | { type: 'promotion'; kind: PromotionKind; toRung?: string; ref?: string }
  | { type: 'evidence'; rung?: string }
  | { type: 'pause' }
  | { type: 'bad-commit' };

function EnrolledLadderContent(props: { entityRef: string }) {
  const { entityRef } = props;
  const api = useApi(ladderApiRef);
  const ladder = useEntityLadder(entityRef);
  const evidenceList = useAsyncRetry(() => api.listEvidence({ entityRef, limit: EVIDENCE_PAGE_MAX }), [api, entityRef, ladder.value]);
  const user = useSignedInUser();
  const permissions = useLadderPermissions(entityRef);
  const [dialog, setDialog] = useState<Dialog | undefined>();
  const pausePermission = usePermission({ permission: linePausePermission });
  const markBadPermission = usePermission({ permission: badCommitCreatePermission, resourceRef: entityRef });
  const mayPause = pausePermission.loading ? undefined : pausePermission.allowed;
  const mayMarkBad = markBadPermission.loading ? undefined : markBadPermission.allowed;
  const [policyError, setPolicyError] = useState<unknown>();
  const [unmarking, setUnmarking] = useState<BadCommit | undefined>();

  const evidence = useMemo(
    () => new Map<string, Evidence>((evidenceList.value?.items ?? []).map(e => [e.id, e])),
    [evidenceList.value],
  );

  if (!ladder.value && ladder.loading) return <Progress />;
  if (ladder.error && errorStatus(ladder.error) === 404) {
    return (
      <InfoCard title="Ladder">
        <LadderEmptyState reason={errorMessage(ladder.error)} />
      </InfoCard>
    );
  }
  if (!ladder.value) {
    return (
      <ErrorAlert
        title="Could not load the ladder of this entity"
        error={ladder.error}
        hint="Check that the ladder backend is running, then try again."
        onRetry={ladder.retry}
      />
    );
  }

  const value: EntityLadderResponse = ladder.value;
  const titleOf = (rungId: string) => value.rungs.find(r => r.rung.id === rungId)?.rung.title ?? rungId;
  const changed = () => {
    setDialog(undefined);
    ladder.retry();
  };
  const pauses = value.pauses ?? [];
  const badCommits = value.badCommits ?? [];
  const badOf = (ref: string | undefined) => badCommits.find(b => b.sha === ref);
  const pauseOf = (rungId: string) =>
    pauses.find(p => pauseCovers(p, { entityRef, ladderId: value.ladder.id, rungId }));
  const knownShas = [
    ...new Set([...value.rungs.flatMap(r => (r.placement ? [r.placement.ref] : [])), ...value.openPromotions.map(p => p.ref)]),
  ].filter(sha => !badOf(sha));
  const resume = async (pauseId: string) => {
    setPolicyError(undefined);
    try {
      await api.resumeLine(pauseId);
      ladder.retry();
    } catch (e) {
      setPolicyError(e);
    }
  };

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard title={value.ladder.title} subheader={value.ladder.description || undefined}>
          {ladder.error ? (
            <ErrorAlert title="Could not refresh the ladder" error={ladder.error} onRetry={ladder.retry} />
          ) : null}
          <LinePauseBanner pauses={pauses} rungTitle={titleOf} canResume={mayPause} onResume={p => resume(p.id)} />
          {policyError ? <ErrorAlert title="Could not resume the line" error={policyError} /> : null}
          <RungRow rungs={value.rungs} />
          <ClusterObservation rungs={value.rungs} reading={ladder.loading} onReadLive={ladder.readLive} />
          <Typography variant="body1" style={{ marginTop: 16 }} data-testid="ladder-next-step">
            {value.next.summary}
          </Typography>
          <div style={{ marginTop: 16 }}>
            <ActionButton
              label="Request a promotion"
              variant="contained"
              availability={requestAvailability(value, permissions)}
              onClick={() => setDialog({ type: 'promotion', kind: 'promotion' })}
            />
            {requestAvailability(value, permissions).allowed || !permissions.create || !otherRequestableRung(value) ? null : (
              <ActionButton
                label="Request to another rung"
                availability={{ allowed: true }}
                onClick={() => setDialog({ type: 'promotion', kind: 'promotion', toRung: otherRequestableRung(value) })}
              />
            )}
            <ActionButton
              label="Record evidence"
              availability={permitted(permissions.evidence, evidenceCreatePermission)}
              onClick={() => setDialog({ type: 'evidence' })}
            />
            <ActionButton
              label="Stop the line"
              color="secondary"
              availability={permitted(mayPause, linePausePermission)}
              onClick={() => setDialog({ type: 'pause' })}
            />
            <ActionButton
              label="Mark a commit bad"
              color="secondary"
              availability={permitted(mayMarkBad, badCommitCreatePermission)}
              onClick={() => setDialog({ type: 'bad-commit' })}
            />
          </div>
          <BadCommitList
            badCommits={badCommits}
            unmark={permitted(mayMarkBad, badCommitCreatePermission)}
            onUnmark={mark => setUnmarking(mark)}
          />
        </InfoCard>
      </Grid>

      <Grid item xs={12}>
        <Typography variant="h5" component="h2" gutterBottom>
          Open promotions
        </Typography>
        {value.openPromotions.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            No promotion is open. Use “Request a promotion” to move a proven ref up the ladder.
          </Typography>
        ) : (
          value.openPromotions.map(p => (
            <div key={p.id} style={{ marginBottom: 16 }}>
              <OpenPromotionPanel
                promotion={p}
                toRungTitle={titleOf(p.toRung)}
                toRung={value.ladder.rungs.find(r => r.id === p.toRung)}
                rungTitle={titleOf}
                evidence={evidence}
                user={user}
                permissions={permissions}
                onChanged={changed}
              />
            </div>
          ))
        )}
      </Grid>

      <Grid item xs={12}>
        <CompareRungs entityRef={entityRef} rungs={value.rungs} />
      </Grid>

      <Grid item xs={12}>
        <Typography variant="h5" component="h2" gutterBottom>
          Rungs
        </Typography>
        {evidenceList.error ? (
          <ErrorAlert title="Could not load the evidence" error={evidenceList.error} onRetry={evidenceList.retry} />
        ) : null}
        {value.rungs.map(view => (
          <RungDetails
            key={view.rung.id}
            view={view}
            evidence={evidence}
            rollback={undoAvailability(view, permissions, 'rollback')}
            adopt={view.drift ? undoAvailability(view, permissions, 'adoption') : undefined}
            recordEvidence={permitted(permissions.evidence, evidenceCreatePermission)}
            onRollback={() =>
              setDialog({ type: 'promotion', kind: 'rollback', toRung: view.rung.id, ref: view.rollback?.ref ?? '' })
            }
            onAdopt={() =>
              setDialog({ type: 'promotion', kind: 'adoption', toRung: view.rung.id, ref: view.drift?.running ?? '' })
            }
            onRecordEvidence={() => setDialog({ type: 'evidence', rung: view.rung.id })}
            badCommit={badOf(view.placement?.ref)}
            paused={pauseOf(view.rung.id)?.reason}
          />
        ))}
      </Grid>

      <Grid item xs={12}>
        <DeliveryInsightsCard entityRef={entityRef} />
      </Grid>

      <Grid item xs={12}>
        <AuditTimeline entityRef={entityRef} />
      </Grid>

      <RequestPromotionDialog
        ladder={value}
        open={dialog?.type === 'promotion'}
        kind={dialog?.type === 'promotion' ? dialog.kind : 'promotion'}
        initialToRung={dialog?.type === 'promotion' ? dialog.toRung : undefined}
        initialRef={dialog?.type === 'promotion' ? dialog.ref : undefined}
        onClose={() => setDialog(undefined)}
        onDone={changed}
      />
      <StopTheLineDialog
        entityRef={entityRef}
        ladderId={value.ladder.id}
        rungs={value.rungs.map(r => ({ id: r.rung.id, title: r.rung.title }))}
        open={dialog?.type === 'pause'}
        onClose={() => setDialog(undefined)}
        onDone={changed}
      />
      <MarkBadCommitDialog
        entityRef={entityRef}
        knownShas={knownShas}
        open={dialog?.type === 'bad-commit'}
        onClose={() => setDialog(undefined)}
        onDone={changed}
      />
      <UnmarkBadCommitDialog
        mark={unmarking}
        onClose={() => setUnmarking(undefined)}
        onDone={() => {
          setUnmarking(undefined);
          ladder.retry();
        }}
      />
      <RecordEvidenceDialog
        entityRef={entityRef}
        rungs={value.rungs}
        rung={dialog?.type === 'evidence' ? dialog.rung : undefined}
        open={dialog?.type === 'evidence'}
        onClose={() => setDialog(undefined)}
        onDone={changed}
      />
    </Grid>
  );
}

/**
 * How old the oldest cluster reading on the page is, and a way to read the clusters now (the
 * ladder shows an observation of the last few seconds by default).
 */
function ClusterObservation(props: { rungs: EntityLadderResponse['rungs']; reading: boolean; onReadLive: () => void }) {
  const times = props.rungs
    .map(r => (r.cluster ? Date.parse(r.cluster.checkedAt) : NaN))
    .filter(t => Number.isFinite(t));
  if (times.length === 0) return null;
  const seconds = Math.max(0, Math.round((Date.now() - Math.min(...times)) / 1000));
  return (
    <Typography variant="caption" color="textSecondary" component="div" data-testid="cluster-observation">
      Cluster state as observed {seconds < 2 ? 'just now' : `${seconds} s ago`}{' '}
      <Button size="small" color="primary" disabled={props.reading} onClick={props.onReadLive}>
        Read the clusters now
      </Button>
    </Typography>
  );
}
