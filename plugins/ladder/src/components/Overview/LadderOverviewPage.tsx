import { useMemo, useState } from 'react';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { Progress } from '@backstage/core-components';
import { LADDER_ANNOTATION, LADDER_APPROVALS_CHANNEL } from '@khal/plugin-ladder-common';
import { useDebouncedValue } from '../../hooks/useDebouncedValue';
import { useLadderSignal } from '../../hooks/useLadderSignal';
import {
  OVERVIEW_PAGE_SIZE,
  useOverviewPages,
  type OverviewFilters,
} from '../../hooks/useOverviewPages';
import { BreakGlassReviews } from '../BreakGlass';
import { ErrorAlert } from '../ErrorAlert';
import { OverviewFilterBar } from './OverviewFilterBar';
import { OverviewMatrix } from './OverviewMatrix';
import { DeliveryInsightsCard } from '../DeliveryInsights';
import { LinePauseBanner } from '../ReleasePolicy';

const noFilters: OverviewFilters = { ladder: '', owner: '', system: '', q: '' };

/**
 * Every service on a ladder, by rung. Filters run on the server and rows come 100 at a time, so
 * the page stays usable with thousands of services.
 */
export function LadderOverviewPage() {
  const [input, setInput] = useState<OverviewFilters>(noFilters);
  const filters = useDebouncedValue(input, 300);
  const overview = useOverviewPages(filters);
  // Promotions change cells; the approvals channel is the one broadcast channel the backend has.
  // Only the first page is refreshed live: reloading after "Load more" would lose the reader's place.
  useLadderSignal(LADDER_APPROVALS_CHANNEL, () => {
    if (overview.rows.length <= OVERVIEW_PAGE_SIZE) overview.reload();
  });

  const groups = useMemo(
    () =>
      overview.ladders
        .map(ladder => ({ ladder, rows: overview.rows.filter(r => r.ladderId === ladder.id) }))
        .filter(g => g.rows.length > 0),
    [overview.ladders, overview.rows],
  );
  const filtered = Object.values(filters).some(v => v.trim() !== '');

  return (
    <div>
      <OverviewFilterBar value={input} ladders={overview.ladders} onChange={setInput} />
      <BreakGlassReviews overdueOnly />
      {overview.error ? (
        <ErrorAlert
          title="Could not load the overview"
          error={overview.error}
          hint="Check that the ladder backend is running, then try again."
          onRetry={overview.reload}
        />
      ) : null}
      {!overview.loading && !overview.error && overview.rows.length === 0 ? (
        <Typography variant="body1" data-testid="overview-empty">
          {filtered
            ? 'No service matches these filters. Clear a filter to see more.'
            : `No service is on a ladder yet. Add the ${LADDER_ANNOTATION} annotation to a component, or create one from a Khal template.`}
        </Typography>
      ) : null}
      <LinePauseBanner
        pauses={overview.pauses.filter(p => p.scope !== 'entity')}
        rungTitle={id => overview.ladders.flatMap(l => l.rungs).find(r => r.id === id)?.title ?? id}
      />
      {groups.map(g => (
        <OverviewMatrix key={g.ladder.id} ladder={g.ladder} rows={g.rows} pauses={overview.pauses} />
      ))}
      {overview.loading ? <Progress /> : null}
      <Typography variant="body2" color="textSecondary" aria-live="polite">
        {overview.totalItems !== undefined
          ? `Showing ${overview.rows.length} of ${overview.totalItems} services.`
          : ''}
      </Typography>
      {overview.hasMore && !overview.loading ? (
        <Button variant="outlined" onClick={overview.loadMore}>
          Load more services
        </Button>
      ) : null}
      <div style={{ marginTop: 24 }}>
        <DeliveryInsightsCard owner={filters.owner.trim() || undefined} />
      </div>
    </div>
  );
}
