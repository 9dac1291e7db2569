import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { InfoCard, Link } from '@backstage/core-components';
import type { Promotion } from '@khal/plugin-ladder-common';
import { formatAge } from '../../format/age';
import { shortEntityRef, shortRef } from '../../format/shortRef';
import { useEntityLadderLink } from '../../hooks/useEntityLadderLink';
import { useLadderPermissions } from '../../hooks/useLadderPermissions';
import type { SignedInUser } from '../../promotions/actionAvailability';
import { promotionLabel, promotionTone } from '../../status/promotionStatus';
import { BreakGlassMark } from '../BreakGlass';
import { ApprovalsSummary } from '../EntityLadderContent/ApprovalsSummary';
import { PromotionActions } from '../PromotionActions';
import { PromotionExplanation } from '../PromotionExplanation';
import { ToneChip } from '../ToneChip';

const useStyles = makeStyles(theme => ({
  title: { display: 'flex', alignItems: 'center', gap: theme.spacing(1), flexWrap: 'wrap' },
  gates: { margin: theme.spacing(1, 0) },
}));

export interface ApprovalInboxItemProps {
  promotion: Promotion;
  toRungTitle: string;
  /** A rung's title by id. */
  rungTitle: (rungId: string) => string;
  user: SignedInUser | undefined;
  onChanged: () => void;
}

/** One promotion waiting for the signed-in user: what it is, its gates, approve or reject. */
export function ApprovalInboxItem(props: ApprovalInboxItemProps) {
  const { promotion, toRungTitle, rungTitle, user, onChanged } = props;
  const classes = useStyles();
  const permissions = useLadderPermissions(promotion.entityRef);
  const ladderLink = useEntityLadderLink();
  const passed = promotion.gates.filter(g => g.status === 'passed').length;
  const notPassed = promotion.gates.filter(g => g.status !== 'passed');
  return (
    <InfoCard
      title={
        <span className={classes.title}>
          <Link to={ladderLink(promotion.entityRef)}>{shortEntityRef(promotion.entityRef)}</Link>
          <span>
            {shortRef(promotion.ref)} → {toRungTitle}
          </span>
          <ToneChip tone={promotionTone(promotion.phase)} label={promotionLabel(promotion.phase)} />
        </span>
      }
      subheader={`Requested by ${shortEntityRef(promotion.requestedBy)} ${formatAge(promotion.createdAt)}${
        promotion.reason ? ` — “${promotion.reason}”` : ''
      }`}
    >
      <article aria-label={`Promotion of ${promotion.entityRef} to ${toRungTitle}`}>
        {/* Approvers of a customer rung read the explanation before anything else. */}
        <PromotionExplanation promotion={promotion} rungTitle={rungTitle} />
        <BreakGlassMark promotion={promotion} user={user} permissions={permissions} onChanged={onChanged} />
        <Typography variant="body2" className={classes.gates}>
          {passed} of {promotion.gates.length} gates pass
          {notPassed.length > 0
            ? ` — not yet: ${notPassed.map(g => `${g.title} (${g.status})`).join(', ')}`
            : ''}
        </Typography>
        <ApprovalsSummary promotion={promotion} />
        <PromotionActions
          promotion={promotion}
          user={user}
          permissions={permissions}
          toRungTitle={toRungTitle}
          onChanged={onChanged}
          decisionsOnly
        />
      </article>
    </InfoCard>
  );
}
