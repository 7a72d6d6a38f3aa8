import Box from '@material-ui/core/Box';
import { useSearchParams } from 'react-router-dom';
import { EntityMigrations } from '../common/EntityMigrations';
import { MigrationDashboard } from './MigrationDashboard';
import { StoredReportBanner } from './StoredReportBanner';

/** The Migration tab of an entity page. */
export function MigrationTab() {
  const [params] = useSearchParams();
  const reportId = params.get('report');
  return (
    <EntityMigrations
      header={ids => {
        const reportMigration = params.get('migration') ?? ids[0];
        return (
          reportId &&
          ids.includes(reportMigration) && (
            <Box mb={2}>
              <StoredReportBanner
                migrationId={reportMigration}
                reportId={reportId}
              />
            </Box>
          )
        );
      }}
    >
      {id => <MigrationDashboard key={id} migrationId={id} />}
    </EntityMigrations>
  );
}
