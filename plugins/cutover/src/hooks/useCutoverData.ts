import { configApiRef, useApi } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  CutoverApi,
  CutoverSignal,
  CutoverSignalType,
  cutoverSignalChannel,
} from '@switchyard/plugin-cutover-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { cutoverApiRef } from '../api';

/** How often to refetch when signals are not available, unless `cutover.pollIntervalSeconds` says. */
export const POLL_INTERVAL_MS = 10_000;

/** The smallest polling interval the config may ask for: one second. */
const MIN_POLL_INTERVAL_MS = 1_000;

/**
 * The polling interval the app's config asks for (`cutover.pollIntervalSeconds`), at least a second;
 * {@link POLL_INTERVAL_MS} when it says nothing.
 */
export function usePollIntervalMs(): number {
  const config = useApi(configApiRef);
  const seconds = config.getOptionalNumber('cutover.pollIntervalSeconds');
  if (seconds === undefined || !Number.isFinite(seconds)) return POLL_INTERVAL_MS;
  return Math.max(MIN_POLL_INTERVAL_MS, Math.round(seconds * 1000));
}

/** When to load once more after subscribing, in case a signal came before the subscription stood. */
const SUBSCRIBE_GRACE_MS = 2_000;

/** State of data loaded from the cutover backend. */
export interface LiveData<T> {
  value?: T;
  error?: Error;
  loading: boolean;
  /** When the data was last loaded. */
  loadedAt?: Date;
  /** Whether updates arrive by signal (true) or by polling (false). */
  live: boolean;
  retry: () => void;
}

/**
 * Loads data for a migration and keeps it fresh: refetches when a `cutover:<id>` signal of one of
 * `types` arrives, and polls when the signals plugin isn't installed. Keeps showing the last
 * value while refetching, so the page doesn't flicker.
 */
export function useLiveCutoverData<T>(
  migrationId: string | undefined,
  load: (api: CutoverApi, migrationId: string) => Promise<T>,
  types: CutoverSignalType[],
  deps: unknown[] = [],
): LiveData<T> {
  const api = useApi(cutoverApiRef);
  const pollIntervalMs = usePollIntervalMs();
  const [state, setState] = useState<{ value?: T; error?: Error; loading: boolean; loadedAt?: Date }>(
    { loading: true },
  );
  const generation = useRef(0);
  const { lastSignal, isSignalsAvailable } = useSignal<any>(
    migrationId ? cutoverSignalChannel(migrationId) : 'cutover:none',
  );

  const fetchNow = useCallback(() => {
    if (!migrationId) return;
    const mine = ++generation.current;
    setState(s => ({ ...s, loading: true }));
    load(api, migrationId).then(
      value => {
        if (mine === generation.current) {
          setState({ value, loading: false, loadedAt: new Date() });
        }
      },
      error => {
        if (mine === generation.current) {
          setState(s => ({ ...s, error, loading: false }));
        }
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, migrationId, ...deps]);

  useEffect(() => {
    setState({ loading: true });
    fetchNow();
  }, [fetchNow]);

  useEffect(() => {
    const signal = lastSignal as CutoverSignal | null;
    if (!signal) return;
    const kinds = signal.types ?? [signal.type];
    if (kinds.some(k => types.includes(k) || k === 'migration')) {
      fetchNow();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastSignal]);

  useEffect(() => {
    if (isSignalsAvailable) {
      // A signal published while the subscription was still being set up is lost: load once more
      // when it surely stands, so a change made in that moment still shows.
      const catchUp = setTimeout(fetchNow, SUBSCRIBE_GRACE_MS);
      return () => clearTimeout(catchUp);
    }
    const timer = setInterval(fetchNow, pollIntervalMs);
    return () => clearInterval(timer);
  }, [isSignalsAvailable, fetchNow, pollIntervalMs]);

  return { ...state, live: isSignalsAvailable, retry: fetchNow };
}
