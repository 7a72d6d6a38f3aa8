import { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  CUTOVER_PORTFOLIO_CHANNEL,
  CutoverClient,
  PortfolioItem,
  PortfolioPage as PortfolioPageBody,
} from '@switchyard/plugin-cutover-common';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ReactElement } from 'react';
import { cutoverApiRef } from '../../api';
import { BASE, testSignals } from '../../__testUtils__/render';
import { PortfolioPage } from './PortfolioPage';
import { GroupMigrationsCard, SystemMigrationsCard } from './RollupCard';

// Rendering MUI selects and a table is slow on a loaded 2-core machine.
jest.setTimeout(120_000);

const server = setupServer();
registerMswTestHooks(server);

const DAY = 86_400_000;

function item(over: Partial<PortfolioItem>): PortfolioItem {
  return {
    migrationId: 'orders-v2',
    title: 'Orders database to PostgreSQL',
    owner: 'group:default/orders-team',
    entityRefs: ['component:default/orders-service'],
    status: 'IN_PROGRESS',
    overallProgress: 42,
    plannedEnd: new Date(Date.now() + 10 * DAY).toISOString(),
    estimatedCompletion: new Date(Date.now() + 12 * DAY).toISOString(),
    etaVarianceDays: 2,
    recommendation: 'NO_GO',
    riskLevel: 'HIGH',
    score: 55,
    openAlerts: { CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 0 },
    worstDrift: 'WARNING',
    approvalStatus: 'PENDING',
    nextMilestone: { name: 'UAT complete', plannedDate: new Date(Date.now() + 3 * DAY).toISOString() },
    lastActivityAt: new Date(Date.now() - 60_000).toISOString(),
    datasetCount: 3,
    refreshedAt: new Date().toISOString(),
    ...over,
  };
}

const ORDERS = item({});
const BILLING = item({
  migrationId: 'billing-ledger',
  title: 'Billing ledger to the new store',
  owner: 'group:default/billing-team',
  entityRefs: ['component:default/billing-service'],
  status: 'PLANNED',
  overallProgress: 0,
  recommendation: 'GO_WITH_CAUTION',
  riskLevel: 'MEDIUM',
  openAlerts: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 },
  worstDrift: null,
  nextMilestone: null,
});

function pageOf(items: PortfolioItem[], over: Partial<PortfolioPageBody> = {}): PortfolioPageBody {
  const counts: PortfolioPageBody['counts'] = { byStatus: {}, byRecommendation: {}, byRisk: {} };
  for (const i of items) {
    counts.byStatus[i.status] = (counts.byStatus[i.status] ?? 0) + 1;
    counts.byRecommendation[i.recommendation] = (counts.byRecommendation[i.recommendation] ?? 0) + 1;
    counts.byRisk[i.riskLevel] = (counts.byRisk[i.riskLevel] ?? 0) + 1;
  }
  return { items, totalCount: items.length, nextCursor: null, counts, owners: null, ...over };
}

/** Records the queries the page sends and answers from `respond`. */
function serve(respond: (q: URLSearchParams) => PortfolioPageBody | Response) {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get(`${BASE}/portfolio`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      queries.push(q);
      const body = respond(q);
      return body instanceof Response ? body : HttpResponse.json(body);
    }),
  );
  return queries;
}

