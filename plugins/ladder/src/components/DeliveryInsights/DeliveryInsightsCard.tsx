import { useCallback, useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  DeliveryInsights,
  InsightsGroup,
} from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { formatDuration } from '../../format/duration';
import { shortEntityRef } from '../../format/shortRef';
import { ErrorAlert } from '../ErrorAlert';
import { insightsCsv } from './insightsCsv';

const useStyles = makeStyles(theme => ({
  tiles: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(170px, 1fr))',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  tile: {
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(1.5),
  },
  bars: { margin: theme.spacing(1, 0, 2), padding: 0, listStyle: 'none' },
  bar: {
    display: 'grid',
    gridTemplateColumns: '160px 1fr 90px',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginBottom: 4,
  },
  track: {
    background: theme.palette.action.hover,
    height: 14,
    borderRadius: 3,
  },
  fill: {
    background: theme.palette.primary.main,
    height: 14,
    borderRadius: 3,
    minWidth: 2,
  },
  controls: {
    display: 'flex',
    gap: theme.spacing(2),
    alignItems: 'center',
    marginBottom: theme.spacing(2),
  },
  table: {
    borderCollapse: 'collapse',
    width: '100%',
    '& th, & td': {
      textAlign: 'left',
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.palette.divider}`,
    },
  },
}));

const WINDOWS = [7, 30, 90, 365];

const percent = (rate: number | null) =>
  rate === null ? '—' : `${Math.round(rate * 100)}%`;

function Tile(props: { label: string; value: string; detail: string }) {
  const classes = useStyles();
  return (
    <div className={classes.tile} role="group" aria-label={props.label}>
      <Typography variant="overline" color="textSecondary">
        {props.label}
      </Typography>
      <Typography variant="h5">{props.value}</Typography>
      <Typography variant="caption" color="textSecondary">
        {props.detail}
      </Typography>
    </div>
  );
}

/** Horizontal bars: one per row, widths relative to the largest value. */
function Bars(props: {
  title: string;
  rows: Array<{ label: string; value: number; text: string }>;
}) {
  const classes = useStyles();
  const max = Math.max(1, ...props.rows.map(r => r.value));
  return (
    <figure style={{ margin: 0 }}>
      <Typography variant="subtitle2" component="figcaption">
        {props.title}
      </Typography>
      <ul className={classes.bars}>
        {props.rows.map(r => (
          <li
            key={r.label}
            className={classes.bar}
            aria-label={`${r.label}: ${r.text}`}
          >
            <Typography variant="body2" noWrap title={r.label}>
              {r.label}
            </Typography>
            <div className={classes.track}>
              <div
                className={classes.fill}
                style={{ width: `${(r.value / max) * 100}%` }}
              />
            </div>
            <Typography variant="body2">{r.text}</Typography>
          </li>
        ))}
      </ul>
    </figure>
  );
}

function Figures(props: { group: InsightsGroup; days: number }) {
  const { group: g, days } = props;
  const classes = useStyles();
  const deploys = g.deployments.reduce((n, d) => n + d.count, 0);
  return (
    <>
      <div className={classes.tiles}>
        <Tile
          label="Lead time to the top rung"
          value={formatDuration(g.leadTime.medianSeconds)}
          detail={
            g.leadTime.count
              ? `median of ${g.leadTime.count}; p90 ${formatDuration(
                  g.leadTime.p90Seconds,
                )}`
              : `nothing reached the top rung in ${days} days`
          }
        />
        <Tile
          label="Deployments"
          value={String(deploys)}
          detail={`placements in ${days} days (enrolments not counted)`}
        />
        <Tile
          label="Change failure rate"
          value={percent(g.changeFailureRate)}
          detail={
            g.changes
              ? `${g.failures} failed or rolled back of ${g.changes} changes`
              : 'no change in this window'
          }
        />
        <Tile
          label="Time to restore"
          value={formatDuration(g.timeToRestore.medianSeconds)}
          detail={`median of ${g.timeToRestore.count}${
            g.timeToRestore.open
              ? `; ${g.timeToRestore.open} not restored yet`
              : ''
          }`}
        />
        <Tile
          label="Waiting for approval"
          value={formatDuration(g.approvalWait.medianSeconds)}
          detail={
            g.approvalWait.count
              ? `median of ${g.approvalWait.count}; p90 ${formatDuration(
                  g.approvalWait.p90Seconds,
                )}`
              : 'no approval decided in this window'
          }
        />
      </div>
      {g.deployments.length ? (
        <Bars
          title="Deployments per rung"
          rows={g.deployments.map(d => ({
            label: d.rungId,
            value: d.count,
            text: `${d.count} (${d.perWeek}/week)`,
          }))}
        />
      ) : null}
    </>
  );
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(
    new Blob([text], { type: 'text/csv;charset=utf-8' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/**
 * Delivery insights from the ladder's audit trail: of one entity (`entityRef`), or, on the
 * overview, of every service the user may see with a row per team and per service.
 */
export function DeliveryInsightsCard(props: {
  entityRef?: string;
  owner?: string;
}) {
  const { entityRef, owner } = props;
  const api = useApi(ladderApiRef);
  const classes = useStyles();
  const [days, setDays] = useState(30);
  const [value, setValue] = useState<DeliveryInsights>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);

  const load = useCallback(async () => {
    setLoading(true);
    setError(undefined);
    try {
      setValue(
        await api.getInsights({
          days,
          ...(entityRef ? { entityRef } : {}),
          ...(owner ? { owner } : {}),
        }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, [api, days, entityRef, owner]);
  useEffect(() => {
    load();
  }, [load]);

  let rows: InsightsGroup[] = [];
  if (value)
    rows = entityRef ? value.entities : [...value.teams, ...value.entities];
  return (
    <InfoCard
      title="Delivery insights"
      subheader="From the ladder's audit trail: what was placed, failed, rolled back and approved."
    >
      <div className={classes.controls}>
        <TextField
          select
          size="small"
          variant="outlined"
          label="Window"
          value={days}
          onChange={e => setDays(Number(e.target.value))}
          inputProps={{ 'aria-label': 'Window' }}
        >
          {WINDOWS.map(d => (
            <MenuItem key={d} value={d}>
              last {d} days
            </MenuItem>
          ))}
        </TextField>
        <Button
          variant="outlined"
          size="small"
          disabled={!value || rows.length === 0}
          onClick={() =>
            value &&
            download(`delivery-insights-${days}d.csv`, insightsCsv(rows))
          }
        >
          Export CSV
        </Button>
      </div>
      {error ? (
        <ErrorAlert
          title="Could not load the delivery insights"
          error={error}
          onRetry={load}
        />
      ) : null}
      {loading ? <Progress /> : null}
      {value && !loading ? (
        <>
          <Figures
            group={entityRef ? value.entities[0] ?? value.totals : value.totals}
            days={value.days}
          />
          {!entityRef && value.teams.length ? (
            <>
              <Bars
                title="Lead time to the top rung, median per team"
                rows={value.teams.map(t => ({
                  label: shortEntityRef(t.key),
                  value: t.leadTime.medianSeconds ?? 0,
                  text: formatDuration(t.leadTime.medianSeconds),
                }))}
              />
              <table
                className={classes.table}
                aria-label="Delivery insights per team"
              >
                <thead>
                  <tr>
                    <th>Team</th>
                    <th>Lead time</th>
                    <th>Deployments</th>
                    <th>Change failure rate</th>
                    <th>Time to restore</th>
                    <th>Approval wait</th>
                  </tr>
                </thead>
                <tbody>
                  {value.teams.map(t => (
                    <tr key={t.key}>
                      <td>{shortEntityRef(t.key)}</td>
                      <td>{formatDuration(t.leadTime.medianSeconds)}</td>
                      <td>{t.deployments.reduce((n, d) => n + d.count, 0)}</td>
                      <td>{percent(t.changeFailureRate)}</td>
                      <td>{formatDuration(t.timeToRestore.medianSeconds)}</td>
                      <td>{formatDuration(t.approvalWait.medianSeconds)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
          {!entityRef && value.entities.length === 0 ? (
            <Typography variant="body2" color="textSecondary">
              Nothing was placed in the last {value.days} days on a service you
              can see.
            </Typography>
          ) : null}
        </>
      ) : null}
    </InfoCard>
  );
}
