import {
  Content,
  EmptyState,
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import {
  Checklist,
  CUTOVER_MIGRATION_ANNOTATION,
  Readiness,
} from '@switchyard/plugin-cutover-common';
import { getEntityMigrationIds } from '../../conditions';
import { useLiveCutoverData } from '../../hooks/useCutoverData';
import { MigrationSelector } from '../MigrationTab/MigrationTab';
import { ApprovalPanel } from './ApprovalPanel';
import { ChecklistCard } from './ChecklistCard';
import { BlockersCard, ReadinessSummary } from './ReadinessSummary';

const isNotFound = (e: Error) => (e as any).response?.status === 404;

/** Readiness, checklist and approvals of one migration, live. */
export function ReadinessView(props: { migrationId: string }) {
  const kinds = ['checklist', 'approval', 'progress', 'quality'] as const;
  const readiness = useLiveCutoverData<Readiness>(props.migrationId, (api, id) => api.getReadiness(id), [...kinds]);
  const checklist = useLiveCutoverData<Checklist>(props.migrationId, (api, id) => api.getChecklist(id), [...kinds]);
  const refresh = () => {
    readiness.retry();
    checklist.retry();
  };
  const error = readiness.error ?? checklist.error;
  if (error && (!readiness.value || !checklist.value)) {
    if (isNotFound(error)) {
      return (
        <EmptyState
          missing="data"
          title={`Migration "${props.migrationId}" does not exist yet`}
          description="Apply its plan (cutover apply -f plan.yaml) to create it, with its checklist."
        />
      );
    }
    return (
      <Box>
        <ResponseErrorPanel error={error} title="Could not load readiness" />
        <Button variant="outlined" onClick={refresh} style={{ marginTop: 16 }}>
          Try again
        </Button>
      </Box>
    );
  }
  if (!readiness.value || !checklist.value) return <Progress />;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={5}>
        <ReadinessSummary readiness={readiness.value} />
      </Grid>
      <Grid item xs={12} md={7}>
        <BlockersCard readiness={readiness.value} />
      </Grid>
      <Grid item xs={12}>
        <ApprovalPanel migrationId={props.migrationId} readiness={readiness.value} onChanged={refresh} />
      </Grid>
      <Grid item xs={12}>
        <ChecklistCard migrationId={props.migrationId} checklist={checklist.value} onChanged={refresh} />
      </Grid>
    </Grid>
  );
}

/** The Readiness tab of an entity page. */
export function ReadinessTab() {
  const { entity } = useEntity();
  const ids = getEntityMigrationIds(entity);
  if (!ids.length) return <MissingAnnotationEmptyState annotation={CUTOVER_MIGRATION_ANNOTATION} />;
  return (
    <Content noPadding>
      <MigrationSelector ids={ids}>{id => <ReadinessView key={id} migrationId={id} />}</MigrationSelector>
    </Content>
  );
}