async function render(element: ReactElement, options: { entity?: Entity; signals?: any } = {}) {
  const discoveryApi = { getBaseUrl: async () => BASE };
  const fetchApi = { fetch: (input: any, init?: any) => fetch(input, init) };
  const apis: any[] = [
    [discoveryApiRef, discoveryApi],
    [fetchApiRef, fetchApi],
    [cutoverApiRef, new CutoverClient({ discoveryApi, fetchApi })],
  ];
  if (options.signals) apis.push([signalApiRef, options.signals]);
  return renderInTestApp(
    <TestApiProvider apis={apis}>
      {options.entity ? <EntityProvider entity={options.entity}>{element}</EntityProvider> : element}
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('PortfolioPage', () => {
  it('lists the migrations with links to their tab, asking for the user’s groups first', async () => {
    const queries = serve(q =>
      q.get('owner') === 'all'
        ? pageOf([ORDERS, BILLING])
        : pageOf([ORDERS], { owners: ['group:default/orders-team', 'user:default/olivia'] }),
    );
    await render(<PortfolioPage />);
    const link = await screen.findByTestId('portfolio-link-orders-v2');
    expect(link.getAttribute('href')).toBe(
      '/catalog/default/component/orders-service/migration?migration=orders-v2',
    );
    expect(queries[0].get('owner')).toBeNull();
    expect(queries[0].get('sort')).toBe('risk');
    expect(screen.getByText('Owned by orders-team')).toBeInTheDocument();
    expect(screen.getByTestId('recommendation-orders-v2')).toHaveTextContent('NO GO');
    expect(screen.getByText('UAT complete')).toBeInTheDocument();
    expect(screen.getByText(/2\.0 d late/)).toBeInTheDocument();
    expect(screen.queryByText('Billing ledger to the new store')).toBeNull();

    // "All owners" asks for every owner and starts from the first page.
    fireEvent.mouseDown(within(screen.getByTestId('portfolio-owner')).getByRole('button'));
    fireEvent.click(await screen.findByRole('option', { name: 'All owners' }));
    expect(await screen.findByText('Billing ledger to the new store')).toBeInTheDocument();
    expect(queries.at(-1)!.get('owner')).toBe('all');
    expect(screen.getByText('2 migrations')).toBeInTheDocument();
  });

  it('filters by status, recommendation and risk, sorts, and pages with the cursor', async () => {
    const queries = serve(q => {
      if (q.get('cursor') === 'page2') return pageOf([BILLING], { totalCount: 26 });
      const items = [ORDERS, BILLING].filter(
        i =>
          (!q.get('status') || i.status === q.get('status')) &&
          (!q.get('risk') || i.riskLevel === q.get('risk')),
      );
      return pageOf(items, { totalCount: q.get('status') || q.get('risk') ? items.length : 26, nextCursor: q.get('status') || q.get('risk') ? null : 'page2' });
    });
    await render(<PortfolioPage />);
    await screen.findByText('Orders database to PostgreSQL');
    expect(screen.getByTestId('portfolio-range')).toHaveTextContent('1–2 of 26');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(queries.at(-1)!.get('cursor')).toBe('page2'));
    await waitFor(() => expect(screen.getByTestId('portfolio-range')).toHaveTextContent('26–26 of 26'));

    const choose = async (id: string, option: string) => {
      fireEvent.mouseDown(within(screen.getByTestId(id)).getByRole('button'));
      fireEvent.click(await screen.findByRole('option', { name: option }));
    };
    await choose('portfolio-status', 'planned');
    await waitFor(() => expect(queries.at(-1)!.get('status')).toBe('PLANNED'));
    // A new filter starts from the first page.
    expect(queries.at(-1)!.get('cursor')).toBeNull();
    await waitFor(() => expect(screen.queryByText('Orders database to PostgreSQL')).toBeNull());
    expect(screen.getByText('Billing ledger to the new store')).toBeInTheDocument();
    await choose('portfolio-recommendation', 'GO with caution');
    await waitFor(() => expect(queries.at(-1)!.get('recommendation')).toBe('GO_WITH_CAUTION'));
    await choose('portfolio-risk', 'high');
    await waitFor(() => expect(queries.at(-1)!.get('risk')).toBe('HIGH'));
    expect(await screen.findByText('No migrations owned by your groups')).toBeInTheDocument();
    await choose('portfolio-sort', 'Title');
    await waitFor(() => expect(queries.at(-1)!.get('sort')).toBe('title'));
  });

  it('shows an empty state for the user’s groups with a way to see all owners', async () => {
    serve(() => pageOf([], { owners: ['group:default/readers'] }));
    await render(<PortfolioPage />);
    expect(await screen.findByText('No migrations owned by your groups')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Show all owners' })).toBeInTheDocument();
  });

  it('shows the error with a retry that loads again', async () => {
    let fail = true;
    serve(() =>
      fail
        ? HttpResponse.json({ error: { name: 'Error', message: 'database unavailable' } }, { status: 503 })
        : pageOf([ORDERS]),
    );
    await render(<PortfolioPage />);
    expect(await screen.findByText(/Could not load the portfolio/)).toBeInTheDocument();
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Orders database to PostgreSQL')).toBeInTheDocument();
  });

  it('reloads when the portfolio signal says summaries changed', async () => {
    let progress = 42;
    serve(() => pageOf([item({ overallProgress: progress })]));
    const signals = testSignals();
    await render(<PortfolioPage />, { signals: signals.api });
    expect(await screen.findByText('42%')).toBeInTheDocument();
    expect(screen.getByTestId('live-indicator')).toHaveTextContent('live');
    progress = 77;
    act(() => signals.publish(CUTOVER_PORTFOLIO_CHANNEL, { migrationIds: ['orders-v2'], at: new Date().toISOString() }));
    expect(await screen.findByText('77%')).toBeInTheDocument();
  });
});

describe('the group and system cards', () => {
  const group: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'orders-team', namespace: 'default' },
    spec: { type: 'team', children: [] },
  };
  const system: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'commerce', namespace: 'default' },
    spec: { owner: 'group:default/orders-team' },
    relations: [
      { type: 'hasPart', targetRef: 'component:default/orders-service' },
      { type: 'hasPart', targetRef: 'component:default/billing-service' },
      { type: 'ownedBy', targetRef: 'group:default/orders-team' },
    ],
  };

  it('rolls up the group’s migrations: counts by status and recommendation, the riskiest three', async () => {
    const queries = serve(() => pageOf([ORDERS, BILLING]));
    await render(<GroupMigrationsCard />, { entity: group });
    expect(await screen.findByTestId('rollup-total')).toHaveTextContent('2 migrations');
    expect(queries[0].get('owner')).toBe('group:default/orders-team');
    expect(queries[0].get('sort')).toBe('risk');
    expect(queries[0].get('limit')).toBe('3');
    expect(screen.getByTestId('rollup-status-IN_PROGRESS')).toHaveTextContent('1');
    expect(screen.getByTestId('rollup-status-PLANNED')).toHaveTextContent('1');
    expect(screen.getByTestId('rollup-recommendation-NO_GO')).toHaveTextContent('1');
    expect(screen.getByTestId('rollup-recommendation-GO_WITH_CAUTION')).toHaveTextContent('1');
    const riskiest = within(screen.getByTestId('rollup-riskiest'));
    expect(riskiest.getAllByRole('link').map(a => a.textContent)).toEqual([
      'Orders database to PostgreSQL',
      'Billing ledger to the new store',
    ]);
  });

  it('asks for the migrations annotated on the system and its components', async () => {
    const queries = serve(() => pageOf([]));
    await render(<SystemMigrationsCard />, { entity: system });
    expect(await screen.findByText('No migrations')).toBeInTheDocument();
    expect(queries[0].get('owner')).toBe('all');
    expect(queries[0].get('entityRefs')!.split(',')).toEqual([
      'system:default/commerce',
      'component:default/orders-service',
      'component:default/billing-service',
    ]);
  });
});
