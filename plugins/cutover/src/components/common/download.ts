import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';

/** How far a download has come: bytes received, of `total` when the server said. */
export interface DownloadProgress {
  /** False while the server still builds the document (no response yet). */
  receiving: boolean;
  received: number;
  total: number | null;
}

/**
 * Fetches a file from the cutover backend with the user's Backstage credentials and saves it
 * (a plain link would not carry them). `onProgress` hears when the response starts (the document
 * is built) and how many bytes have arrived.
 */
export async function downloadFromCutover(
  apis: { discovery: DiscoveryApi; fetch: FetchApi['fetch'] },
  path: string,
  fileName: string,
  onProgress?: (progress: DownloadProgress) => void,
): Promise<void> {
  onProgress?.({ receiving: false, received: 0, total: null });
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
  const length = Number(res.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  onProgress?.({ receiving: true, received: 0, total });
  let blob: Blob;
  const reader = res.body?.getReader?.();
  if (reader) {
    const chunks: BlobPart[] = [];
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      onProgress?.({ receiving: true, received, total });
    }
    blob = new Blob(chunks, { type: res.headers.get('content-type') ?? undefined });
  } else {
    blob = await res.blob();
  }
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  URL.revokeObjectURL(url);
}
