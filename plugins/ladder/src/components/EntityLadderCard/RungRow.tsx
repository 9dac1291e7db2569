import { makeStyles } from '@material-ui/core/styles';
import type { RungView } from '@khal/plugin-ladder-common';
import { RungChip } from './RungChip';

const useStyles = makeStyles(theme => ({
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    margin: 0,
    padding: 0,
  },
}));

/** The rungs in ladder order, as a compact horizontal row. */
export function RungRow(props: { rungs: RungView[] }) {
  const classes = useStyles();
  return (
    <ol className={classes.row} aria-label="Rungs in order">
      {props.rungs.map(view => (
        <RungChip key={view.rung.id} view={view} />
      ))}
    </ol>
  );
}
