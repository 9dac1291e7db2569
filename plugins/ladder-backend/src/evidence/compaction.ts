import { SCAN_STEP } from './scan';
import { Span } from './spans';

/**
 * What the preset is given: the text with every run of whitespace collapsed to one character
 * (a newline if the run held one) and with what our own scanners already removed blanked out.
 * The preset's cost grows with the length of its input (each of ~27 rules scans every position),
 * and none of its patterns needs two blanks in a row, so a megabyte of newlines, or a megabyte
 * our scanners already claimed (`ghp_ghp_ghp_…`), costs it next to nothing. `toOriginal` maps an
 * offset in the compact text back to the text.
 */
export interface Compacted {
  text: string;
  toOriginal(offset: number): number;
}

const isBlank = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

export function compactForPreset(text: string, claimed: Span[]): Compacted {
  const scan = compactScan(text, claimed);
  for (;;) {
    const step = scan.next();
    if (step.done) return step.value;
  }
}

/** compactForPreset in steps: pauses every SCAN_STEP characters (see scan.ts). */
export function* compactScan(
  text: string,
  claimed: Span[],
): Generator<void, Compacted, void> {
  let checkpoint = SCAN_STEP;
  // claimed must be sorted and disjoint (merged). Only runs of two or more blanks, and claimed
  // text, are replaced: a text without them is given to the preset as it is.
  const parts: string[] = [];
  // segment k starts at compactStarts[k] in the compact text and at originalStarts[k] in the text
  const compactStarts: number[] = [0];
  const originalStarts: number[] = [0];
  let compactLength = 0;
  let copyFrom = 0;
  let next = 0; // the next claimed span
  let i = 0;
  while (i < text.length) {
    if (i >= checkpoint) {
      checkpoint = i + SCAN_STEP;
      yield;
    }
    const claimHere = next < claimed.length && claimed[next].start <= i;
    const doubleBlank =
      isBlank(text.charCodeAt(i)) &&
      i + 1 < text.length &&
      (isBlank(text.charCodeAt(i + 1)) ||
        (next < claimed.length && claimed[next].start === i + 1));
    if (!claimHere && !doubleBlank) {
      i++;
      continue;
    }
    // a run of blanks and claimed text from i: one character stands for it
    const runStart = i;
    let newline = false;
    for (;;) {
      while (next < claimed.length && claimed[next].end <= i) next++;
      if (next < claimed.length && claimed[next].start <= i) {
        i = claimed[next].end;
      } else if (i < text.length && isBlank(text.charCodeAt(i))) {
        if (text.charCodeAt(i) === 10) newline = true;
        i++;
      } else break;
    }
    parts.push(text.slice(copyFrom, runStart), newline ? '\n' : ' ');
    compactLength += runStart - copyFrom + 1;
    compactStarts.push(compactLength);
    originalStarts.push(i);
    copyFrom = i;
  }
  if (copyFrom === 0) return { text, toOriginal: offset => offset };
  parts.push(text.slice(copyFrom));
  return {
    text: parts.join(''),
    toOriginal(offset: number): number {
      let lo = 0;
      let hi = compactStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (compactStarts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      return originalStarts[lo] + (offset - compactStarts[lo]);
    },
  };
}
