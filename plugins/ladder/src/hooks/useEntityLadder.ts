import { useApi } from '@backstage/core-plugin-api';
import { ladderEntityChannel, type EntityLadderResponse } from '@khal/plugin-ladder-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ladderApiRef } from '../api';
import { useLadderSignal } from './useLadderSignal';

/** One entity's ladder, refetched whenever the backend signals a change of that entity. */
export function useEntityLadder(entityRef: string) {
  const api = useApi(ladderApiRef);
  const state = useAsyncRetry<EntityLadderResponse>(
    () => api.getEntityLadder(entityRef),
    [api, entityRef],
  );
  useLadderSignal(ladderEntityChannel(entityRef), state.retry);
  return state;
}
