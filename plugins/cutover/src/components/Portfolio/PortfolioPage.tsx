import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Page,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Typography from '@material-ui/core/Typography';
import {
  MIGRATION_STATUSES,
  PortfolioItem,
  PortfolioRequest,
  PortfolioSort,
} from '@switchyard/plugin-cutover-common';
import { useState } from 'react';
import { usePortfolio } from '../../hooks/usePortfolio';
import { formatRelative } from '../common/format';
import { LiveIndicator } from '../common/LiveIndicator';
import { LoadFailure } from '../common/LoadFailure';
import { StatusChip } from '../common/StatusChip';
import {
  AlertCounts,
  MigrationTitle,
  ProgressBar,
  shortRef,
  VerdictChip,
} from './parts';

/** Rows per page of the portfolio. */
export const PORTFOLIO_PAGE_SIZE = 25;

const SORTS: Array<{ value: PortfolioSort; label: string }> = [
  { value: 'risk', label: 'Risk (riskiest first)' },
  { value: 'title', label: 'Title' },
  { value: 'progress', label: 'Progress' },
  { value: 'plannedEnd', label: 'Planned end' },
  { value: 'lastActivity', label: 'Last activity' },
];

function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange: (value: string) => void;
}) {
  return (
    <FormControl variant="outlined" size="small" style={{ minWidth: 170 }}>
      <InputLabel id={`${props.id}-label`}>{props.label}</InputLabel>
      <Select
        labelId={`${props.id}-label`}
        id={props.id}
        value={props.value}
        label={props.label}
        onChange={e => props.onChange(String(e.target.value))}
        data-testid={props.id}
      >
        {props.options.map(o => (
          <MenuItem key={o.value} value={o.value}>
            {o.label}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

function eta(item: PortfolioItem) {
  if (item.status === 'COMPLETED') return 'done';
  if (!item.estimatedCompletion) return '–';
  const when = formatRelative(item.estimatedCompletion);
  if (item.etaVarianceDays === null) return when;
  const v = item.etaVarianceDays;
  if (Math.abs(v) < 0.5) return `${when} (on plan)`;
  return `${when} (${Math.abs(v).toFixed(1)} d ${v > 0 ? 'late' : 'early'})`;
}

const small = { padding: '6px 8px' };

const columns: TableColumn<PortfolioItem>[] = [
  {
    title: 'Migration',
    field: 'title',
    render: item => (
      <Box>
        <MigrationTitle item={item} />
        <Typography variant="caption" color="textSecondary" component="div">
          owner {shortRef(item.owner)}
        </Typography>
      </Box>
    ),
    cellStyle: { ...small, minWidth: 190, maxWidth: 250 },
  },
  {
    title: 'Status',
    field: 'status',
    render: item => <StatusChip status={item.status} />,
    cellStyle: small,
  },
  {
    title: 'Progress',
    field: 'overallProgress',
    render: item => <ProgressBar value={item.overallProgress} />,
    cellStyle: small,
  },
  {
    title: 'ETA vs plan',
    field: 'estimatedCompletion',
    render: item => (
      <Typography
        variant="body2"
        color={
          item.etaVarianceDays !== null && item.etaVarianceDays >= 0.5
            ? 'error'
            : 'textPrimary'
        }
      >
        {eta(item)}
      </Typography>
    ),
    cellStyle: { ...small, maxWidth: 130 },
  },
  {
    title: 'Readiness · risk',
    field: 'recommendation',
    render: item => (
      <Box display="flex" flexDirection="column" alignItems="flex-start" style={{ gap: 4 }}>
        <VerdictChip
          value={item.recommendation}
          testId={`recommendation-${item.migrationId}`}
        />
        <Box display="flex" alignItems="center" style={{ gap: 4 }}>
          <VerdictChip value={item.riskLevel} />
          <Typography variant="caption" color="textSecondary">
            score {item.score}
          </Typography>
        </Box>
      </Box>
    ),
    cellStyle: small,
  },
  {
    title: 'Alerts C/H/M/L',
    field: 'openAlerts',
    render: item => <AlertCounts alerts={item.openAlerts} />,
    cellStyle: small,
  },
  {
    title: 'Drift · approval',
    field: 'worstDrift',
    render: item => (
      <Box display="flex" flexDirection="column" alignItems="flex-start" style={{ gap: 4 }}>
        {item.worstDrift ? (
          <StatusChip status={item.worstDrift} />
        ) : (
          <Typography variant="caption" color="textSecondary">
            no reconciliation
          </Typography>
        )}
        <Typography variant="caption" data-testid={`approval-${item.migrationId}`}>
          approval: {item.approvalStatus.replace(/_/g, ' ').toLowerCase()}
        </Typography>
      </Box>
    ),
    cellStyle: small,
  },
  {
    title: 'Next milestone',
    field: 'nextMilestone',
    render: item =>
      item.nextMilestone ? (
        <Box>
          <Typography variant="body2">{item.nextMilestone.name}</Typography>
          <Typography variant="caption" color="textSecondary">
            {formatRelative(item.nextMilestone.plannedDate)}
          </Typography>
        </Box>
      ) : (
        '–'
      ),
    cellStyle: { ...small, maxWidth: 140 },
  },
  {
    title: 'Last activity',
    field: 'lastActivityAt',
    render: item => formatRelative(item.lastActivityAt),
    cellStyle: { ...small, maxWidth: 110 },
  },
];

/** The portfolio's table with its filters, sort and pager, for a page or a tab. */
export function PortfolioView() {
  const [owner, setOwner] = useState<'mine' | 'all'>('mine');
  const [status, setStatus] = useState('');
  const [recommendation, setRecommendation] = useState('');
  const [risk, setRisk] = useState('');
  const [sort, setSort] = useState<PortfolioSort>('risk');
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  const cursor = cursors[cursors.length - 1];
  const request: PortfolioRequest = {
    owner: owner === 'all' ? 'all' : undefined,
    status: (status || undefined) as PortfolioRequest['status'],
    recommendation: (recommendation ||
      undefined) as PortfolioRequest['recommendation'],
    risk: (risk || undefined) as PortfolioRequest['risk'],
    sort,
    limit: PORTFOLIO_PAGE_SIZE,
    cursor,
  };
  const data = usePortfolio(request);
  const refilter =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setCursors([undefined]);
    };
  const page = data.value;
  const first = (cursors.length - 1) * PORTFOLIO_PAGE_SIZE;

  const filters = (
    <Box display="flex" flexWrap="wrap" style={{ gap: 12 }} mb={2}>
      <FilterSelect
        id="portfolio-owner"
        label="Owner"
        value={owner}
        options={[
          { value: 'mine', label: 'My groups' },
          { value: 'all', label: 'All owners' },
        ]}
        onChange={refilter(v => setOwner(v as 'mine' | 'all'))}
      />
      <FilterSelect
        id="portfolio-status"
        label="Status"
        value={status}
        options={[
          { value: '', label: 'Any status' },
          ...MIGRATION_STATUSES.map(s => ({
            value: s,
            label: s.replace(/_/g, ' ').toLowerCase(),
          })),
        ]}
        onChange={refilter(setStatus)}
      />
      <FilterSelect
        id="portfolio-recommendation"
        label="Recommendation"
        value={recommendation}
        options={[
          { value: '', label: 'Any recommendation' },
          { value: 'GO', label: 'GO' },
          { value: 'GO_WITH_CAUTION', label: 'GO with caution' },
          { value: 'NO_GO', label: 'NO GO' },
        ]}
        onChange={refilter(setRecommendation)}
      />
      <FilterSelect
        id="portfolio-risk"
        label="Risk"
        value={risk}
        options={[
          { value: '', label: 'Any risk' },
          ...['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map(r => ({
            value: r,
            label: r.toLowerCase(),
          })),
        ]}
        onChange={refilter(setRisk)}
      />
      <FilterSelect
        id="portfolio-sort"
        label="Sort by"
        value={sort}
        options={SORTS}
        onChange={refilter(v => setSort(v as PortfolioSort))}
      />
    </Box>
  );

  let body: JSX.Element;
  if (data.error && !page) {
    body = (
      <LoadFailure error={data.error} what="the portfolio" retry={data.retry} />
    );
  } else if (!page) {
    body = <Progress data-testid="portfolio-loading" />;
  } else if (page.totalCount === 0) {
    body = (
      <EmptyState
        missing="data"
        title={
          owner === 'mine'
            ? 'No migrations owned by your groups'
            : 'No migrations match'
        }
        description={
          owner === 'mine'
            ? 'Choose "All owners" to see every migration you may read, or change the filters.'
            : 'No migration you may read matches these filters. Migrations appear here once their plan is applied.'
        }
        action={
          owner === 'mine' ? (
            <Button
              variant="contained"
              color="primary"
              onClick={() => refilter(setOwner)('all')}
            >
              Show all owners
            </Button>
          ) : undefined
        }
      />
    );
  } else {
    body = (
      <>
        <Table<PortfolioItem>
          title={`${page.totalCount} migration${
            page.totalCount === 1 ? '' : 's'
          }`}
          options={{
            paging: false,
            search: false,
            sorting: false,
            padding: 'dense',
            headerStyle: { padding: '6px 8px', whiteSpace: 'nowrap' },
            draggable: false,
          }}
          isLoading={data.loading}
          columns={columns}
          data={page.items}
        />
        <Box
          display="flex"
          justifyContent="flex-end"
          alignItems="center"
          mt={1}
          style={{ gap: 12 }}
        >
          <Typography variant="body2" data-testid="portfolio-range">
            {first + 1}–{first + page.items.length} of {page.totalCount}
          </Typography>
          <Button
            size="small"
            disabled={cursors.length <= 1}
            onClick={() => setCursors(c => c.slice(0, -1))}
          >
            Previous
          </Button>
          <Button
            size="small"
            disabled={!page.nextCursor}
            onClick={() =>
              setCursors(c => [...c, page.nextCursor ?? undefined])
            }
          >
            Next
          </Button>
        </Box>
      </>
    );
  }

  return (
    <>
      <ContentHeader title="Migrations">
        <LiveIndicator live={data.live} />
      </ContentHeader>
      {page?.owners && owner === 'mine' && (
        <Typography variant="body2" color="textSecondary" gutterBottom>
          Owned by{' '}
          {page.owners
            .filter(o => !o.startsWith('user:'))
            .map(shortRef)
            .join(', ') || 'you'}
        </Typography>
      )}
      {filters}
      {data.error && page && (
        <Typography color="error" variant="body2">
          Could not refresh: {data.error.message}
        </Typography>
      )}
      {body}
    </>
  );
}

/** The Switchyard portfolio page: every migration the user may read. */
export function PortfolioPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Switchyard"
        subtitle="Every data migration: progress, readiness and risk"
      />
      <Content>
        <PortfolioView />
      </Content>
    </Page>
  );
}
