import { AlertMessage, alertApiRef } from '@backstage/core-plugin-api';
import { registerMswTestHooks } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { ReportsMenu } from './ReportsMenu';

const server = setupServer();
registerMswTestHooks(server);

/** An alert API that keeps what the page posted. */
function alerts() {
  const posted: AlertMessage[] = [];
  return {
    posted,
    api: {
      post: (m: AlertMessage) => {
        posted.push(m);
      },
      alert$: () => ({ subscribe: () => ({ unsubscribe() {}, closed: false }) }) as any,
    },
  };
}

async function openMenu(id: string, alertApi: ReturnType<typeof alerts>['api']) {
  await renderEntityTab(<ReportsMenu migrationId={id} />, {
    annotation: id,
    allow: true,
    apis: [[alertApiRef, alertApi]],
  });
  fireEvent.click(await screen.findByRole('button', { name: 'Reports' }, { timeout: 5000 }));
}

describe('ReportsMenu downloads', () => {
  let createObjectURL: jest.Mock;
  beforeEach(() => {
    createObjectURL = jest.fn(() => 'blob:report');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
  });

  it('shows that the document is being built, then saves it', async () => {
    let release!: () => void;
    const built = new Promise<void>(r => (release = r));
    const pdf = new Uint8Array(4096).fill(37);
    server.use(
      http.get(`${BASE}/migrations/dl-1/reports/executive.pdf`, async () => {
        await built;
        return new HttpResponse(pdf, {
          headers: { 'content-type': 'application/pdf', 'content-length': String(pdf.byteLength) },
        });
      }),
    );
    const a = alerts();
    await openMenu('dl-1', a.api);
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Executive summary (PDF)' }));

    const status = await screen.findByTestId('download-progress');
    expect(status).toHaveTextContent('Building Executive summary (PDF)…');
    expect(screen.getByRole('progressbar', { name: 'Building Executive summary (PDF)…' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reports' })).toBeDisabled();

    release();
    await waitFor(() => expect(createObjectURL).toHaveBeenCalledTimes(1));
    const blob = createObjectURL.mock.calls[0][0] as Blob;
    expect(blob.size).toBe(4096);
    await waitFor(() => expect(screen.queryByTestId('download-progress')).not.toBeInTheDocument());
    expect(screen.getByRole('button', { name: 'Reports' })).toBeEnabled();
    expect(a.posted).toEqual([]);
  });

  it("reports a failed download through the portal's alerts, with the server's message", async () => {
    server.use(
      http.get(`${BASE}/migrations/dl-2/reports/detailed.xlsx`, async () => {
        await delay(50);
        return HttpResponse.json(
          { error: { name: 'Error', message: 'the workbook could not be built' } },
          { status: 500 },
        );
      }),
    );
    const a = alerts();
    await openMenu('dl-2', a.api);
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Detailed workbook (Excel)' }));
    await waitFor(() => expect(a.posted).toHaveLength(1));
    expect(a.posted[0]).toEqual({
      message: 'Could not download Detailed workbook (Excel): the workbook could not be built',
      severity: 'error',
      display: 'transient',
    });
    expect(createObjectURL).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.queryByTestId('download-progress')).not.toBeInTheDocument());
  });
});
