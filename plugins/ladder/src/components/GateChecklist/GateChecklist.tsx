import Link from '@material-ui/core/Link';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { gateStatusTone, type Evidence, type GateResult } from '@khal/plugin-ladder-common';
import { formatAge } from '../../format/age';
import { ToneChip } from '../ToneChip';
import { WhomToAsk, type WhomToAskProps } from '../WhomToAsk/WhomToAsk';

const useStyles = makeStyles(theme => ({
  item: { display: 'flex', alignItems: 'flex-start', gap: theme.spacing(1.5), paddingLeft: 0 },
  status: { minWidth: 72, paddingTop: 2 },
  fix: { marginTop: theme.spacing(0.5) },
  evidence: { marginTop: theme.spacing(0.5), fontSize: theme.typography.caption.fontSize },
}));

const statusLabel: Record<GateResult['status'], string> = {
  passed: 'Passed',
  failed: 'Failed',
  pending: 'Pending',
  error: 'Error',
};

export interface GateChecklistProps {
  /** Gate or proof-check results, in the order the backend evaluated them. */
  results: GateResult[];
  /** What the list is, for screen readers, e.g. "Gates of the promotion to Customer HML". */
  label: string;
  /** Evidence by id, to show what a result rests on. */
  evidence?: ReadonlyMap<string, Evidence>;
  emptyText?: string;
  /** The rung the checks are for: a blocked list ends with who can unblock it and how to ask. */
  rung?: WhomToAskProps['rung'];
}

/** Gates or proof checks: passed, failed or pending, each failure with how to fix it. */
export function GateChecklist(props: GateChecklistProps) {
  const { results, label, evidence, rung, emptyText = 'No checks are configured.' } = props;
  const classes = useStyles();
  if (results.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {emptyText}
      </Typography>
    );
  }
  const blocked = results.some(r => r.status === 'failed' || r.status === 'error' || r.status === 'pending');
  return (
    <>
    <List dense aria-label={label} disablePadding>
      {results.map(result => (
        <ListItem key={result.gateId} className={classes.item} disableGutters>
          <span className={classes.status}>
            <ToneChip tone={gateStatusTone(result.status)} label={statusLabel[result.status]} />
          </span>
          <div>
            <Typography variant="body2">
              <strong>{result.title}</strong> — {result.summary}
            </Typography>
            {result.howToFix && result.status !== 'passed' ? (
              <Typography variant="body2" className={classes.fix}>
                How to fix: {result.howToFix}
              </Typography>
            ) : null}
            {result.evidenceIds?.length ? (
              <div className={classes.evidence}>
                Evidence:{' '}
                {result.evidenceIds.map((id, i) => {
                  const item = evidence?.get(id);
                  const text = item ? `${item.kind}: ${item.summary}` : id;
                  return (
                    <span key={id}>
                      {i > 0 ? '; ' : ''}
                      {item?.url ? (
                        <Link href={item.url} target="_blank" rel="noopener noreferrer">
                          {text}
                        </Link>
                      ) : (
                        <span title={item ? `sha256 ${item.digest}` : undefined}>{text}</span>
                      )}
                    </span>
                  );
                })}
              </div>
            ) : null}
            <Typography variant="caption" color="textSecondary">
              checked {formatAge(result.checkedAt)}
            </Typography>
          </div>
        </ListItem>
      ))}
    </List>
    {blocked && rung ? <WhomToAsk rung={rung} /> : null}
    </>
  );
}
