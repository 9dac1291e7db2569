import { Span } from './spans';

/**
 * A scanner that pauses (yields) every SCAN_STEP characters of progress, so a long text can be
 * scanned in slices with the event loop free in between (see Redactor). Its findings are pushed
 * to the spans array it was given.
 */
export type Scan = Generator<void, void, void>;

export const SCAN_STEP = 8 * 1024;

/** Runs a scan to its end at once and returns its findings. */
export function drain(start: (spans: Span[]) => Scan): Span[] {
  const spans: Span[] = [];
  const scan = start(spans);
  while (!scan.next().done) {
    // run on
  }
  return spans;
}
