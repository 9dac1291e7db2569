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
  root: ({ tone }: { tone: StatusTone }) => ({
    listStyle: 'none',
    minWidth: 128,
    padding: theme.spacing(1),
    border: `1px solid ${theme.palette.divider}`,
    // The border repeats the chip's colour, so the row reads at a glance.
    borderLeft: `4px solid ${toneColors(theme, tone).main}`,
    borderRadius: theme.shape.borderRadius,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: theme.spacing(0.5),
  }),
  title: { fontWeight: 600 },
  ref: { fontFamily: 'monospace' },
}));

export interface RungChipProps {
  view: RungView;
}

/** One rung of an entity's ladder: its title, the ref on it, its status and how long it is there. */
export function RungChip(props: RungChipProps) {
  const { view } = props;
  const tone = rungStatusTone(view.status);
  const classes = useStyles({ tone });
  const label = rungStatusLabel(view.status);
  const ref = shortRef(view.placement?.ref);
  const age = formatAge(view.placement?.placedAt);
  const described = [
    view.rung.title,
    label,
    ref ? `ref ${ref}` : 'nothing placed',
    age ? `placed ${age}` : '',
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
      <ToneChip tone={tone} label={label} title={view.statusReason} />
      {age ? (
        <Typography variant="caption" color="textSecondary">
          {age}
        </Typography>
      ) : null}
    </li>
  );
}
