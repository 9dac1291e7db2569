import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { DeployPlan } from '@khal/plugin-ladder-common';
import { CommandList } from './CommandList';

const useStyles = makeStyles(theme => ({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: theme.spacing(0, 0, 2, 0),
    '& dt': { fontWeight: 500 },
    '& dd': { margin: 0 },
  },
  section: { marginTop: theme.spacing(1.5) },
}));

function suppliedText(supplied: boolean | null): string {
  if (supplied === null) return 'unknown for this target';
  return supplied ? 'supplied' : 'missing';
}

/** What a promotion would touch, resolved before it happens, with the follow-up commands. */
export function DeployPlanView(props: { plan: DeployPlan }) {
  const { plan } = props;
  const classes = useStyles();
  return (
    <div data-testid="deploy-plan">
      <dl className={classes.facts}>
        <dt>Target</dt>
        <dd>
          {plan.rung.title} ({plan.target})
        </dd>
        <dt>Host / control plane</dt>
        <dd>{plan.controlPlane ?? plan.host ?? 'not applicable'}</dd>
        <dt>Runtime</dt>
        <dd>
          {plan.runtime} — {plan.mechanism}
        </dd>
        <dt>Manifest</dt>
        <dd>
          {plan.manifest.name} @ {plan.manifest.ref}{' '}
          <Typography component="span" variant="caption" color="textSecondary">
            {plan.manifest.digest}
          </Typography>
        </dd>
        <dt>Mutation policy</dt>
        <dd>
          {plan.mutationPolicy.policy} — {plan.mutationPolicy.description}.{' '}
          {plan.mutationPolicy.allowedNow ? 'Allowed now' : 'Not allowed yet'}:{' '}
          {plan.mutationPolicy.reason}
        </dd>
      </dl>
      <Typography variant="subtitle2">Settings</Typography>
      {plan.settings.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          The manifest declares no settings.
        </Typography>
      ) : (
        <ul aria-label="Settings the target needs">
          {plan.settings.map(s => (
            <li key={s.name}>
              <Typography variant="body2">
                <code>{s.name}</code> — {s.required ? 'required' : 'optional'}
                {s.secret ? ', secret' : ''}, {suppliedText(s.supplied)}
              </Typography>
            </li>
          ))}
        </ul>
      )}
      <div className={classes.section}>
        <Typography variant="subtitle2">Follow-up commands</Typography>
        <CommandList commands={plan.commands} label={`Commands for ${plan.rung.title}`} />
      </div>
    </div>
  );
}
