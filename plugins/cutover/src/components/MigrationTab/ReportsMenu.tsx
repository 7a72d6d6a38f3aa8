import { fetchApiRef, discoveryApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Divider from '@material-ui/core/Divider';
import Menu from '@material-ui/core/Menu';
import MenuItem from '@material-ui/core/MenuItem';
import Snackbar from '@material-ui/core/Snackbar';
import GetAppIcon from '@material-ui/icons/GetApp';
import {
  cutoverReportReadPermission,
  cutoverReportSchedulePermission,
} from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { downloadFromCutover } from '../common/download';
import { ReportSchedulesDialog } from './ReportSchedulesDialog';

const REPORTS = [
  { file: 'executive.pdf', label: 'Executive summary (PDF)' },
  { file: 'detailed.xlsx', label: 'Detailed workbook (Excel)' },
  { file: 'audit.csv', label: 'Audit trail (CSV)' },
];

/**
 * Downloads of the migration's reports, for users allowed to read them, and its scheduled reports,
 * for users allowed to manage them. Files are fetched with the user's Backstage credentials, then saved.
 */
export function ReportsMenu(props: { migrationId: string }) {
  const canRead = usePermission({ permission: cutoverReportReadPermission, resourceRef: props.migrationId }).allowed;
  const canSchedule = usePermission({
    permission: cutoverReportSchedulePermission,
    resourceRef: props.migrationId,
  }).allowed;
  const discovery = useApi(discoveryApiRef);
  const { fetch } = useApi(fetchApiRef);
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [error, setError] = useState<string>();
  const [scheduling, setScheduling] = useState(false);
  if (!canRead && !canSchedule) return null;
  const download = async (file: string) => {
    setAnchor(null);
    try {
      await downloadFromCutover(
        { discovery, fetch },
        `/migrations/${encodeURIComponent(props.migrationId)}/reports/${file}`,
        `${props.migrationId}-${file}`,
      );
    } catch (e) {
      setError(`Could not download ${file}: ${(e as Error).message}`);
    }
  };
  return (
    <>
      <Button size="small" variant="outlined" startIcon={<GetAppIcon />} onClick={e => setAnchor(e.currentTarget)}>
        Reports
      </Button>
      <Menu anchorEl={anchor} open={!!anchor} onClose={() => setAnchor(null)}>
        {canRead &&
          REPORTS.map(r => (
            <MenuItem key={r.file} onClick={() => download(r.file)}>
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
      <Snackbar open={!!error} autoHideDuration={8000} onClose={() => setError(undefined)} message={error} />
    </>
  );
}
