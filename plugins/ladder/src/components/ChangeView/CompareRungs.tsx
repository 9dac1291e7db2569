import { useState } from 'react';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { InfoCard } from '@backstage/core-components';
import type { RungView } from '@khal/plugin-ladder-common';
import { shortRef } from '../../format/shortRef';
import { ChangeView } from './ChangeView';

const useStyles = makeStyles(theme => ({
  controls: {
    display: 'flex',
    gap: theme.spacing(2),
    alignItems: 'center',
    flexWrap: 'wrap',
  },
  select: { minWidth: 220 },
  result: { marginTop: theme.spacing(2) },
}));

/**
 * The default pair: the highest placed rung (the older ref, usually) against the placed rung
 * below it — "what would come up next".
 */
function defaultPair(rungs: RungView[]): { from: string; to: string } {
  const placed = rungs.filter(r => r.placement);
  if (placed.length === 0) return { from: '', to: '' };
  if (placed.length === 1)
    return { from: placed[0].rung.id, to: placed[0].rung.id };
  return {
    from: placed[placed.length - 1].rung.id,
    to: placed[placed.length - 2].rung.id,
  };
}

export interface CompareRungsProps {
  entityRef: string;
  rungs: RungView[];
}

/** Compare any two rungs of an entity: pick them, then see the change view between their refs. */
export function CompareRungs(props: CompareRungsProps) {
  const { entityRef, rungs } = props;
  const classes = useStyles();
  const [pair, setPair] = useState(() => defaultPair(rungs));
  const [shown, setShown] = useState<
    { from: string; to: string } | undefined
  >();
  const titleOf = (id: string) =>
    rungs.find(r => r.rung.id === id)?.rung.title ?? id;
  const option = (r: RungView) => (
    <MenuItem key={r.rung.id} value={r.rung.id}>
      {r.rung.title} —{' '}
      {r.placement ? shortRef(r.placement.ref) : 'nothing placed'}
    </MenuItem>
  );
  const toPlaced = Boolean(rungs.find(r => r.rung.id === pair.to)?.placement);
  return (
    <InfoCard
      title="Compare rungs"
      subheader="What the newer side brings: commits, manifest changes, settings it needs"
    >
      <div className={classes.controls}>
        <TextField
          select
          id="compare-from"
          label="From (older)"
          value={pair.from}
          onChange={e => setPair(p => ({ ...p, from: e.target.value }))}
          className={classes.select}
        >
          {rungs.map(option)}
        </TextField>
        <TextField
          select
          id="compare-to"
          label="To (newer)"
          value={pair.to}
          onChange={e => setPair(p => ({ ...p, to: e.target.value }))}
          className={classes.select}
          helperText={
            pair.to && !toPlaced
              ? 'nothing is placed here to compare'
              : undefined
          }
          error={Boolean(pair.to) && !toPlaced}
        >
          {rungs.map(option)}
        </TextField>
        <Button
          variant="outlined"
          color="primary"
          disabled={!pair.from || !pair.to || !toPlaced}
          onClick={() => setShown(pair)}
        >
          Compare
        </Button>
      </div>
      {rungs.every(r => !r.placement) ? (
        <Typography
          variant="body2"
          color="textSecondary"
          className={classes.result}
        >
          Nothing is placed on any rung yet, so there is nothing to compare.
        </Typography>
      ) : null}
      {shown ? (
        <div className={classes.result}>
          <ChangeView
            source={{ entityRef, from: shown.from, to: shown.to }}
            rungTitle={titleOf}
          />
        </div>
      ) : null}
    </InfoCard>
  );
}
