import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { LadderSummary, LinePause, OverviewRow } from '@khal/plugin-ladder-common';
import { ladderApiRef } from '../api';

/** Filters of the overview matrix; empty strings mean "any". */
export interface OverviewFilters {
  ladder: string;
  owner: string;
  system: string;
  q: string;
}

export const OVERVIEW_PAGE_SIZE = 100;

/**
 * The overview matrix, fetched a page at a time with the backend's cursor, so a catalog of
 * thousands of services never loads (or renders) at once. A new filter starts over; answers to
 * outdated filters are dropped.
 */
export function useOverviewPages(filters: OverviewFilters) {
  const api = useApi(ladderApiRef);
  const [rows, setRows] = useState<OverviewRow[]>([]);
  const [ladders, setLadders] = useState<LadderSummary[]>([]);
  const [totalItems, setTotalItems] = useState<number | undefined>();
  const [pauses, setPauses] = useState<LinePause[]>([]);
  const [nextCursor, setNextCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const generation = useRef(0);

  const load = useCallback(
    async (cursor?: string) => {
      const mine = cursor ? generation.current : ++generation.current;
      setLoading(true);
      setError(undefined);
      try {
        const page = await api.getOverview({
          ladder: filters.ladder || undefined,
          owner: filters.owner.trim() || undefined,
          system: filters.system.trim() || undefined,
          q: filters.q.trim() || undefined,
          limit: OVERVIEW_PAGE_SIZE,
          cursor,
        });
        if (mine !== generation.current) return;
        setRows(prev => (cursor ? [...prev, ...page.items] : page.items));
        setLadders(page.ladders);
        setTotalItems(page.totalItems);
        // Pauses of entities come with their rows; ladder and rung pauses are the same on every page.
        setPauses(prev => {
          const all = cursor ? [...prev, ...(page.pauses ?? [])] : page.pauses ?? [];
          return all.filter((p, i) => all.findIndex(q => q.id === p.id) === i);
        });
        setNextCursor(page.nextCursor);
      } catch (e) {
        if (mine === generation.current) setError(e);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [api, filters.ladder, filters.owner, filters.system, filters.q],
  );

  useEffect(() => {
    load();
  }, [load]);

  return {
    rows,
    ladders,
    totalItems,
    pauses,
    loading,
    error,
    hasMore: Boolean(nextCursor),
    loadMore: () => (nextCursor ? load(nextCursor) : Promise.resolve()),
    reload: () => load(),
  };
}
