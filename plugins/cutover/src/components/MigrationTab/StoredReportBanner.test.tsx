import { registerMswTestHooks } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { StoredReportBanner } from './StoredReportBanner';

const server = setupServer();
registerMswTestHooks(server);

const stored = {
  id: '7f0c1d7e-8a55-4a39-9d51-4b7c6a1e2f00',
  migrationId: 'orders-v2',
  scheduleId: 's1',
  reportType: 'EXECUTIVE',
  fileName: 'orders-v2-2026-11-23-executive.pdf',
  contentType: 'application/pdf',
  sizeBytes: 45000,
  createdAt: '2026-11-23T08:00:05.000Z',
  expiresAt: '2026-12-23T08:00:05.000Z',
};

describe('StoredReportBanner', () => {
  it('offers the scheduled report a notification linked to, downloaded with the user credentials', async () => {
    let downloaded = false;
    server.use(
      http.get(`${BASE}/migrations/orders-v2/reports/stored`, () => HttpResponse.json({ items: [stored] })),
      http.get(`${BASE}/migrations/orders-v2/reports/stored/${stored.id}`, () => {
        downloaded = true;
        return new HttpResponse('%PDF-1.7', { headers: { 'content-type': 'application/pdf' } });
      }),
    );
    const createObjectURL = jest.fn(() => 'blob:report');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    await renderEntityTab(<StoredReportBanner migrationId="orders-v2" reportId={stored.id} />);
    expect(await screen.findByText(/Scheduled report: orders-v2-2026-11-23-executive\.pdf/)).toBeInTheDocument();
    screen.getByRole('button', { name: /download/i }).click();
    await new Promise(r => setTimeout(r, 50));
    expect(downloaded).toBe(true);
    expect(createObjectURL).toHaveBeenCalled();
  });

  it('says when the report has expired', async () => {
    server.use(http.get(`${BASE}/migrations/orders-v2/reports/stored`, () => HttpResponse.json({ items: [] })));
    await renderEntityTab(<StoredReportBanner migrationId="orders-v2" reportId={stored.id} />);
    expect(await screen.findByText(/no longer kept/)).toBeInTheDocument();
  });
});
