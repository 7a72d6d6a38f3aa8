import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';

/**
 * Fetches a file from the cutover backend with the user's Backstage credentials and saves it
 * (a plain link would not carry them).
 */
export async function downloadFromCutover(
  apis: { discovery: DiscoveryApi; fetch: FetchApi['fetch'] },
  path: string,
  fileName: string,
): Promise<void> {
  const base = await apis.discovery.getBaseUrl('cutover');
  const res = await apis.fetch(`${base}${path}`);
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = (await res.json())?.error?.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(message);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  URL.revokeObjectURL(url);
}
