import { useCallback, useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ladderEntityChannel, type AuditEvent } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import { formatAge, formatTime } from '../../format/age';
import { shortEntityRef } from '../../format/shortRef';
import { useLadderSignal } from '../../hooks/useLadderSignal';
import { promotionLabel, promotionTone } from '../../status/promotionStatus';
import { ToneChip } from '../ToneChip';
import { ErrorAlert } from '../ErrorAlert';

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', margin: 0, padding: 0 },
  item: {
    borderLeft: `2px solid ${theme.palette.divider}`,
    padding: theme.spacing(0.5, 0, 1.5, 2),
    position: 'relative',
  },
}));

const PAGE = 50;

function describe(e: AuditEvent): string {
  const action = e.action.replace(/[._]/g, ' ');
  if (e.fromPhase || e.toPhase) {
    const from = e.fromPhase ? promotionLabel(e.fromPhase) : 'new';
    const to = e.toPhase ? promotionLabel(e.toPhase) : '—';
    return `${action}: ${from} → ${to}`;
  }
  return action;
}

/** The entity's audit trail, newest first, updated live. */
export function AuditTimeline(props: { entityRef: string }) {
  const { entityRef } = props;
  const api = useApi(ladderApiRef);
  const classes = useStyles();
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const page = await api.getAudit({ entityRef, limit: PAGE, cursor: after });
        setItems(prev => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (e) {
        setError(e);
      } finally {
        setLoading(false);
      }
    },
    [api, entityRef],
  );
  useEffect(() => {
    load();
  }, [load]);
  useLadderSignal(ladderEntityChannel(entityRef), () => load());

  return (
    <InfoCard title="Audit trail">
      {error ? (
        <ErrorAlert title="Could not load the audit trail" error={error} onRetry={() => load()} />
      ) : null}
      {!error && !loading && items.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          Nothing has happened on this entity's ladder yet. Requests, approvals and evidence
          will be listed here.
        </Typography>
      ) : null}
      <ol className={classes.list} aria-label="Audit trail">
        {items.map(e => (
          <li key={e.id} className={classes.item}>
            <Typography variant="body2">{describe(e)}</Typography>
            {/* Time ran out: say why here, since an expired promotion is no longer shown as open. */}
            {e.toPhase === 'Expired' && typeof e.detail.message === 'string' ? (
              <Typography variant="body2" component="div" data-testid="audit-expired">
                <ToneChip tone={promotionTone('Expired')} label={promotionLabel('Expired')} /> {e.detail.message}
              </Typography>
            ) : null}
            <Typography variant="caption" color="textSecondary">
              by {shortEntityRef(e.actor)} ·{' '}
              <time dateTime={e.createdAt} title={formatTime(e.createdAt)}>
                {formatAge(e.createdAt)}
              </time>
              {e.promotionId ? ` · promotion ${e.promotionId}` : ''}
            </Typography>
          </li>
        ))}
      </ol>
      {loading ? <Progress /> : null}
      {cursor && !loading ? (
        <Button onClick={() => load(cursor)}>Load older events</Button>
      ) : null}
    </InfoCard>
  );
}
