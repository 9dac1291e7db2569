import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { ladderApiRef } from '../api';

/** Looks up a rung's title by ladder and rung id; falls back to the id until ladders load. */
export function useRungTitles(): (ladderId: string, rungId: string) => string {
  const api = useApi(ladderApiRef);
  const { value } = useAsync(() => api.getLadders(), [api]);
  return (ladderId, rungId) =>
    value?.items.find(l => l.id === ladderId)?.rungs.find(r => r.id === rungId)?.title ?? rungId;
}
