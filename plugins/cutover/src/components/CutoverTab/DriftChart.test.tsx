import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { ago, HOUR, result, run } from '../../__testUtils__/cutoverTab';
import { DriftChart } from './DriftChart';

describe('DriftChart text alternatives', () => {
  const runs = [
    run({
      id: 'r1',
      startedAt: ago(3 * HOUR),
      createdAt: ago(3 * HOUR),
      datasets: [result('orders', { driftRatio: 0.0001, level: 'OK' })],
    }),
    run({
      id: 'r2',
      startedAt: ago(HOUR),
      createdAt: ago(HOUR),
      datasets: [result('orders', { driftRatio: 0.0025, level: 'CRITICAL' })],
    }),
  ];

  it('describes the chart in a sentence that the chart refers to', async () => {
    await renderInTestApp(<DriftChart runs={runs} datasets={['orders']} />);
    const chart = screen.getByRole('img', { name: 'Drift of orders over runs' });
    const summary = screen.getByTestId('chart-summary');
    expect(chart).toHaveAttribute('aria-describedby', summary.id);
    expect(summary).toHaveTextContent(
      'orders: drift 0.250% at the last of 2 runs (CRITICAL), highest 0.250%; thresholds: warning 0.020%, critical 0.100%, rollback 0.500%.',
    );
  });

  it('shows the same figures as a table, newest first, with a labelled toggle', async () => {
    await renderInTestApp(<DriftChart runs={runs} datasets={['orders']} />);
    const toggle = screen.getByRole('group', { name: 'View of Drift of orders over runs' });
    fireEvent.click(within(toggle).getByRole('button', { name: 'Show as table' }));
    expect(screen.queryByRole('img', { name: 'Drift of orders over runs' })).not.toBeInTheDocument();
    const table = screen.getByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(rows.map(r => r.textContent)).toEqual([
      'RunDriftLevel',
      expect.stringContaining('0.250%CRITICAL'),
      expect.stringContaining('0.010%OK'),
    ]);
    fireEvent.click(within(toggle).getByRole('button', { name: 'Show as chart' }));
    expect(screen.getByRole('img', { name: 'Drift of orders over runs' })).toBeInTheDocument();
  });

  it('names the dataset picker with its label and its value', async () => {
    await renderInTestApp(<DriftChart runs={runs} datasets={['orders', 'payments']} />);
    expect(screen.getByRole('button', { name: 'Dataset orders' })).toBeInTheDocument();
  });
});
