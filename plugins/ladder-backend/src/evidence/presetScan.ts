import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { rules as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { compactScan } from './compaction';
import { Span } from './spans';

/**
 * Runs secretlint's recommended preset (AWS, GCP, GitHub, GitLab, Slack, npm, OpenAI, Stripe,
 * database URLs, private keys, …; maintained upstream) over a text and returns what it reports as
 * spans. `lintSource` reports each finding's `range` as `[start, end)` offsets into the content it
 * was given (see @secretlint/core's RuleContext: `report({ range })`), so the offsets of a window
 * map back by adding the window's start.
 */

// `secretlint-rule-filter-comments` obeys `secretlint-disable` comments inside the scanned text.
// Here the text is the sender's, so that rule would let them switch redaction off: left out.
const FILTER_COMMENTS = '@secretlint/secretlint-rule-filter-comments';
/** The AWS rule finds access key ids (AKIA…) only when asked to. */
const OPTIONS: Record<string, Record<string, unknown>> = {
  '@secretlint/secretlint-rule-aws': { enableIDScanRule: true },
};
const config: Parameters<typeof lintSource>[0]['options']['config'] = {
  rules: recommended
    .filter(rule => rule.meta.id !== FILTER_COMMENTS)
    .map(rule => ({
      id: rule.meta.id,
      rule,
      options: OPTIONS[rule.meta.id] ?? {},
    })),
};

// secretlint's profiler is on by default: it marks every rule of every lint call on the global
// performance timeline, which Node never empties, and keeps each entry in its own list as well.
// A backend that redacts every evidence body would grow without bound (a CI worker ran out of a
// 6 GB heap after about a million marks), so it is switched off for this process.
secretLintProfiler.setEnabled(false);

/** Each lint call sees at most this much text, so one call holds the event loop for tens of milliseconds at most. */
export const WINDOW_CHARS = 8 * 1024;
/** Windows overlap by this much: a token shorter than it is always whole in some window. */
export const WINDOW_OVERLAP = 1024;
/** A reported range is widened to the end of its token, at most this far (some rules report short). */
const MAX_WIDEN = 256;

const isTokenEnd = (c: number) =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 34 || c === 39;

/** The markers earlier versions wrote for these findings, kept so stored texts read the same. */
const REASONS: Record<string, string> = {
  AWSAccessKeyID: 'aws-access-key',
  GITHUB_TOKEN: 'github-token',
  SLACK_TOKEN: 'slack-token',
};
/** `@secretlint/secretlint-rule-github` → `github` */
const reasonOf = (ruleId: string, messageId: string) =>
  REASONS[messageId] ?? ruleId.replace(/^@secretlint\/secretlint-rule-/, '');

/** Lets other work (an unrelated request) run between windows of a long text. */
export const yieldToEventLoop = () =>
  new Promise<void>(resolve => setImmediate(resolve));

/**
 * The preset's findings in `text`. `claimed` (sorted, disjoint) is what our own scanners already
 * removed: the preset does not need to look at it again (see compactForPreset).
 */
export async function presetSpans(
  text: string,
  claimed: Span[] = [],
): Promise<Span[]> {
  const compaction = compactScan(text, claimed);
  let step = compaction.next();
  let started = performance.now();
  while (!step.done) {
    if (performance.now() - started > 8) {
      await yieldToEventLoop();
      started = performance.now();
    }
    step = compaction.next();
  }
  const compact = step.value;
  await yieldToEventLoop();
  const scanned = compact.text;
  const spans: Span[] = [];
  for (let start = 0; start < scanned.length; ) {
    const end = Math.min(scanned.length, start + WINDOW_CHARS);
    const result = await lintSource({
      source: {
        content: scanned.slice(start, end),
        filePath: 'evidence.txt',
        contentType: 'text',
      },
      options: { config, noPhysicFilePath: true, maskSecrets: true },
    });
    for (const message of result.messages) {
      const from = compact.toOriginal(start + message.range[0]);
      let to = compact.toOriginal(start + message.range[1] - 1) + 1;
      const widenLimit = Math.min(text.length, to + MAX_WIDEN);
      while (to < widenLimit && !isTokenEnd(text.charCodeAt(to))) to++;
      spans.push({
        start: from,
        end: to,
        reason: reasonOf(message.ruleId, message.messageId),
      });
    }
    if (end === scanned.length) break;
    start = end - WINDOW_OVERLAP;
    await yieldToEventLoop();
  }
  return spans;
}
