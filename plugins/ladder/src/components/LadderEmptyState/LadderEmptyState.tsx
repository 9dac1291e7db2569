import Typography from '@material-ui/core/Typography';
import { CodeSnippet } from '@backstage/core-components';
import { LADDER_ANNOTATION } from '@khal/plugin-ladder-common';

export interface LadderEmptyStateProps {
  /** Why the entity has no ladder, e.g. the backend's own message. */
  reason?: string;
}

/** Shown when an entity is not on a ladder: says how to put it on one. */
export function LadderEmptyState(props: LadderEmptyStateProps) {
  return (
    <div data-testid="ladder-empty-state">
      <Typography variant="body1" gutterBottom>
        {props.reason ?? 'This entity is not on a ladder yet.'}
      </Typography>
      <Typography variant="body2" gutterBottom>
        To enroll it, add the <code>{LADDER_ANNOTATION}</code> annotation with a ladder id to its{' '}
        <code>catalog-info.yaml</code>:
      </Typography>
      <CodeSnippet
        language="yaml"
        text={`metadata:\n  annotations:\n    ${LADDER_ANNOTATION}: <ladder id>`}
        showCopyCodeButton
      />
      <Typography variant="body2">
        Apps created from a Khal software template are enrolled by the template; existing apps can
        be enrolled with the <code>khal</code> CLI.
      </Typography>
    </div>
  );
}
