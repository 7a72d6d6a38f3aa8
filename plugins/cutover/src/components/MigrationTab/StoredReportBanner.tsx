import { discoveryApiRef, fetchApiRef, useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import GetAppIcon from '@material-ui/icons/GetApp';
import { Alert, AlertTitle } from '@material-ui/lab';
import { useEffect, useState } from 'react';
import { DownloadProgressBar, useDownload } from '../common/useDownload';
import { errorMessage, formatDateTime } from '../common/format';

interface StoredReport {
  id: string;
  fileName: string;
  reportType: string;
  sizeBytes: number;
  createdAt: string;
  expiresAt: string;
}

/**
 * Shown when the page is opened from a scheduled report's notification (`?report=<id>`): the
 * report to download, or why it can't be (expired, or not readable by this user).
 */
export function StoredReportBanner(props: { migrationId: string; reportId: string }) {
  const discovery = useApi(discoveryApiRef);
  const { fetch } = useApi(fetchApiRef);
  const [report, setReport] = useState<StoredReport | null>();
  const [error, setError] = useState<string>();
  const { download, state } = useDownload();
  const base = `/migrations/${encodeURIComponent(props.migrationId)}/reports/stored`;

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const url = `${await discovery.getBaseUrl('cutover')}${base}`;
        const res = await fetch(url);
        if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
        const items = ((await res.json()).items ?? []) as StoredReport[];
        if (!cancelled) setReport(items.find(r => r.id === props.reportId) ?? null);
      } catch (e) {
        if (!cancelled) setError(errorMessage(e as Error));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [discovery, fetch, base, props.reportId]);

  if (error) {
    return <Alert severity="warning">Could not look up the scheduled report: {error}</Alert>;
  }
  if (report === undefined) return null;
  if (report === null) {
    return (
      <Alert severity="info">
        This scheduled report is no longer kept (reports expire after the configured retention). The
        Reports menu makes a current one.
      </Alert>
    );
  }
  return (
    <Alert
      severity="success"
      action={
        <Button
          color="inherit"
          size="small"
          startIcon={<GetAppIcon />}
          disabled={!!state}
          onClick={() =>
            download(`${base}/${encodeURIComponent(report.id)}`, report.fileName)
          }
        >
          Download
        </Button>
      }
    >
      <AlertTitle>Scheduled report: {report.fileName}</AlertTitle>
      Made {formatDateTime(report.createdAt)}, kept until {formatDateTime(report.expiresAt)}.
      <DownloadProgressBar state={state} />
    </Alert>
  );
}
