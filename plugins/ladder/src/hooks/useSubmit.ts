import { useCallback, useState } from 'react';

/**
 * One write from a dialog or button: `submit` runs `action`, hands its result to `onDone`, keeps
 * `busy` while it runs and `error` when it fails (shown with ErrorAlert). `reset` clears the
 * error, e.g. when a dialog opens again.
 */
export function useSubmit<T>(action: () => Promise<T>, onDone: (result: T) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await action());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const reset = useCallback(() => setError(undefined), []);
  return { busy, error, submit, reset };
}
