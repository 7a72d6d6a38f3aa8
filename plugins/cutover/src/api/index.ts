import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { CutoverApi, CutoverClient } from '@switchyard/plugin-cutover-common';

/** The cutover backend, as the frontend uses it. @public */
export const cutoverApiRef = createApiRef<CutoverApi>({
  id: 'plugin.cutover.client',
});

/** Builds the client from Backstage's discovery and fetch APIs. @public */
export function createCutoverClient(deps: {
  discoveryApi: DiscoveryApi;
  fetchApi: FetchApi;
}): CutoverApi {
  return new CutoverClient({
    discoveryApi: deps.discoveryApi,
    fetchApi: deps.fetchApi,
  });
}
