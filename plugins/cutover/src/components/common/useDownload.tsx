import {
  alertApiRef,
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { useCallback, useRef, useState } from 'react';
import { DownloadProgress, downloadFromCutover } from './download';
import { errorMessage, formatBytes } from './format';

/** A download under way: what it is, and how far it has come. */
export interface DownloadState extends DownloadProgress {
  label: string;
}

/**
 * Downloads documents of the cutover backend one at a time, with their progress (building, then
 * bytes received) for {@link DownloadProgressBar}; a failure goes to the portal's alert API.
 */
export function useDownload() {
  const discovery = useApi(discoveryApiRef);
  const { fetch } = useApi(fetchApiRef);
  const alertApi = useApi(alertApiRef);
  const [state, setState] = useState<DownloadState>();
  const busy = useRef(false);
  const download = useCallback(
    async (path: string, fileName: string, label: string = fileName) => {
      if (busy.current) return;
      busy.current = true;
      try {
        await downloadFromCutover({ discovery, fetch }, path, fileName, p =>
          setState({ label, ...p }),
        );
      } catch (e) {
        alertApi.post({
          message: `Could not download ${label}: ${errorMessage(e as Error)}`,
          severity: 'error',
          display: 'transient',
        });
      } finally {
        busy.current = false;
        setState(undefined);
      }
    },
    [discovery, fetch, alertApi],
  );
  return { download, state };
}

/** What a download is doing: the document being built, then the bytes arriving. */
export function DownloadProgressBar(props: { state?: DownloadState }) {
  const { state } = props;
  if (!state) return null;
  const determinate = state.receiving && !!state.total;
  const percent = determinate ? Math.min(100, (100 * state.received) / state.total!) : undefined;
  const text = !state.receiving
    ? `Building ${state.label}…`
    : `Downloading ${state.label}: ${formatBytes(state.received)}${
        state.total ? ` of ${formatBytes(state.total)}` : ''
      }`;
  return (
    <Box role="status" aria-live="polite" minWidth={220} data-testid="download-progress">
      <Typography variant="caption" color="textSecondary" component="div">
        {text}
      </Typography>
      <LinearProgress
        variant={determinate ? 'determinate' : 'indeterminate'}
        value={percent}
        aria-label={text}
      />
    </Box>
  );
}
