import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import type { LadderSummary } from '@khal/plugin-ladder-common';
import type { OverviewFilters } from '../../hooks/useOverviewPages';

const useStyles = makeStyles(theme => ({
  bar: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(2), marginBottom: theme.spacing(2) },
  field: { minWidth: 200 },
}));

export interface OverviewFilterBarProps {
  value: OverviewFilters;
  ladders: LadderSummary[];
  onChange: (value: OverviewFilters) => void;
}

/** Filters of the overview matrix: ladder, owner, system and free text. */
export function OverviewFilterBar(props: OverviewFilterBarProps) {
  const { value, ladders, onChange } = props;
  const classes = useStyles();
  const set = (key: keyof OverviewFilters) => (e: { target: { value: string } }) =>
    onChange({ ...value, [key]: e.target.value });
  return (
    <form className={classes.bar} role="search" aria-label="Filter services" onSubmit={e => e.preventDefault()}>
      <TextField
        select
        className={classes.field}
        id="overview-filter-ladder"
        label="Ladder"
        value={value.ladder}
        onChange={set('ladder')}
        variant="outlined"
        size="small"
      >
        <MenuItem value="">All ladders</MenuItem>
        {ladders.map(l => (
          <MenuItem key={l.id} value={l.id}>
            {l.title}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        className={classes.field}
        id="overview-filter-owner"
        label="Owner"
        placeholder="group:default/team-orders"
        value={value.owner}
        onChange={set('owner')}
        variant="outlined"
        size="small"
      />
      <TextField
        className={classes.field}
        id="overview-filter-system"
        label="System"
        placeholder="system:default/commerce"
        value={value.system}
        onChange={set('system')}
        variant="outlined"
        size="small"
      />
      <TextField
        className={classes.field}
        id="overview-filter-q"
        label="Search services"
        type="search"
        value={value.q}
        onChange={set('q')}
        variant="outlined"
        size="small"
      />
    </form>
  );
}
