/** A range of a text `[start, end)` that holds a secret, and why it is one. */
export interface Span {
  start: number;
  end: number;
  reason: string;
}

export const marker = (reason: string) => `[REDACTED:${reason}]`;
export const MARKER_PREFIX = '[REDACTED:';

/** Sorts spans and joins the ones that overlap or touch; the first reason wins. */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = spans
    .filter(s => s.end > s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) {
      last.end = Math.max(last.end, s.end);
    } else {
      merged.push({ ...s });
    }
  }
  return merged;
}

/** Replaces every span with its marker; spans must be merged (sorted, disjoint). */
export function applySpans(text: string, merged: Span[]): string {
  if (merged.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const s of merged) {
    parts.push(text.slice(at, s.start), marker(s.reason));
    at = s.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Whether the text at `i` is a marker we wrote (so it is not redacted twice). */
export const markerAt = (text: string, i: number) =>
  text.startsWith(MARKER_PREFIX, i);
