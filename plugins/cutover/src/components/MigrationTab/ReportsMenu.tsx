import { fetchApiRef, discoveryApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Menu from '@material-ui/core/Menu';
import MenuItem from '@material-ui/core/MenuItem';
import Snackbar from '@material-ui/core/Snackbar';
import GetAppIcon from '@material-ui/icons/GetApp';
import { cutoverReportReadPermission } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';

const REPORTS = [
  { file: 'detailed.xlsx', label: 'Detailed workbook (Excel)' },
  { file: 'audit.csv', label: 'Audit trail (CSV)' },
];

/**
 * Downloads of the migration's reports, for users allowed to read them. Files are fetched with
 * the user's Backstage credentials, then saved.
 */
export function ReportsMenu(props: { migrationId: string }) {
  const { allowed } = usePermission({ permission: cutoverReportReadPermission, resourceRef: props.migrationId });
  const discovery = useApi(discoveryApiRef);
  const { fetch } = useApi(fetchApiRef);
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [error, setError] = useState<string>();
  if (!allowed) return null;
  const download = async (file: string) => {
    setAnchor(null);
    try {
      const base = await discovery.getBaseUrl('cutover');
      const res = await fetch(`${base}/migrations/${encodeURIComponent(props.migrationId)}/reports/${file}`);
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `${props.migrationId}-${file}`;
      a.click();
      URL.revokeObjectURL(url);
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
        {REPORTS.map(r => (
          <MenuItem key={r.file} onClick={() => download(r.file)}>
            {r.label}
          </MenuItem>
        ))}
      </Menu>
      <Snackbar open={!!error} autoHideDuration={8000} onClose={() => setError(undefined)} message={error} />
    </>
  );
}
