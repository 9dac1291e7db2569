import type { InsightsGroup } from '@khal/plugin-ladder-common';

/** One CSV field: quoted when it holds a comma, quote or line break; formula starts neutralised. */
function field(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  // A spreadsheet runs a cell starting with = + - @ as a formula (CSV injection).
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The groups as CSV, one row each: the figures in seconds and counts as the API gives them (empty
 * where there was no sample), one deployments column per rung.
 */
export function insightsCsv(groups: InsightsGroup[]): string {
  const rungs = [
    ...new Set(groups.flatMap(g => g.deployments.map(d => d.rungId))),
  ];
  const header = [
    'key',
    'lead_time_median_s',
    'lead_time_p90_s',
    'lead_time_samples',
    ...rungs.map(r => `deployments_${r}`),
    'changes',
    'failures',
    'change_failure_rate',
    'time_to_restore_median_s',
    'open_failures',
    'approval_wait_median_s',
    'approval_wait_p90_s',
  ];
  const rows = groups.map(g => [
    g.key,
    g.leadTime.medianSeconds,
    g.leadTime.p90Seconds,
    g.leadTime.count,
    ...rungs.map(r => g.deployments.find(d => d.rungId === r)?.count ?? 0),
    g.changes,
    g.failures,
    g.changeFailureRate,
    g.timeToRestore.medianSeconds,
    g.timeToRestore.open,
    g.approvalWait.medianSeconds,
    g.approvalWait.p90Seconds,
  ]);
  return `${[header, ...rows]
    .map(r => r.map(field).join(','))
    .join('\r\n')}\r\n`;
}
