import { Fragment } from 'react';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import Alert from '@material-ui/lab/Alert';
import {
  rungStatusLabel,
  rungStatusTone,
  type Evidence,
  type RungView,
} from '@khal/plugin-ladder-common';
import { formatAge, formatTime } from '../../format/age';
import { shortEntityRef, shortRef } from '../../format/shortRef';
import type { ActionAvailability } from '../../promotions/actionAvailability';
import { ActionButton } from '../ActionButton';
import { CommandList } from '../DeployPlan';
import { GateChecklist } from '../GateChecklist';
import { ToneChip } from '../ToneChip';
import { activeFreeze, type BadCommit } from '@khal/plugin-ladder-common';
import { RefWithMark } from '../ReleasePolicy';
import { RungTimeRuleChips } from '../TimeRules';

const useStyles = makeStyles(theme => ({
  summary: { display: 'flex', alignItems: 'center', gap: theme.spacing(1.5), flexWrap: 'wrap' },
  title: { fontWeight: 600 },
  ref: { fontFamily: 'monospace' },
  details: { display: 'flex', flexDirection: 'column', gap: theme.spacing(2), width: '100%' },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: 0,
    '& dt': { fontWeight: 500 },
    '& dd': { margin: 0 },
  },
}));

const policyText: Record<RungView['rung']['mutationPolicy'], string> = {
  self: 'self — your own machine',
  'after-dry-run': 'after a dry-run — any FDE, once a clean dry-run is recorded for the ref',
  approval: 'approval — cleared approvals required',
  operators: 'operators — only members of the operators group',
};

export interface RungDetailsProps {
  view: RungView;
  evidence: ReadonlyMap<string, Evidence>;
  rollback: ActionAvailability;
  /** On a drifted rung: adopting what its cluster runs. */
  adopt?: ActionAvailability;
  recordEvidence: ActionAvailability;
  onRollback: () => void;
  onAdopt?: () => void;
  onRecordEvidence: () => void;
  /** Set when the placed commit is marked bad: shown struck through with the reason. */
  badCommit?: BadCommit;
  /** Set when the line is stopped for this rung (the pause's one-line reason). */
  paused?: string;
}

