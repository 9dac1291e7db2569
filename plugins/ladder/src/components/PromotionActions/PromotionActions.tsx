import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { ApprovalDecision, Promotion } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../../api';
import {
  approveAvailability,
  breakGlassAvailability,
  cancelAvailability,
  recheckAvailability,
  type LadderPermissionDecisions,
  type SignedInUser,
} from '../../promotions/actionAvailability';
import { ActionButton } from '../ActionButton';
import { ErrorAlert } from '../ErrorAlert';
import { BreakGlassDialog } from '../BreakGlass/BreakGlassDialog';
import { CancelDialog } from './CancelDialog';
import { DecisionDialog } from './DecisionDialog';

export interface PromotionActionsProps {
  promotion: Promotion;
  user: SignedInUser | undefined;
  permissions: LadderPermissionDecisions;
  toRungTitle?: string;
  /** Called after any change, so the view refetches. */
  onChanged: () => void;
  /** The inbox shows only approve and reject. */
  decisionsOnly?: boolean;
}

/** Approve, reject, cancel and re-check an open promotion; disabled actions say why. */
export function PromotionActions(props: PromotionActionsProps) {
  const { promotion, user, permissions, toRungTitle, onChanged, decisionsOnly } = props;
  const api = useApi(ladderApiRef);
  const [decision, setDecision] = useState<ApprovalDecision | undefined>();
  const [cancelling, setCancelling] = useState(false);
  const [breaking, setBreaking] = useState(false);
  const [rechecking, setRechecking] = useState(false);
  const [error, setError] = useState<unknown>();

  const approve = approveAvailability(promotion, user, permissions);
  const recheck = async () => {
    setRechecking(true);
    setError(undefined);
    try {
      await api.recheck(promotion.id);
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setRechecking(false);
    }
  };

  return (
    <div>
      <ActionButton
        label="Approve"
        variant="contained"
        availability={approve}
        onClick={() => setDecision('approve')}
      />
      <ActionButton
        label="Reject"
        color="secondary"
        // One reason under the pair is enough.
        availability={{ allowed: approve.allowed }}
        onClick={() => setDecision('reject')}
      />
      {decisionsOnly ? null : (
        <>
          <ActionButton
            label="Re-check gates"
            availability={recheckAvailability(promotion, permissions)}
            onClick={recheck}
            busy={rechecking}
          />
          <ActionButton
            label="Cancel promotion"
            color="secondary"
            availability={cancelAvailability(promotion, permissions)}
            onClick={() => setCancelling(true)}
          />
          <ActionButton
            label="Break glass"
            color="secondary"
            availability={breakGlassAvailability(promotion, permissions)}
            onClick={() => setBreaking(true)}
          />
        </>
      )}
      {error ? <ErrorAlert title="Could not re-check the gates" error={error} /> : null}
      <DecisionDialog
        promotion={promotion}
        decision={decision ?? 'approve'}
        toRungTitle={toRungTitle}
        open={decision !== undefined}
        onClose={() => setDecision(undefined)}
        onDone={() => {
          setDecision(undefined);
          onChanged();
        }}
      />
      {decisionsOnly ? null : (
        <BreakGlassDialog
          promotion={promotion}
          open={breaking}
          onClose={() => setBreaking(false)}
          onDone={() => {
            setBreaking(false);
            onChanged();
          }}
        />
      )}
      {decisionsOnly ? null : (
        <CancelDialog
          promotion={promotion}
          open={cancelling}
          onClose={() => setCancelling(false)}
          onDone={() => {
            setCancelling(false);
            onChanged();
          }}
        />
      )}
    </div>
  );
}
