import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ladderApiRef, type ChangesQuery } from '../../api';
import { ErrorAlert } from '../ErrorAlert';
import { ChangeSummary } from './ChangeSummary';

/** Which change to show: a promotion's, or one asked for by rungs or refs. */
export type ChangeSource = { promotionId: string } | ChangesQuery;

export interface ChangeViewProps {
  source: ChangeSource;
  /** A rung's title by id. */
  rungTitle: (rungId: string) => string;
}

function sourceKey(source: ChangeSource): string {
  // Stable whatever the key order of the object literal the caller built.
  return JSON.stringify(
    Object.entries(source).sort(([a], [b]) => a.localeCompare(b)),
  );
}

/**
 * The change view: loads what changes between two refs of an entity (for a promotion, two rungs
 * or two refs) and shows the commit range, the manifest diff and the settings the target needs.
 */
export function ChangeView(props: ChangeViewProps) {
  const { source, rungTitle } = props;
  const api = useApi(ladderApiRef);
  const key = sourceKey(source);
  const changes = useAsyncRetry(
    () =>
      'promotionId' in source
        ? api.getPromotionChanges(source.promotionId)
        : api.getChanges(source),
    // `key` stands for `source`: a new object literal with the same content must not refetch.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );
  if (changes.loading) return <Progress />;
  if (changes.error) {
    return (
      <ErrorAlert
        title="Could not load the changes"
        error={changes.error}
        onRetry={changes.retry}
      />
    );
  }
  if (!changes.value) return null;
  return <ChangeSummary changes={changes.value} rungTitle={rungTitle} />;
}
