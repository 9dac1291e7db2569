import { formatSeconds } from '@khal/plugin-ladder-common';

/** A duration in seconds for people (ladder-common's formatSeconds); "—" when there is none. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds))
    return '—';
  return formatSeconds(seconds);
}
