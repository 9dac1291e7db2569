import { Link } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  rungStatusLabel,
  rungStatusTone,
  type OverviewCell as OverviewCellData,
  type StatusTone,
} from '@khal/plugin-ladder-common';
import { formatAge } from '../../format/age';
import { shortRef } from '../../format/shortRef';
import { promotionLabel } from '../../status/promotionStatus';
import { toneColors } from '../ToneChip';

const useStyles = makeStyles(theme => ({
  cell: ({ tone, drifted }: { tone: StatusTone; drifted: boolean }) => ({
    display: 'block',
    padding: theme.spacing(0.5, 1),
    borderLeft: `4px ${drifted ? 'dashed' : 'solid'} ${toneColors(theme, tone).main}`,
    // Drift is the one status people must not miss: it also gets a tinted background.
    background: drifted ? `${theme.palette.warning.light}33` : undefined,
    textDecoration: 'none',
    color: theme.palette.text.primary,
  }),
  ref: { fontFamily: 'monospace', fontSize: '0.9em' },
}));

export interface OverviewCellProps {
  cell: OverviewCellData | undefined;
  rungTitle: string;
  serviceTitle: string;
  href: string;
}

/** One service on one rung: the ref and its status, linking to the entity's Ladder tab. */
export function OverviewCell(props: OverviewCellProps) {
  const { cell, rungTitle, serviceTitle, href } = props;
  const status = cell?.status ?? 'empty';
  const tone = rungStatusTone(status);
  const classes = useStyles({ tone, drifted: status === 'drifted' });
  const label = rungStatusLabel(status);
  const ref = shortRef(cell?.ref);
  const open = cell?.openPromotion;
  const drift = status === 'drifted' ? cell?.drift : undefined;
  const driftLine = drift
    ? `runs ${shortRef(drift.running) || 'an unknown ref'}, expected ${shortRef(drift.expected) || 'nothing'}`
    : '';
  let tooltip: string | undefined;
  if (drift) tooltip = `drifted ${formatAge(drift.since)}: the cluster ${driftLine}`;
  else if (cell?.placedAt) tooltip = `placed ${formatAge(cell.placedAt)}`;
  const name = [
    `${serviceTitle} on ${rungTitle}`,
    label,
    ref ? `ref ${ref}` : '',
    driftLine,
    open ? `promotion of ${shortRef(open.ref)} ${promotionLabel(open.phase)}${open.breakGlass ? ' (break-glass)' : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <Link to={href} className={classes.cell} aria-label={name} data-status={status} title={tooltip}>
      <span className={classes.ref}>{ref || '—'}</span>
      <Typography variant="caption" component="div">
        {status === 'drifted' ? '⚠ ' : ''}
        {label}
        {drift ? ` ${formatAge(drift.since)}` : ''}
      </Typography>
      {drift ? (
        <Typography variant="caption" component="div" data-testid="overview-drift">
          {driftLine}
        </Typography>
      ) : null}
      {open ? (
        <Typography variant="caption" component="div" color="textSecondary">
          → {shortRef(open.ref)} {promotionLabel(open.phase)}
          {open.breakGlass ? <strong data-testid="overview-break-glass"> · break-glass</strong> : null}
        </Typography>
      ) : null}
    </Link>
  );
}
