import { useEffect } from 'react';
import { useLocation } from 'react-router-dom';

/**
 * Scrolls the section the URL's hash names (`#freeze-windows`) into view once the page has
 * rendered it (`ready`): links from elsewhere (the Readiness tab's cutover gate) lead to the part
 * of the tab where a blocker is fixed.
 */
export function useScrollToHash(ready: boolean) {
  const { hash } = useLocation();
  useEffect(() => {
    if (!ready || !hash) return;
    const el = document.getElementById(decodeURIComponent(hash.slice(1)));
    el?.scrollIntoView?.({ block: 'start' });
  }, [ready, hash]);
}

/** {@link useScrollToHash} as an element, for views that return early before their data loads. */
export function ScrollToHash(props: { ready?: boolean }) {
  useScrollToHash(props.ready ?? true);
  return null;
}
