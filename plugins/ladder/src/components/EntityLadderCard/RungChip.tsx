import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  rungStatusLabel,
  rungStatusTone,
  type RungView,
  type StatusTone,
} from '@khal/plugin-ladder-common';
import { formatAge } from '../../format/age';
import { shortRef } from '../../format/shortRef';
import { ToneChip, toneColors } from '../ToneChip';

const useStyles = makeStyles(theme => ({
  root: ({ tone, drifted }: { tone: StatusTone; drifted: boolean }) => ({
    listStyle: 'none',
    minWidth: 128,
    padding: theme.spacing(1),
    border: `1px solid ${theme.palette.divider}`,
    // The border repeats the chip's colour, so the row reads at a glance; drift, the one status
    // people must not miss, is dashed and tinted as on the overview.
    borderLeft: `4px ${drifted ? 'dashed' : 'solid'} ${toneColors(theme, tone).main}`,
    background: drifted ? `${theme.palette.warning.light}33` : undefined,
    borderRadius: theme.shape.borderRadius,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: theme.spacing(0.5),
  }),
  title: { fontWeight: 600 },
  ref: { fontFamily: 'monospace' },
}));

/** "runs 1234567, ladder expects 9f8e7d6, since 2 hours ago". */
export function driftText(drift: NonNullable<RungView['drift']>): string {
  return `runs ${shortRef(drift.running) || 'an unknown ref'}, ladder expects ${
    shortRef(drift.expected) || 'nothing'
  }, since ${formatAge(drift.since) || drift.since}`;
}

export interface RungChipProps {
  view: RungView;
}

/** One rung of an entity's ladder: its title, the ref on it, its status and how long it is there. */
export function RungChip(props: RungChipProps) {
  const { view } = props;
  const tone = rungStatusTone(view.status);
  const drift = view.status === 'drifted' ? view.drift : undefined;
  const classes = useStyles({ tone, drifted: view.status === 'drifted' });
  const label = rungStatusLabel(view.status);
  const ref = shortRef(view.placement?.ref);
  const age = formatAge(view.placement?.placedAt);
  const described = [
    view.rung.title,
    label,
    ref ? `ref ${ref}` : 'nothing placed',
    age ? `placed ${age}` : '',
    drift ? driftText(drift) : '',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <li
      className={classes.root}
      aria-label={described}
      title={view.statusReason}
      data-testid={`rung-${view.rung.id}`}
    >
      <Typography variant="body2" className={classes.title}>
        {view.rung.title}
      </Typography>
      <Typography variant="caption" className={classes.ref}>
        {ref || '—'}
      </Typography>
      <ToneChip tone={tone} label={drift ? `⚠ ${label}` : label} title={view.statusReason} />
      {drift ? (
        <Typography variant="caption" data-testid={`rung-${view.rung.id}-drift`}>
          {driftText(drift)}
        </Typography>
      ) : null}
      {age ? (
        <Typography variant="caption" color="textSecondary">
          {age}
        </Typography>
      ) : null}
    </li>
  );
}
