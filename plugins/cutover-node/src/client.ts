import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { CutoverClient } from '@switchyard/plugin-cutover-common';

/**
 * A typed cutover client for other backend plugins and modules (template actions, actions for
 * assistants, fact retrievers). Every request carries a token issued on behalf of `credentials`,
 * so the cutover backend applies that principal's permissions and governance: a template acts as
 * the person who runs it, an assistant as the person who asks, a retriever as its own service.
 *
 * @public
 */
export function cutoverClientOnBehalfOf(
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