/** Everything about one rung: what it is, what sits on it, its proof and its commands. */
export function RungDetails(props: RungDetailsProps) {
  const { view, evidence, rollback, adopt, recordEvidence, onRollback, onAdopt, onRecordEvidence, badCommit, paused } = props;
  const { rung, placement, cluster, drift } = view;
  const freeze = activeFreeze(rung.freezes ?? []);
  const classes = useStyles();
  const headingId = `rung-heading-${rung.id}`;
  return (
    <Accordion defaultExpanded={Boolean(placement) || view.status === 'drifted'} data-testid={`rung-details-${rung.id}`}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />} aria-controls={`rung-panel-${rung.id}`} id={headingId}>
        <span className={classes.summary}>
          <Typography component="h3" variant="subtitle1" className={classes.title}>
            {rung.title}
          </Typography>
          <ToneChip tone={rungStatusTone(view.status)} label={rungStatusLabel(view.status)} />
          <span className={classes.ref}>
            {placement ? <RefWithMark refName={placement.ref} bad={badCommit} /> : 'nothing placed'}
          </span>
          {paused ? <ToneChip tone="warning" label={`paused: ${paused}`} /> : null}
          {freeze ? (
            <ToneChip tone="warning" label={`frozen until ${formatTime(freeze.to)}`} title={freeze.reason} />
          ) : null}
          <RungTimeRuleChips rung={rung} />
          {rung.optional ? <Typography variant="caption">optional</Typography> : null}
        </span>
      </AccordionSummary>
      <AccordionDetails id={`rung-panel-${rung.id}`} aria-labelledby={headingId}>
        <div className={classes.details}>
          <Typography variant="body2">{view.statusReason}</Typography>
          {drift ? (
            <Alert severity="warning">
              Drifted since {formatAge(drift.since)}: the cluster runs {drift.running ?? 'nothing'}, the
              ladder expects {drift.expected ?? 'nothing'}. Adopt the running ref (with evidence and the rung approvers) or roll back to the placed one to bring them together; nothing is promoted from this rung until then.
            </Alert>
          ) : null}
          <dl className={classes.facts}>
            {rung.purpose ? (
              <>
                <dt>Purpose</dt>
                <dd>{rung.purpose}</dd>
              </>
            ) : null}
            <dt>Runtime</dt>
            <dd>{rung.runtime}</dd>
            <dt>Audience</dt>
            <dd>{rung.audience}</dd>
            <dt>Mutation policy</dt>
            <dd>{policyText[rung.mutationPolicy]}</dd>
            <dt>Host</dt>
            <dd>{rung.host ?? (rung.kubernetes ? `cluster ${rung.kubernetes.cluster}` : 'not set')}</dd>
            {rung.kubernetes ? (
              <>
                <dt>Kubernetes</dt>
                <dd>
                  {rung.kubernetes.cluster} / {rung.kubernetes.namespace}
                </dd>
              </>
            ) : null}
            {rung.approvers ? (
              <>
                <dt>Approvers</dt>
                <dd>
                  {rung.approvers.rules.length > 1
                    ? `all of: ${rung.approvers.rules
                        .map(r => `${r.title} (${r.minimum} of ${r.groups.map(shortEntityRef).join(' or ')})`)
                        .join('; ')} — one person counts towards one rule`
                    : `${rung.approvers.minimum} of ${rung.approvers.groups.map(shortEntityRef).join(', ')}`}
                </dd>
              </>
            ) : null}
            {rung.metadata?.customer ? (
              <>
                <dt>Customer</dt>
                <dd>{rung.metadata.customer}</dd>
              </>
            ) : null}
            <dt>Placement</dt>
            <dd>
              {placement ? (
                <>
                  <RefWithMark refName={placement.ref} bad={badCommit} full />
                  {` via ${placement.via}, ${formatAge(placement.placedAt)} by ${shortEntityRef(placement.placedBy)}`}
                </>
              ) : (
                'nothing has been placed here yet'
              )}
            </dd>
            {cluster ? (
              <>
                <dt>Cluster</dt>
                <dd>
                  {cluster.reachable
                    ? [
                        `runs ${cluster.runningRef ?? 'no known ref'}`,
                        cluster.rollout ? `rollout ${cluster.rollout}` : '',
                        cluster.replicas
                          ? `${cluster.replicas.ready}/${cluster.replicas.desired} ready`
                          : '',
                        cluster.rolloutMessage ?? '',
                      ]
                        .filter(Boolean)
                        .join(' · ')
                    : `unreachable: ${cluster.reason ?? 'no reason given'}`}
                </dd>
              </>
            ) : null}
            {rung.boundary ? <BoundaryFacts boundary={rung.boundary} /> : null}
            {(rung.endpoints ?? []).map(e => (
              <Fragment key={`endpoint-${e.name}`}>
                <dt>Endpoint {e.name}</dt>
                <dd className={classes.ref}>{e.url}</dd>
              </Fragment>
            ))}
            {rung.lifecycle && Object.keys(rung.lifecycle).length ? (
              <>
                <dt>Environment</dt>
                <dd className={classes.ref}>
                  khal env {Object.keys(rung.lifecycle).join('|')} --target {rung.id}
                </dd>
              </>
            ) : null}
            {rung.entryGates.length > 0 ? (
              <>
                <dt>Entry gates</dt>
                <dd>{rung.entryGates.map(g => g.title ?? g.id).join(', ')}</dd>
              </>
            ) : null}
          </dl>
          <div>
            <Typography variant="subtitle2" component="h4">
              Proof checks
            </Typography>
            <GateChecklist
              results={view.proof}
              evidence={evidence}
              label={`Proof checks of ${rung.title}`}
              emptyText={proofEmptyText(rung)}
              rung={rung}
            />
          </div>
          <div>
            <Typography variant="subtitle2" component="h4">
              Commands
            </Typography>
            <CommandList commands={rung.commands} label={`Commands for ${rung.title}`} />
          </div>
          <div>
            <ActionButton label={`Record evidence for ${rung.title}`} availability={recordEvidence} onClick={onRecordEvidence} />
            <ActionButton
              label={
                drift && view.rollback?.ref
                  ? `Roll ${rung.title} back to the placed ${shortRef(view.rollback.ref)}`
                  : `Roll back ${rung.title}${view.rollback?.ref ? ` to ${shortRef(view.rollback.ref)}` : ''}`
              }
              color="secondary"
              availability={rollback}
              onClick={onRollback}
            />
            {drift && adopt && onAdopt ? (
              <ActionButton
                label={`Adopt ${drift.running ? shortRef(drift.running) : 'what runs'} on ${rung.title}`}
                availability={adopt}
                onClick={onAdopt}
              />
            ) : null}
          </div>
        </div>
      </AccordionDetails>
    </Accordion>
  );
}

/** What the rung is for, must provide and must never be (its boundary in the ladder config). */
function BoundaryFacts({ boundary }: { boundary: NonNullable<RungView['rung']['boundary']> }) {
  const rows: Array<[string, string[]]> = [
    ['Use for', boundary.useFor],
    ['Must provide', boundary.mustProvide],
    ['Must not be', boundary.mustNotBe],
  ];
  return (
    <>
      {rows
        .filter(([, items]) => items.length > 0)
        .map(([term, items]) => (
          <Fragment key={term}>
            <dt>{term}</dt>
            <dd>{items.join('; ')}</dd>
          </Fragment>
        ))}
    </>
  );
}

/** What the proof list says when it is empty: a rung without proof checks proves nothing. */
function proofEmptyText(rung: RungView['rung']): string {
  if (rung.proofChecks.length > 0) {
    return `Not evaluated yet (${rung.proofChecks.map(p => p.title ?? p.id).join(', ')}).`;
  }
  if (rung.proofOptional) {
    return 'Unverified: this rung has no proof checks; the rung above accepts it anyway (proofOptional).';
  }
  return 'Unverified: this rung has no proof checks, so nothing proves what runs here and the rung above will not accept it. Add proofChecks to the rung, or mark it proofOptional.';
}
