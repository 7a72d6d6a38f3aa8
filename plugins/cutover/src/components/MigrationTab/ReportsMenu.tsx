import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Divider from '@material-ui/core/Divider';
import Menu from '@material-ui/core/Menu';
import MenuItem from '@material-ui/core/MenuItem';
import Box from '@material-ui/core/Box';
import CircularProgress from '@material-ui/core/CircularProgress';
import GetAppIcon from '@material-ui/icons/GetApp';
import {
  cutoverReportReadPermission,
  cutoverReportSchedulePermission,
} from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { DownloadProgressBar, useDownload } from '../common/useDownload';
import { ReportSchedulesDialog } from './ReportSchedulesDialog';

const REPORTS = [
  { file: 'executive.pdf', label: 'Executive summary (PDF)' },
  { file: 'detailed.xlsx', label: 'Detailed workbook (Excel)' },
  { file: 'audit.csv', label: 'Audit trail (CSV)' },
];

/**
 * Downloads of the migration's reports, for users allowed to read them, and its scheduled reports,
 * for users allowed to manage them. Files are fetched with the user's Backstage credentials, then
 * saved; while a document is built and arrives, a progress bar says so, and a failure is posted to
 * the portal's alerts.
 */
export function ReportsMenu(props: { migrationId: string }) {
  const canRead = usePermission({ permission: cutoverReportReadPermission, resourceRef: props.migrationId }).allowed;
  const canSchedule = usePermission({
    permission: cutoverReportSchedulePermission,
    resourceRef: props.migrationId,
  }).allowed;
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [scheduling, setScheduling] = useState(false);
  const { download, state } = useDownload();
  if (!canRead && !canSchedule) return null;
  const downloadReport = (report: (typeof REPORTS)[number]) => {
    setAnchor(null);
    download(
      `/migrations/${encodeURIComponent(props.migrationId)}/reports/${report.file}`,
      `${props.migrationId}-${report.file}`,
      report.label,
    );
  };
  return (
    <Box display="flex" alignItems="center" style={{ gap: 12 }}>
      <Button
        size="small"
        variant="outlined"
        startIcon={state ? <CircularProgress size={16} aria-hidden /> : <GetAppIcon />}
        onClick={e => setAnchor(e.currentTarget)}
        aria-haspopup="menu"
        aria-busy={!!state}
        disabled={!!state}
      >
        Reports
      </Button>
      <DownloadProgressBar state={state} />
      <Menu anchorEl={anchor} open={!!anchor} onClose={() => setAnchor(null)}>
        {canRead &&
          REPORTS.map(r => (
            <MenuItem key={r.file} onClick={() => downloadReport(r)}>
              {r.label}
            </MenuItem>
          ))}
        {canRead && canSchedule && <Divider />}
        {canSchedule && (
          <MenuItem
            onClick={() => {
              setAnchor(null);
              setScheduling(true);
            }}
          >
            Scheduled reports…
          </MenuItem>
        )}
      </Menu>
      {scheduling && (
        <ReportSchedulesDialog migrationId={props.migrationId} onClose={() => setScheduling(false)} />
      )}
    </Box>
  );
}
