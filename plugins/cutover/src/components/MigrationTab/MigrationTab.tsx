import { Content, MissingAnnotationEmptyState } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { CUTOVER_MIGRATION_ANNOTATION } from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { getEntityMigrationIds } from '../../conditions';
import { useSearchParams } from 'react-router-dom';
import { MigrationDashboard } from './MigrationDashboard';
import { StoredReportBanner } from './StoredReportBanner';

/** Picks one of several migrations named by the entity's annotation. */
export function MigrationSelector(props: {
  ids: string[];
  children: (migrationId: string) => JSX.Element;
}) {
  const [selected, setSelected] = useState(props.ids[0]);
  if (props.ids.length === 1) return props.children(props.ids[0]);
  return (
    <Box>
      <Tabs
        value={selected}
        onChange={(_e, v) => setSelected(v)}
        indicatorColor="primary"
        textColor="primary"
        aria-label="Migrations of this entity"
        variant="scrollable"
      >
        {props.ids.map(id => (
          <Tab key={id} value={id} label={id} />
        ))}
      </Tabs>
      <Box mt={2}>{props.children(selected)}</Box>
    </Box>
  );
}

/** The Migration tab of an entity page. */
export function MigrationTab() {
  const { entity } = useEntity();
  const ids = getEntityMigrationIds(entity);
  const [params] = useSearchParams();
  const reportId = params.get('report');
  const reportMigration = params.get('migration') ?? ids[0];
  if (!ids.length) {
    return <MissingAnnotationEmptyState annotation={CUTOVER_MIGRATION_ANNOTATION} />;
  }
  return (
    <Content noPadding>
      {reportId && ids.includes(reportMigration) && (
        <Box mb={2}>
          <StoredReportBanner migrationId={reportMigration} reportId={reportId} />
        </Box>
      )}
      <MigrationSelector ids={ids}>
        {id => <MigrationDashboard key={id} migrationId={id} />}
      </MigrationSelector>
    </Content>
  );
}
