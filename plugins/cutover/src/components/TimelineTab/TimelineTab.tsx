import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import {
  cutoverMigrationUpdatePermission,
  FreezeWindow,
  Milestone,
  Timeline,
} from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { useLiveCutoverData } from '../../hooks/useCutoverData';
import { EntityMigrations } from '../common/EntityMigrations';
import { formatDateTime } from '../common/format';
import { LoadFailure } from '../common/LoadFailure';
import { loadAllPages } from '../common/paging';
import { GanttChart } from './GanttChart';
import { MilestoneDialog, PhaseUpdateDialog } from './TimelineActions';

function days(n: number) {
  const abs = Math.abs(n);
  return `${abs.toFixed(abs < 10 ? 1 : 0)} day${abs === 1 ? '' : 's'}`;
}

/** Variance, prediction and the critical path in words. */
function ScheduleSummary(props: { timeline: Timeline }) {
  const t = props.timeline;
  const late = t.scheduleVarianceDays > 0.01;
  const names = new Map(t.phases.map(p => [p.id, p.name]));
  let variance = 'On schedule';
  if (late) variance = `${days(t.scheduleVarianceDays)} late`;
  else if (t.scheduleVarianceDays < -0.01) variance = `${days(t.scheduleVarianceDays)} ahead`;
  return (
    <InfoCard title="Schedule">
      <Grid container spacing={2}>
        <Grid item xs={12} sm={4}>
          <Typography variant="caption" color="textSecondary">Schedule variance</Typography>
          <Typography variant="h5" color={late ? 'error' : 'textPrimary'} data-testid="schedule-variance">
            {variance}
          </Typography>
        </Grid>
        <Grid item xs={12} sm={4}>
          <Typography variant="caption" color="textSecondary">Predicted completion</Typography>
          <Typography variant="h6">{formatDateTime(t.predictedCompletion)}</Typography>
          <Typography variant="caption" color="textSecondary">planned {formatDateTime(t.plannedEnd)}</Typography>
        </Grid>
        <Grid item xs={12} sm={4}>
          <Typography variant="caption" color="textSecondary">Critical path</Typography>
          <Typography variant="body2" data-testid="critical-path">
            {t.criticalPath.length ? t.criticalPath.map(id => names.get(id) ?? id).join(' → ') : 'none (every phase has slack)'}
          </Typography>
        </Grid>
      </Grid>
      {t.delays.length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle2">Delays</Typography>
          <Box component="ul" m={0} pl={2}>
            {t.delays.map(d => (
              <li key={`${d.kind}-${d.id}`}>
                <Typography variant="body2">
                  {d.kind === 'milestone' ? 'Milestone' : 'Phase'} <strong>{d.name}</strong>: {days(d.delayDays)} late
                  (planned {formatDateTime(d.plannedEnd)}, now {formatDateTime(d.expectedEnd)})
                </Typography>
              </li>
            ))}
          </Box>
        </Box>
      )}
    </InfoCard>
  );
}

/** Timeline of one migration, live. */
export function TimelineView(props: { migrationId: string }) {
  const { value, error, retry } = useLiveCutoverData<Timeline>(
    props.migrationId,
    (api, id) => api.getTimeline(id),
    ['timeline'],
  );
  // Freeze windows are drawn on the chart, every page of them; without them (say, an older
  // backend) it still shows.
  const freezeWindows = useLiveCutoverData<{ items: FreezeWindow[] }>(
    props.migrationId,
    (api, id) => loadAllPages(cursor => api.listFreezeWindows(id, { cursor })),
    ['timeline', 'readsource'],
  );
  const canUpdate = usePermission({
    permission: cutoverMigrationUpdatePermission,
    resourceRef: props.migrationId,
  }).allowed;
  const [updatingPhase, setUpdatingPhase] = useState(false);
  const [milestone, setMilestone] = useState<Milestone>();
  if (error && !value) {
    return (
      <LoadFailure
        error={error}
        what="the timeline"
        retry={retry}
        missing={{
          migrationId: props.migrationId,
          howToCreate: 'Apply its plan (cutover apply -f plan.yaml) to create it with its phases.',
        }}
      />
    );
  }
  if (!value) return <Progress />;
  if (!value.phases.length) {
    return <EmptyState missing="content" title="No phases planned" description="Add phases (with planned dates and dependencies) to the migration's plan, or report them from jobs with: cutover phase -m ID PHASE --name NAME --start" />;
  }
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <ScheduleSummary timeline={value} />
      </Grid>
      <Grid item xs={12} style={{ minWidth: 0 }}>
        <InfoCard
          title="Phases"
          noPadding
          action={
            canUpdate ? (
              <Box pt={1} pr={1}>
                <Button color="primary" onClick={() => setUpdatingPhase(true)}>
                  Update a phase
                </Button>
              </Box>
            ) : undefined
          }
        >
          <Box p={2} style={{ maxWidth: '100%', overflowX: 'auto' }}>
            <GanttChart timeline={value} freezeWindows={freezeWindows.value?.items} />
          </Box>
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Milestones" noPadding>
          <Table size="small" aria-label="Milestones">
            <TableHead>
              <TableRow>
                <TableCell>Milestone</TableCell>
                <TableCell>Planned</TableCell>
                <TableCell>Reached</TableCell>
                {canUpdate && <TableCell />}
              </TableRow>
            </TableHead>
            <TableBody>
              {value.milestones.map(m => (
                <TableRow key={m.id} data-testid={`milestone-${m.id}`}>
                  <TableCell>{m.name}</TableCell>
                  <TableCell>{formatDateTime(m.plannedDate)}</TableCell>
                  <TableCell>{m.completed ? formatDateTime(m.actualDate) : 'not yet'}</TableCell>
                  {canUpdate && (
                    <TableCell align="right">
                      <Button size="small" variant="outlined" onClick={() => setMilestone(m)}>
                        {m.completed ? 'Reopen' : 'Mark reached'}
                      </Button>
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </InfoCard>
      </Grid>
      {updatingPhase && (
        <PhaseUpdateDialog
          migrationId={props.migrationId}
          phases={value.phases}
          onClose={changed => {
            setUpdatingPhase(false);
            if (changed) retry();
          }}
        />
      )}
      {milestone && (
        <MilestoneDialog
          migrationId={props.migrationId}
          milestone={milestone}
          onClose={changed => {
            setMilestone(undefined);
            if (changed) retry();
          }}
        />
      )}
    </Grid>
  );
}

/** The Timeline tab of an entity page. */
export function TimelineTab() {
  return <EntityMigrations>{id => <TimelineView key={id} migrationId={id} />}</EntityMigrations>;
}
