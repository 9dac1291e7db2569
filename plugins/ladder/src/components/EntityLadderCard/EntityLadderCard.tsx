import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { InfoCard, Link, Progress } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { LADDER_ANNOTATION } from '@khal/plugin-ladder-common';
import { errorMessage, errorStatus } from '../../api/errorMessage';
import { useEntityLadder } from '../../hooks/useEntityLadder';
import { useEntityLadderLink } from '../../hooks/useEntityLadderLink';
import { ErrorAlert } from '../ErrorAlert';
import { LadderEmptyState } from '../LadderEmptyState';
import { LinePauseBanner } from '../ReleasePolicy';
import { RungRow } from './RungRow';

const useStyles = makeStyles(theme => ({
  next: { marginTop: theme.spacing(2) },
  link: { marginTop: theme.spacing(1) },
}));

/**
 * The entity's ladder at a glance, for the overview tab: the rungs in order (ref, status, age),
 * where the entity stands and its next step, and a link to the Ladder tab.
 */
export function EntityLadderCard() {
  const { entity } = useEntity();
  const enrolled = Boolean(entity.metadata.annotations?.[LADDER_ANNOTATION]);
  return (
    <section aria-label="Ladder" data-testid="ladder-card">
      {enrolled ? (
        <EnrolledLadderCard entityRef={stringifyEntityRef(entity)} />
      ) : (
        <InfoCard title="Ladder">
          <LadderEmptyState />
        </InfoCard>
      )}
    </section>
  );
}

function EnrolledLadderCard(props: { entityRef: string }) {
  const { entityRef } = props;
  const classes = useStyles();
  const { value, loading, error, retry } = useEntityLadder(entityRef);
  const ladderLink = useEntityLadderLink();

  if (!value && loading) {
    return (
      <InfoCard title="Ladder">
        <Progress />
      </InfoCard>
    );
  }
  if (error && errorStatus(error) === 404) {
    return (
      <InfoCard title="Ladder">
        <LadderEmptyState reason={errorMessage(error)} />
      </InfoCard>
    );
  }
  if (error || !value) {
    return (
      <InfoCard title="Ladder">
        <ErrorAlert
          title="Could not load the ladder of this entity"
          error={error}
          hint="Check that the ladder backend is running, then try again."
          onRetry={retry}
        />
      </InfoCard>
    );
  }
  return (
    <InfoCard title="Ladder" subheader={value.ladder.title}>
      <LinePauseBanner
        pauses={value.pauses ?? []}
        rungTitle={id => value.rungs.find(r => r.rung.id === id)?.rung.title ?? id}
      />
      <RungRow rungs={value.rungs} />
      <Typography variant="body2" className={classes.next} data-testid="ladder-next-step">
        {value.next.summary}
      </Typography>
      <div className={classes.link}>
        <Link to={ladderLink(entityRef)}>Open the Ladder tab</Link>
      </div>
    </InfoCard>
  );
}
