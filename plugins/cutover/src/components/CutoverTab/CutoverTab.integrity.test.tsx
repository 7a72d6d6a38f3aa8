import { registerMswTestHooks } from '@backstage/test-utils';
import type { IntegrityResults } from '@switchyard/plugin-cutover-common';
import { screen, within } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { renderEntityTab } from '../../__testUtils__/render';
import { CutoverTab } from './CutoverTab';
import { ago, HOUR, run, serveCutover } from '../../__testUtils__/cutoverTab';

const server = setupServer();
registerMswTestHooks(server);

const integrity: IntegrityResults = {
  relations: [
    {
      name: 'orders_customer_id_fkey',
      origin: 'CONSTRAINT',
      dataset: 'orders',
      columns: ['customer_id'],
      references: { dataset: 'customers', columns: ['id'] },
      status: 'SUCCEEDED',
      checked: 1200,
      orphans: 0,
      sampleKeys: [],
      durationMs: 4,
      error: null,
    },
    {
      name: 'items-to-orders',
      origin: 'PLAN',
      dataset: 'order_items',
      columns: ['order_id'],
      references: { dataset: 'orders', columns: ['id'] },
      status: 'SUCCEEDED',
      checked: 3600,
      orphans: 2,
      sampleKeys: [
        { order_id: 9001, line_no: 1 },
        { order_id: 9002, line_no: 1 },
      ],
      durationMs: 12,
      error: null,
    },
  ],
  goldenQueries: [
    {
      name: 'revenue-by-customer',
      status: 'EQUAL',
      sourceRows: 40,
      destinationRows: 40,
      sourceMs: 2.5,
      destinationMs: 3,
      slowdown: 0.2,
      ordered: false,
      differences: [],
      error: null,
    },
    {
      name: 'open-orders',
      status: 'DIFFERENT',
      sourceRows: 3,
      destinationRows: 3,
      sourceMs: 1.2,
      destinationMs: 1.1,
      slowdown: -0.083,
      ordered: true,
      differences: [
        { side: 'source', row: ['7', '12.5'] },
        { side: 'destination', row: ['7', '1000'] },
      ],
      error: null,
    },
  ],
};

describe('CutoverTab: integrity', () => {
  it('shows the newest checked run: a section per relation with its orphans, and the golden queries', async () => {
    serveCutover(server, 'cx-9', {
      runs: () => [
        // The newest run checked nothing (a custom reconciler): the one before shows.
        run({ id: 'run-new', startedAt: ago(HOUR), createdAt: ago(HOUR) }),
        run({
          id: 'run-old',
          startedAt: ago(3 * HOUR),
          createdAt: ago(3 * HOUR),
          integrity,
        }),
      ],
    });
    await renderEntityTab(<CutoverTab />, { annotation: 'cx-9' });
    const card = await screen.findByTestId('integrity-card');
    const fk = within(card).getByTestId(
      'integrity-relation-orders_customer_id_fkey',
    );
    expect(fk).toHaveTextContent('orders.customer_id → customers.id');
    expect(fk).toHaveTextContent(
      'foreign key orders_customer_id_fkey of the destination',
    );
    expect(fk).toHaveTextContent('0 orphan(s) among 1,200 referencing row(s)');
    expect(within(fk).getByText('OK')).toBeInTheDocument();

    const items = within(card).getByTestId(
      'integrity-relation-items-to-orders',
    );
    expect(items).toHaveTextContent('order_items.order_id → orders.id');
    expect(items).toHaveTextContent('declared in the plan (items-to-orders)');
    expect(items).toHaveTextContent(
      '2 orphan(s) among 3,600 referencing row(s)',
    );
    expect(within(items).getByText('ORPHANS')).toBeInTheDocument();
    expect(
      within(items).getByTestId('orphan-keys-items-to-orders'),
    ).toHaveTextContent(
      '{"order_id":9001,"line_no":1}{"order_id":9002,"line_no":1}',
    );

    const equal = within(card).getByTestId('golden-query-revenue-by-customer');
    expect(
      Array.from(equal.querySelectorAll('td')).map(td => td.textContent),
    ).toEqual([
      'revenue-by-customer',
      'EQUAL',
      '40',
      '40',
      '2.5 ms',
      '3.0 ms',
      '+20%',
      '',
    ]);
    const different = within(card).getByTestId('golden-query-open-orders');
    expect(within(different).getByText('DIFFERENT')).toBeInTheDocument();
    expect(card).toHaveTextContent(
      'Rows on one side only (compared in order):',
    );
    expect(card).toHaveTextContent('source: ["7","12.5"]');
    expect(card).toHaveTextContent('destination: ["7","1000"]');
  });

  it('says so when no run has checked integrity yet', async () => {
    serveCutover(server, 'cx-10', { runs: () => [run({ id: 'run-1' })] });
    await renderEntityTab(<CutoverTab />, { annotation: 'cx-10' });
    expect(await screen.findByTestId('integrity-card')).toHaveTextContent(
      'No reconciliation has checked integrity yet.',
    );
  });
});
