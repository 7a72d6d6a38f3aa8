import { Progress } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { Checklist, Readiness } from '@switchyard/plugin-cutover-common';
import { useLiveCutoverData } from '../../hooks/useCutoverData';
import { EntityMigrations } from '../common/EntityMigrations';
import { LoadFailure } from '../common/LoadFailure';
import { ApprovalPanel } from './ApprovalPanel';
import { ChecklistCard } from './ChecklistCard';
import { CutoverGateCard } from './CutoverGateCard';
import { ScrollToHash } from '../common/useScrollToHash';
import { BlockersCard, ReadinessSummary } from './ReadinessSummary';

/** Readiness, checklist and approvals of one migration, live. */
export function ReadinessView(props: { migrationId: string }) {
  const kinds = ['checklist', 'approval', 'progress', 'quality', 'alert', 'readsource', 'reconciliation'] as const;
  const readiness = useLiveCutoverData<Readiness>(props.migrationId, (api, id) => api.getReadiness(id), [...kinds]);
  const checklist = useLiveCutoverData<Checklist>(props.migrationId, (api, id) => api.getChecklist(id), [...kinds]);
  const refresh = () => {
    readiness.retry();
    checklist.retry();
  };
  const error = readiness.error ?? checklist.error;
  if (error && (!readiness.value || !checklist.value)) {
    return (
      <LoadFailure
        error={error}
        what="readiness"
        retry={refresh}
        missing={{
          migrationId: props.migrationId,
          howToCreate:
            'Apply its plan (cutover apply -f plan.yaml) to create it, with its checklist.',
        }}
      />
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
      {readiness.value.cutoverGate && (
        <Grid item xs={12} id="cutover-gate">
          <CutoverGateCard readiness={readiness.value} />
        </Grid>
      )}
      <Grid item xs={12} id="approval">
        <ApprovalPanel migrationId={props.migrationId} readiness={readiness.value} onChanged={refresh} />
      </Grid>
      <Grid item xs={12} id="checklist">
        <ScrollToHash />
        <ChecklistCard migrationId={props.migrationId} checklist={checklist.value} onChanged={refresh} />
      </Grid>
    </Grid>
  );
}

/** The Readiness tab of an entity page. */
export function ReadinessTab() {
  return (
    <EntityMigrations>
      {id => <ReadinessView key={id} migrationId={id} />}
    </EntityMigrations>
  );
}
