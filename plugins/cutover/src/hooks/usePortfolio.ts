import { useApi } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  CUTOVER_PORTFOLIO_CHANNEL,
  PortfolioPage,
  PortfolioRequest,
} from '@switchyard/plugin-cutover-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { cutoverApiRef } from '../api';
import { LiveData, POLL_INTERVAL_MS } from './useCutoverData';

/** The shortest time between two reloads caused by signals. */
const RELOAD_GAP_MS = 2_000;

/**
 * Loads a page of the portfolio and keeps it fresh: reloads when the backend says summaries changed
 * (the `cutover-portfolio` signal), polls when the signals plugin isn't installed. Keeps the last
 * page on screen while reloading.
 */
export function usePortfolio(request: PortfolioRequest): LiveData<PortfolioPage> {
  const api = useApi(cutoverApiRef);
  const [state, setState] = useState<{
    value?: PortfolioPage;
    error?: Error;
    loading: boolean;
    loadedAt?: Date;
  }>({ loading: true });
  const generation = useRef(0);
  const key = JSON.stringify(request);
  const { lastSignal, isSignalsAvailable } = useSignal<any>(
    CUTOVER_PORTFOLIO_CHANNEL,
  );

  const fetchNow = useCallback(() => {
    const mine = ++generation.current;
    setState(s => ({ ...s, loading: true }));
    api.getPortfolio(JSON.parse(key)).then(
      value => {
        if (mine === generation.current)
          setState({ value, loading: false, loadedAt: new Date() });
      },
      error => {
        if (mine === generation.current)
          setState(s => ({ ...s, error, loading: false }));
      },
    );
  }, [api, key]);

  useEffect(() => {
    setState(s => ({ value: s.value, loading: true }));
    fetchNow();
  }, [fetchNow]);

  // Busy programmes change many summaries a second: reload at most once per RELOAD_GAP_MS.
  const lastReload = useRef(0);
  const pendingReload = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => {
    if (!lastSignal || pendingReload.current) return;
    const wait = Math.max(0, lastReload.current + RELOAD_GAP_MS - Date.now());
    pendingReload.current = setTimeout(() => {
      pendingReload.current = undefined;
      lastReload.current = Date.now();
      fetchNow();
    }, wait);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastSignal]);
  useEffect(() => () => clearTimeout(pendingReload.current), []);

  useEffect(() => {
    if (isSignalsAvailable) return undefined;
    const timer = setInterval(fetchNow, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [isSignalsAvailable, fetchNow]);

  return { ...state, live: isSignalsAvailable, retry: fetchNow };
}
