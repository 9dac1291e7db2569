import { useApi } from '@backstage/core-plugin-api';
import { LADDER_APPROVALS_CHANNEL, type PromotionListResponse } from '@khal/plugin-ladder-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ladderApiRef } from '../api';
import { useLadderSignal } from './useLadderSignal';

/** How many promotions the inbox shows at most; the badge says "99+" beyond 99. */
export const INBOX_LIMIT = 100;

/** Promotions waiting for the signed-in user, refetched whenever an approval may have changed. */
export function useAwaitingMyApproval() {
  const api = useApi(ladderApiRef);
  const state = useAsyncRetry<PromotionListResponse>(
    () => api.listPromotions({ awaitingMyApproval: 'true', limit: INBOX_LIMIT }),
    [api],
  );
  useLadderSignal(LADDER_APPROVALS_CHANNEL, state.retry);
  return state;
}
