import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { CutoverClient } from '@switchyard/plugin-cutover-common';

/**
 * A cutover client that calls the cutover backend on behalf of whoever runs the template: the
 * plugin's permissions and governance apply to that person, not to the scaffolder.
 */
export function clientOnBehalfOf(
  deps: { discovery: DiscoveryService; auth: AuthService },
  credentials: BackstageCredentials,
): CutoverClient {
  return new CutoverClient({
    discoveryApi: deps.discovery,
    fetchApi: {
      fetch: async (input, init) => {
        const { token } = await deps.auth.getPluginRequestToken({
          onBehalfOf: credentials,
          targetPluginId: 'cutover',
        });
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${token}`);
        return fetch(input, { ...init, headers });
      },
    },
  });
}
