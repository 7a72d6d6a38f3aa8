import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import AcUnitIcon from '@material-ui/icons/AcUnit';
import {
  CUTOVER_TRANSITIONS,
  Dataset,
  DatasetSwitchEvent,
  FreezeWindow,
} from '@switchyard/plugin-cutover-common';
import {
  formatDateTime,
  formatRelative,
  formatUserRef,
} from '../common/format';
import { StatusChip } from '../common/StatusChip';
import {
  describeMove,
  describeRollout,
  STATE_ACTIONS,
  SwitchChange,
} from './datasetSwitches';
import { DatasetDrift, formatDrift } from './reconciliationRuns';
import { ReadSourceControl } from './ReadSourceControl';

function FreezeBadge(props: { windows: FreezeWindow[] }) {
  const { windows } = props;
  if (!windows.length) return null;
  const title = windows
    .map(
      w =>
        `Freeze window "${w.name}" until ${formatDateTime(
          w.endsAt,
        )}; read switches ${
          w.allowReadSourceSwitch ? 'allowed' : 'not allowed'
        }`,
    )
    .join('. ');
  return (
    <Tooltip title={title}>
      <Chip
        size="small"
        color="primary"
        variant="outlined"
        icon={<AcUnitIcon />}
        label="Frozen"
        data-testid="freeze-badge"
      />
    </Tooltip>
  );
}

function LastSwitch(props: { event?: DatasetSwitchEvent }) {
  const e = props.event;
  if (!e) {
    return (
      <Typography variant="body2" color="textSecondary">
        never
      </Typography>
    );
  }
  return (
    <Box maxWidth={280}>
      <Typography variant="body2">
        {describeMove(e.kind, e.from, e.to)}
        {e.rolloutPercent ? ` for ${e.rolloutPercent}%` : ''}
      </Typography>
      <Tooltip title={formatDateTime(e.at)}>
        <Typography variant="caption" color="textSecondary" component="div">
          {formatUserRef(e.actor)}, {formatRelative(e.at)}
          {e.automatic ? ' (automatic)' : ''}
        </Typography>
      </Tooltip>
      <Typography variant="caption" component="div" noWrap title={e.reason}>
        “{e.reason}”
      </Typography>
    </Box>
  );
}

/**
 * The latest drift of a dataset. While it is still being imported (PENDING) or back on the legacy
 * side (ROLLED_BACK), drift is expected and raises no alert: its level is shown muted.
 */
function Drift(props: {
  drift?: DatasetDrift;
  state: Dataset['cutoverState'];
}) {
  const { drift } = props;
  if (!drift) {
    return (
      <Typography variant="body2" color="textSecondary">
        not reconciled
      </Typography>
    );
  }
  const expected = props.state === 'PENDING' || props.state === 'ROLLED_BACK';
  const when = `Reconciliation of ${formatDateTime(drift.at)}`;
  return (
    <Tooltip
      title={
        expected && drift.level && drift.level !== 'OK'
          ? `${when}. Expected while the dataset is ${
              props.state === 'PENDING' ? 'still being imported' : 'rolled back'
            }: no alert is raised.`
          : when
      }
    >
      <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
        <Typography
          variant="body2"
          component="span"
          color={expected ? 'textSecondary' : 'textPrimary'}
        >
          {formatDrift(drift.ratio)}
        </Typography>
        {drift.level &&
          (expected && drift.level !== 'OK' ? (
            <Chip
              size="small"
              variant="outlined"
              label={drift.level}
              data-testid={`expected-drift-${drift.level}`}
            />
          ) : (
            <StatusChip status={drift.level} />
          ))}
      </span>
    </Tooltip>
  );
}

function TransitionButtons(props: {
  dataset: Dataset;
  onChange: (change: SwitchChange) => void;
}) {
  const d = props.dataset;
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
      {CUTOVER_TRANSITIONS[d.cutoverState].map(to => (
        <Button
          key={to}
          size="small"
          variant="outlined"
          color={to === 'ROLLED_BACK' ? 'secondary' : 'default'}
          onClick={() =>
            props.onChange({
              kind: 'CUTOVER_STATE',
              dataset: d.name,
              from: d.cutoverState,
              to,
              readSource: d.readSource,
            })
          }
        >
          {STATE_ACTIONS[to]}
        </Button>
      ))}
    </Box>
  );
}

/**
 * Every dataset's cutover state, read source, last switch and drift, with the moves the user
 * may make (each confirmed in a dialog by the caller).
 */
export function CutoverBoard(props: {
  datasets: Dataset[];
  lastSwitches: Map<string, DatasetSwitchEvent>;
  drift: Map<string, DatasetDrift>;
  freezes: Map<string, FreezeWindow[]>;
  canSwitch: boolean;
  onChange: (change: SwitchChange) => void;
}) {
  const { canSwitch } = props;
  const rows = [...props.datasets].sort(
    (a, b) => a.tier - b.tier || a.name.localeCompare(b.name),
  );
  return (
    <InfoCard title={`Datasets (${rows.length})`} noPadding>
      <Box style={{ overflowX: 'auto' }}>
        <Table size="small" aria-label="Cutover board">
          <TableHead>
            <TableRow>
              <TableCell>Dataset</TableCell>
              <TableCell>Tier</TableCell>
              <TableCell>State</TableCell>
              <TableCell>Reads</TableCell>
              <TableCell>Last switch</TableCell>
              <TableCell>Drift</TableCell>
              {canSwitch && <TableCell>Move to</TableCell>}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(d => (
              <TableRow key={d.name} data-testid={`cutover-dataset-${d.name}`}>
                <TableCell style={{ whiteSpace: 'nowrap' }}>
                  <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                    <Typography variant="body2" style={{ fontWeight: 600 }}>
                      {d.name}
                    </Typography>
                    <FreezeBadge windows={props.freezes.get(d.name) ?? []} />
                  </Box>
                  {d.category && (
                    <Typography variant="caption" color="textSecondary">
                      {d.category}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>{d.tier}</TableCell>
                <TableCell>
                  <StatusChip status={d.cutoverState} />
                </TableCell>
                <TableCell>
                  <ReadSourceControl
                    dataset={d.name}
                    value={d.readSource}
                    cutoverState={d.cutoverState}
                    canSwitch={canSwitch}
                    rollout={!!d.rollout}
                    onSwitch={to =>
                      props.onChange({
                        kind: 'READ_SOURCE',
                        dataset: d.name,
                        from: d.readSource,
                        to,
                        rollout: d.rollout ?? null,
                      })
                    }
                  />
                  {d.rollout && (
                    <Tooltip
                      title={`A gradual rollout: ${describeRollout(
                        d.rollout,
                      )} (by targeting key); the others read ${d.readSource}`}
                    >
                      <Chip
                        size="small"
                        color="primary"
                        label={`${d.rollout.source} ${d.rollout.percent}%`}
                        data-testid={`rollout-${d.name}`}
                        style={{ marginLeft: 8 }}
                      />
                    </Tooltip>
                  )}
                </TableCell>
                <TableCell>
                  <LastSwitch event={props.lastSwitches.get(d.name)} />
                </TableCell>
                <TableCell>
                  <Drift
                    drift={props.drift.get(d.name)}
                    state={d.cutoverState}
                  />
                </TableCell>
                {canSwitch && (
                  <TableCell>
                    <TransitionButtons dataset={d} onChange={props.onChange} />
                  </TableCell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Box>
    </InfoCard>
  );
}
