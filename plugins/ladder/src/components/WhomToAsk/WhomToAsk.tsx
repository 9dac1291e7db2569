import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { unblockersText, whoCanUnblock, type RungSummary } from '@khal/plugin-ladder-common';

const useStyles = makeStyles(theme => ({
  root: { marginTop: theme.spacing(1) },
  command: { fontFamily: 'monospace' },
}));

export interface WhomToAskProps {
  rung: Pick<RungSummary, 'id' | 'title' | 'mutationPolicy' | 'approvers' | 'metadata'>;
}

/** Under a blocked gate: who can unblock the rung (from the ladder config) and how to ask. */
export function WhomToAsk({ rung }: WhomToAskProps) {
  const classes = useStyles();
  const who = whoCanUnblock(rung);
  const people = unblockersText(who, rung.title);
  return (
    <div className={classes.root} data-testid={`whom-to-ask-${rung.id}`}>
      <Typography variant="body2">
        {people
          ? `Who can unblock this: ${people}.`
          : `Who can unblock this: ${rung.title} names no contacts or approvers; ask the owners of the ladder configuration to add metadata.contacts.`}
      </Typography>
      <Typography variant="body2">
        Ask for help: <span className={classes.command}>{who.helpCommand}</span> prints a ready message
        (entity, rung, SHA, failing gates, evidence ids, plan digest).
      </Typography>
    </div>
  );
}
