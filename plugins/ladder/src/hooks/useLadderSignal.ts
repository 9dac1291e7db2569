import { useEffect, useRef } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';

/**
 * Calls `onChange` whenever the ladder backend publishes on `channel`, so a change made in
 * another browser shows up without a reload. Without the signals plugin it does nothing.
 */
export function useLadderSignal(channel: string, onChange: () => void): void {
  const { lastSignal } = useSignal(channel);
  const callback = useRef(onChange);
  callback.current = onChange;
  useEffect(() => {
    if (lastSignal) callback.current();
  }, [lastSignal]);
}
