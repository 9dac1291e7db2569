import { useApi } from '@backstage/core-plugin-api';
import { ladderEntityChannel, type EntityLadderResponse } from '@khal/plugin-ladder-common';
import { useCallback, useRef } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ladderApiRef } from '../api';
import { useLadderSignal } from './useLadderSignal';

/**
 * One entity's ladder, refetched whenever the backend signals a change of that entity.
 * `readLive()` fetches it once with the clusters' state read now rather than a recent observation.
 */
export function useEntityLadder(entityRef: string) {
  const api = useApi(ladderApiRef);
  const liveNext = useRef(false);
  const state = useAsyncRetry<EntityLadderResponse>(() => {
    const live = liveNext.current;
    liveNext.current = false;
    return live ? api.getEntityLadder(entityRef, { clusterState: 'live' }) : api.getEntityLadder(entityRef);
  }, [api, entityRef]);
  useLadderSignal(ladderEntityChannel(entityRef), state.retry);
  const { retry } = state;
  const readLive = useCallback(() => {
    liveNext.current = true;
    retry();
  }, [retry]);
  return { ...state, readLive };
}
