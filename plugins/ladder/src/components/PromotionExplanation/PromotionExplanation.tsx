import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import type { Promotion } from '@khal/plugin-ladder-common';
import { shortEntityRef, shortRef } from '../../format/shortRef';

const useStyles = makeStyles(theme => ({
  text: { whiteSpace: 'pre-wrap', marginBottom: theme.spacing(1) },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.25),
    margin: 0,
    '& dt': { fontWeight: 500 },
    '& dd': { margin: 0 },
  },
}));

const names = (list: string[], none: string) =>
  list.length ? list.join(', ') : none;

export interface PromotionExplanationProps {
  promotion: Promotion;
  /** A rung's title by id. */
  rungTitle: (rungId: string) => string;
}

/**
 * The explanation of a promotion onto a customer rung, shown to approvers before anything else:
 * the requester's words, the customer, the settings supplied there (names only), the change
 * compared with the rung below and who can approve next.
 */
export function PromotionExplanation(props: PromotionExplanationProps) {
  const { promotion, rungTitle } = props;
  const classes = useStyles();
  const detail = promotion.explanationDetail;
  if (!promotion.explanation && !detail) return null;
  const text = detail?.text ?? promotion.explanation;
  const from = detail?.changes.from;
  return (
    <Alert
      severity="info"
      icon={false}
      role="region"
      aria-label="Explanation for the customer"
    >
      <AlertTitle>
        Explanation{detail?.customer ? ` for ${detail.customer}` : ''}
      </AlertTitle>
      <Typography variant="body2" className={classes.text}>
        {text}
      </Typography>
      {detail ? (
        <dl className={classes.facts}>
          <dt>Customer</dt>
          <dd>
            {detail.customer ?? 'not named'}
            {detail.contacts.length
              ? ` (contacts: ${detail.contacts.join(', ')})`
              : ''}
          </dd>
          <dt>Settings supplied</dt>
          <dd>
            {detail.settingsSupplied === null
              ? 'unknown: nothing has observed the settings on this rung yet'
              : names(detail.settingsSupplied, 'none')}
          </dd>
          {detail.settingsMissing.length ? (
            <>
              <dt>Settings missing</dt>
              <dd>{detail.settingsMissing.join(', ')}</dd>
            </>
          ) : null}
          <dt>Change</dt>
          <dd>
            {from?.ref
              ? `from ${from.rung ? `${rungTitle(from.rung)} ` : ''}${shortRef(
                  from.ref,
                )}`
              : 'first placement (nothing below to compare with)'}{' '}
            to {shortRef(detail.changes.to)}
            {detail.changes.commits === null
              ? ''
              : `, ${detail.changes.commits} commit${
                  detail.changes.commits === 1 ? '' : 's'
                }`}
            {detail.changes.settingsAdded.length
              ? `; settings added: ${detail.changes.settingsAdded.join(', ')}`
              : ''}
            {detail.changes.settingsRemoved.length
              ? `; removed: ${detail.changes.settingsRemoved.join(', ')}`
              : ''}
            {detail.changes.newlyRequired.length
              ? `; newly required: ${detail.changes.newlyRequired.join(', ')}`
              : ''}
          </dd>
          <dt>Can approve next</dt>
          <dd>
            {names(
              detail.approvers.map(shortEntityRef),
              'nobody found in the approver groups',
            )}
          </dd>
        </dl>
      ) : null}
    </Alert>
  );
}
