import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { CopyTextButton } from '@backstage/core-components';

const useStyles = makeStyles(theme => ({
  list: { margin: 0, padding: 0 },
  row: {
    listStyle: 'none',
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(0.5),
  },
  name: { minWidth: 72, fontWeight: 500 },
  code: {
    flex: 1,
    fontFamily: 'monospace',
    fontSize: '0.85em',
    padding: theme.spacing(0.5, 1),
    background: theme.palette.background.default,
    borderRadius: theme.shape.borderRadius,
    overflowX: 'auto',
    whiteSpace: 'pre',
  },
}));

// The order people use them in after a deploy.
const order = ['deploy', 'status', 'logs', 'open', 'evidence', 'rollback'];

/** Follow-up commands (logs, status, open, rollback, evidence), each with a copy button. */
export function CommandList(props: { commands: Record<string, string>; label: string }) {
  const classes = useStyles();
  const names = Object.keys(props.commands).sort(
    (a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99),
  );
  if (names.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No commands are configured for this rung (set <code>commands</code> on the rung in the
        ladder configuration).
      </Typography>
    );
  }
  return (
    <ul className={classes.list} aria-label={props.label}>
      {names.map(name => (
        <li key={name} className={classes.row}>
          <span className={classes.name}>{name}</span>
          <code className={classes.code}>{props.commands[name]}</code>
          <CopyTextButton
            text={props.commands[name]}
            aria-label={`Copy the ${name} command`}
            tooltipText="Copied"
          />
        </li>
      ))}
    </ul>
  );
}
