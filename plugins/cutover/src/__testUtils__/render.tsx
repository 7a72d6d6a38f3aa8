import { Entity } from '@backstage/catalog-model';
import { configApiRef, discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { signalApiRef, SignalApi } from '@backstage/plugin-signals-react';
import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { CutoverClient } from '@switchyard/plugin-cutover-common';
import { ReactElement } from 'react';
import { cutoverApiRef } from '../api';

/** Where msw answers for the cutover backend in component tests. */
export const BASE = 'http://backend.test/api/cutover';

export function entity(annotation: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'orders-service', annotations: { 'switchyard.dev/migration': annotation } },
    spec: { type: 'service', owner: 'group:default/orders-team', lifecycle: 'production' },
  };
}

/** A signals API the test can publish on. */
export function testSignals() {
  const listeners = new Set<{ channel: string; onMessage: (m: any) => void }>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      const entry = { channel, onMessage: onMessage as (m: any) => void };
      listeners.add(entry);
      return { unsubscribe: () => listeners.delete(entry) };
    },
  };
  const publish = (channel: string, message: object) => {
    for (const l of listeners) if (l.channel === channel) l.onMessage(message);
  };
  return { api, publish };
}

/**
 * Renders a tab inside an entity page with the real client talking to msw, permissions decided
 * by `allow` (all, none, or by permission name), and optional signals.
 */
export async function renderEntityTab(
  element: ReactElement,
  options: {
    annotation?: string;
    allow?: boolean | ((permissionName: string) => boolean);
    signals?: SignalApi;
    /** The page's URL, e.g. `/?report=...` for links from notifications. */
    route?: string;
    /** The app's config (e.g. `{ cutover: { pollIntervalSeconds: 1 } }`). */
    config?: object;
    /** More APIs, e.g. `[alertApiRef, alerts]`. */
    apis?: Array<[any, any]>;
  } = {},
) {
  const discoveryApi = { getBaseUrl: async () => BASE };
  const fetchApi = { fetch: (input: any, init?: any) => fetch(input, init) };
  const allow = options.allow ?? false;
  const apis: any[] = [
    [discoveryApiRef, discoveryApi],
    [fetchApiRef, fetchApi],
    [cutoverApiRef, new CutoverClient({ discoveryApi, fetchApi })],
    [
      permissionApiRef,
      mockApis.permission({
        authorize: request =>
          (typeof allow === 'function' ? allow(request.permission.name) : allow)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      }),
    ],
  ];
  if (options.signals) apis.push([signalApiRef, options.signals]);
  if (options.apis) apis.push(...options.apis);
  if (options.config) apis.push([configApiRef, mockApis.config({ data: options.config })]);
  return renderInTestApp(
    <TestApiProvider apis={apis}>
      <EntityProvider entity={entity(options.annotation ?? 'orders-v2')}>{element}</EntityProvider>
    </TestApiProvider>,
    options.route ? { routeEntries: [options.route] } : undefined,
  );
}
