import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { Evidence, Promotion } from '@khal/plugin-ladder-common';
import useAsync from 'react-use/esm/useAsync';
import { ladderApiRef } from '../../api';
import { formatAge } from '../../format/age';
import { shortEntityRef, shortRef } from '../../format/shortRef';
import type { LadderPermissionDecisions, SignedInUser } from '../../promotions/actionAvailability';
import { promotionLabel, promotionTone } from '../../status/promotionStatus';
import { ChangeView } from '../ChangeView';
import { DeployPlanView, PlanProblem } from '../DeployPlan';
import { GateChecklist } from '../GateChecklist';
import { PromotionActions } from '../PromotionActions';
import { PromotionExplanation } from '../PromotionExplanation';
import { ToneChip } from '../ToneChip';
import type { WhomToAskProps } from '../WhomToAsk/WhomToAsk';
import { BreakGlassMark } from '../BreakGlass';
import { ApprovalsSummary } from './ApprovalsSummary';

const useStyles = makeStyles(theme => ({
  section: { marginTop: theme.spacing(2) },
  title: { display: 'flex', alignItems: 'center', gap: theme.spacing(1), flexWrap: 'wrap' },
}));

export interface OpenPromotionPanelProps {
  promotion: Promotion;
  toRungTitle: string;
  /** The rung the promotion goes to (whom to ask when a gate blocks). */
  toRung?: WhomToAskProps['rung'];
  /** A rung's title by id. */
  rungTitle: (rungId: string) => string;
  evidence: ReadonlyMap<string, Evidence>;
  user: SignedInUser | undefined;
  permissions: LadderPermissionDecisions;
  onChanged: () => void;
}

/** An open promotion: its gates, its approvals, its deploy plan and what can be done about it. */
export function OpenPromotionPanel(props: OpenPromotionPanelProps) {
  const { promotion, toRungTitle, toRung, rungTitle, evidence, user, permissions, onChanged } = props;
  const classes = useStyles();
  const api = useApi(ladderApiRef);
  const plan = useAsync(
    () => api.getPlan({ entityRef: promotion.entityRef, target: promotion.toRung, ref: promotion.ref }),
    [api, promotion.entityRef, promotion.toRung, promotion.ref],
  );
  const noun = promotion.kind === 'rollback' ? 'Rollback' : 'Promotion';
  return (
    <InfoCard
      title={
        <span className={classes.title}>
          {noun} of {shortRef(promotion.ref)} to {toRungTitle}
          <ToneChip tone={promotionTone(promotion.phase)} label={promotionLabel(promotion.phase)} size="medium" />
        </span>
      }
      subheader={`Requested by ${shortEntityRef(promotion.requestedBy)} ${formatAge(promotion.createdAt)}`}
    >
      <section aria-label={`${noun} ${promotion.id}`}>
        {/* Approvers of a customer rung read the explanation before anything else. */}
        <PromotionExplanation promotion={promotion} rungTitle={rungTitle} />
        <BreakGlassMark promotion={promotion} user={user} permissions={permissions} onChanged={onChanged} />
        {promotion.phaseMessage ? <Typography variant="body1">{promotion.phaseMessage}</Typography> : null}
        {promotion.reason ? <Typography variant="body2">Reason: {promotion.reason}</Typography> : null}
        <div className={classes.section}>
          <Typography variant="h6" component="h3">
            Gates
          </Typography>
          <GateChecklist
            results={promotion.gates}
            evidence={evidence}
            label={`Gates of the ${noun.toLocaleLowerCase('en-US')} to ${toRungTitle}`}
            emptyText="The gates have not been evaluated yet."
            rung={toRung}
          />
        </div>
        <div className={classes.section}>
          <Typography variant="h6" component="h3">
            Approvals
          </Typography>
          <ApprovalsSummary promotion={promotion} />
        </div>
        <div className={classes.section}>
          <Typography variant="h6" component="h3">
            Changes
          </Typography>
          <ChangeView source={{ promotionId: promotion.id }} rungTitle={rungTitle} />
        </div>
        <div className={classes.section}>
          <Typography variant="h6" component="h3">
            Deploy plan
          </Typography>
          {plan.loading ? <Progress /> : null}
          {plan.error ? <PlanProblem error={plan.error} /> : null}
          {plan.value ? <DeployPlanView plan={plan.value} /> : null}
        </div>
        <div className={classes.section}>
          <PromotionActions
            promotion={promotion}
            user={user}
            permissions={permissions}
            toRungTitle={toRungTitle}
            onChanged={onChanged}
          />
        </div>
      </section>
    </InfoCard>
  );
}
