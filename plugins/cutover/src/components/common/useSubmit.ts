import { useRef, useState } from 'react';

/**
 * The state of an action a person submits from a dialog or a form: whether it is running, and
 * why it failed last.
 */
export interface Submission {
  /** Runs the action, unless it is already running; never rejects (a failure lands in `error`). */
  submit: () => Promise<void>;
  /** True while the action runs. */
  busy: boolean;
  /** The failure of the last run, until the next run or `reset`. */
  error?: Error;
  /** Forgets the last failure, for a dialog that opens again for another subject. */
  reset: () => void;
}

/**
 * Runs `action` on submit: tracks busy and error, ignores a second submit while the first runs,
 * and calls `onDone` with the action's result when it succeeds (where a dialog closes itself).
 */
export function useSubmit<T>(
  action: () => Promise<T>,
  onDone?: (result: T) => void,
): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const running = useRef(false);

  const submit = async () => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(undefined);
    try {
      const result = await action();
      onDone?.(result);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      running.current = false;
      setBusy(false);
    }
  };
  return { submit, busy, error, reset: () => setError(undefined) };
}
