import { InfoCard, Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type {
  Blocker,
  BlockerFix,
  Readiness,
} from '@switchyard/plugin-cutover-common';
import { useLocation } from 'react-router-dom';
import { StatusChip } from '../common/StatusChip';

/** The entity page's tabs, by their path; the Readiness tab is `readiness`. */
const TAB_LABELS: Record<string, string> = {
  readiness: 'Readiness',
  migration: 'Migration',
  cutover: 'Cutover',
};

const SECTION_LABELS: Record<string, string> = {
  checklist: 'checklist',
  approval: 'approval',
  alerts: 'alerts',
  quality: 'quality',
  reconciliation: 'reconciliation',
  'freeze-windows': 'freeze windows',
  datasets: 'datasets',
};

/**
 * Where a blocker is fixed, as a link: the sibling tab of this entity page (`…/readiness` becomes
 * `…/cutover#freeze-windows`), or a section of this tab.
 */
export function useFixLink(): (fix: BlockerFix) => {
  to: string;
  label: string;
} {
  const { pathname } = useLocation();
  const base = pathname.replace(/\/readiness\/?$/, '');
  return fix => {
    const [tab, section] = fix.split('#');
    const to =
      tab === 'readiness' && base !== pathname
        ? `#${section}`
        : `${base.replace(/\/$/, '')}/${tab}#${section}`;
    return {
      to,
      label: `${TAB_LABELS[tab] ?? tab} tab, ${
        SECTION_LABELS[section] ?? section
      }`,
    };
  };
}

function BlockerLine(props: { blocker: Blocker; dataset: string }) {
  const { blocker } = props;
  const fixLink = useFixLink();
  const link = blocker.fixIn ? fixLink(blocker.fixIn) : undefined;
  return (
    <li data-testid={`gate-blocker-${props.dataset}-${blocker.source}`}>
      <Typography
        variant="body2"
        component="span"
        color={blocker.severity === 'CRITICAL' ? 'error' : 'textPrimary'}
      >
        <strong>{blocker.severity}</strong> {blocker.message}
      </Typography>
      {link && (
        <>
          {' '}
          <Link to={link.to} underline="always" data-testid="gate-fix-link">
            Fix in the {link.label}
          </Link>
        </>
      )}
    </li>
  );
}

/**
 * The cutover gate: per dataset, what stands between it and CUTOVER / NEW reads (its drift, alerts
 * and freeze windows, the migration-wide blockers and the approval), each line linking to where it
 * is fixed.
 */
export function CutoverGateCard(props: { readiness: Readiness }) {
  const gate = props.readiness.cutoverGate;
  const key = (b: Blocker) => `${b.source}|${b.ref ?? ''}|${b.message}`;
  // Blockers that stand before every dataset (the checklist, quality, the approval, alerts of the
  // whole migration) are listed once above the table; each row shows its own.
  const shared =
    gate.datasets.length > 1
      ? gate.datasets
          .map(d => new Set(d.blockers.map(key)))
          .reduce((a, b) => new Set([...a].filter(k => b.has(k))))
      : new Set<string>();
  const sharedBlockers = (gate.datasets[0]?.blockers ?? []).filter(b =>
    shared.has(key(b)),
  );
  return (
    <InfoCard
      title="Cutover gate"
      subheader={
        gate.open
          ? 'Nothing stands between the datasets and CUTOVER / NEW reads.'
          : 'What stands between each dataset and CUTOVER / NEW reads'
      }
      noPadding
    >
      <Box data-testid="cutover-gate">
        {sharedBlockers.length > 0 && (
          <Box px={2} pt={1} pb={1} data-testid="gate-all">
            <Typography variant="subtitle2">
              Before every dataset ({sharedBlockers.length})
            </Typography>
            <Box component="ul" pl={2} m={0}>
              {sharedBlockers.map(b => (
                <BlockerLine key={key(b)} blocker={b} dataset="all" />
              ))}
            </Box>
          </Box>
        )}
        <Box style={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Cutover gate">
            <TableHead>
              <TableRow>
                <TableCell>Dataset</TableCell>
                <TableCell>State</TableCell>
                <TableCell>Reads</TableCell>
                <TableCell>Drift</TableCell>
                <TableCell>Gate</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {gate.datasets.map(d => {
                const own = d.blockers.filter(b => !shared.has(key(b)));
                return (
                  <TableRow key={d.dataset} data-testid={`gate-${d.dataset}`}>
                    <TableCell style={{ whiteSpace: 'nowrap' }}>
                      <Typography variant="body2" style={{ fontWeight: 600 }}>
                        {d.dataset}
                      </Typography>
                    </TableCell>
                    <TableCell style={{ whiteSpace: 'nowrap' }}>
                      <StatusChip status={d.cutoverState} />
                    </TableCell>
                    <TableCell style={{ whiteSpace: 'nowrap' }}>
                      <Typography variant="body2">
                        {d.readSource}
                        {d.rollout
                          ? ` (${d.rollout.source} for ${d.rollout.percent}%)`
                          : ''}
                      </Typography>
                    </TableCell>
                    <TableCell style={{ whiteSpace: 'nowrap' }}>
                      <Typography variant="body2">
                        {d.driftLevel ?? 'not reconciled'}
                      </Typography>
                    </TableCell>
                    <TableCell style={{ width: '100%' }}>
                      {d.open && (
                        <Chip
                          size="small"
                          label="Open"
                          style={{ background: '#2e7d32', color: '#fff' }}
                        />
                      )}
                      {!d.open && own.length === 0 && (
                        <Typography variant="body2" color="textSecondary">
                          Only the blockers before every dataset
                        </Typography>
                      )}
                      {own.length > 0 && (
                        <Box component="ul" pl={2} m={0}>
                          {own.map(b => (
                            <BlockerLine
                              key={key(b)}
                              blocker={b}
                              dataset={d.dataset}
                            />
                          ))}
                        </Box>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Box>
      </Box>
    </InfoCard>
  );
}
