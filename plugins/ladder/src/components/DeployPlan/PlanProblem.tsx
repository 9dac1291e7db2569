import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { PlanUnresolvedError } from '../../api/PlanUnresolvedError';
import { ErrorAlert } from '../ErrorAlert';

/** Why a deploy plan could not be made: each unresolved fact with what to configure. */
export function PlanProblem(props: { error: unknown }) {
  const { error } = props;
  if (PlanUnresolvedError.is(error)) {
    return (
      <Alert severity="warning" role="alert">
        <AlertTitle>The deploy plan cannot be resolved yet</AlertTitle>
        {error.message}
        {error.unresolved.length > 0 ? (
          <ul aria-label="Unresolved facts">
            {error.unresolved.map(f => (
              <li key={f.fact}>
                <strong>{f.fact}</strong>: {f.howToConfigure}
              </li>
            ))}
          </ul>
        ) : null}
      </Alert>
    );
  }
  return <ErrorAlert title="Could not make the deploy plan" error={error} />;
}
