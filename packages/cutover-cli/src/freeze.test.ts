import { FreezeWindow } from '@switchyard/plugin-cutover-common';
import { harness } from './__testUtils__/harness';
import { EXIT } from './index';

const NOW = Date.parse('2030-06-01T12:00:00Z');
const ID_A = '0b0d6a52-5f1c-4c39-9d0e-2f7a0a4f6b11';
const ID_B = '7c3e8d0a-1b2c-4d5e-8f90-a1b2c3d4e5f6';

function window(over: Partial<FreezeWindow> = {}): FreezeWindow {
  return {
    id: ID_A,
    migrationId: 'orders-v2',
    name: 'tier 2 cutover',
    description: null,
    datasets: ['orders', 'order_items'],
    startsAt: '2030-06-01T12:00:00.000Z',
    endsAt: '2030-06-01T16:00:00.000Z',
    status: 'PLANNED',
    allowReadSourceSwitch: true,
    createdAt: '2030-06-01T12:00:00.000Z',
    createdBy: 'user:default/guest',
    activatedAt: null,
    completedAt: null,
    cancelledAt: null,
    ...over,
  } as FreezeWindow;
}

describe('cutover freeze', () => {
  it('lists windows as a table, following every page, or as one document', async () => {
    const pages: Record<string, any> = {
      first: {
        items: [window()],
        totalCount: 2,
        nextCursor: 'c2',
      },
      c2: {
        items: [
          window({
            id: ID_B,
            name: 'customers',
            datasets: ['customers'],
            status: 'COMPLETED',
            allowReadSourceSwitch: false,
          }),
        ],
        totalCount: 2,
        nextCursor: null,
      },
    };
    const listFreezeWindows = jest.fn(
      async (_id: string, q: any) => pages[q?.cursor ?? 'first'],
    );
    const h = harness({ listFreezeWindows });
    expect(await h.run('freeze', 'list', '-m', 'orders-v2')).toBe(EXIT.ok);
    expect(h.out).toEqual([
      'id                                    name            status     starts (UTC)      ends (UTC)        switches  datasets',
      `${ID_A}  tier 2 cutover  PLANNED    2030-06-01 12:00  2030-06-01 16:00  allowed   orders, order_items`,
      `${ID_B}  customers       COMPLETED  2030-06-01 12:00  2030-06-01 16:00  refused   customers`,
    ]);
    expect(listFreezeWindows).toHaveBeenCalledTimes(2);

    const j = harness({ listFreezeWindows });
    expect(await j.run('freeze', 'list', '-m', 'orders-v2', '--json')).toBe(
      EXIT.ok,
    );
    expect(j.json()).toEqual({
      items: [pages.first.items[0], pages.c2.items[0]],
      totalCount: 2,
      nextCursor: null,
    });

    const none = harness({
      listFreezeWindows: async () => ({
        items: [],
        totalCount: 0,
        nextCursor: null,
      }),
    });
    expect(await none.run('freeze', 'list', '-m', 'orders-v2')).toBe(EXIT.ok);
    expect(none.out).toEqual(['No freeze windows in orders-v2']);
  });

  it('creates a window from now, or from a given start, and can activate it at once', async () => {
    const createFreezeWindow = jest.fn(async (_id: string, body: any) =>
      window({ ...body, description: body.description ?? null }),
    );
    const freezeWindowAction = jest.fn(async () =>
      window({ status: 'ACTIVE', allowReadSourceSwitch: false }),
    );
    const h = harness({ createFreezeWindow, freezeWindowAction }, { now: NOW });
    expect(
      await h.run(
        'freeze',
        'create',
        '-m',
        'orders-v2',
        '-n',
        'tier 2 cutover',
        '-d',
        'orders, order_items',
        '--end',
        'now+4h',
        '--no-read-source-switch',
        '--activate',
      ),
    ).toBe(EXIT.ok);
    expect(createFreezeWindow).toHaveBeenCalledWith('orders-v2', {
      name: 'tier 2 cutover',
      datasets: ['orders', 'order_items'],
      startsAt: '2030-06-01T12:00:00.000Z',
      endsAt: '2030-06-01T16:00:00.000Z',
      allowReadSourceSwitch: false,
    });
    expect(freezeWindowAction).toHaveBeenCalledWith(
      'orders-v2',
      ID_A,
      'activate',
    );
    expect(h.out).toEqual([
      `Freeze window ${ID_A} "tier 2 cutover" PLANNED: orders, order_items, 2030-06-01 12:00 - 2030-06-01 16:00 UTC, read-source switches refused`,
      `Freeze window ${ID_A} "tier 2 cutover" ACTIVE: orders, order_items, 2030-06-01 12:00 - 2030-06-01 16:00 UTC, read-source switches refused`,
    ]);

    const j = harness({ createFreezeWindow, freezeWindowAction }, { now: NOW });
    expect(
      await j.run(
        'freeze',
        'create',
        '-m',
        'orders-v2',
        '-n',
        'night',
        '-d',
        'orders',
        '--start',
        '2030-06-02T22:00:00Z',
        '--end',
        '2030-06-03T02:00:00Z',
        '--description',
        'batch window',
        '--json',
      ),
    ).toBe(EXIT.ok);
    expect(createFreezeWindow).toHaveBeenLastCalledWith('orders-v2', {
      name: 'night',
      datasets: ['orders'],
      startsAt: '2030-06-02T22:00:00.000Z',
      endsAt: '2030-06-03T02:00:00.000Z',
      allowReadSourceSwitch: true,
      description: 'batch window',
    });
    expect(j.json()).toMatchObject({
      name: 'night',
      status: 'PLANNED',
      description: 'batch window',
    });
    expect(freezeWindowAction).toHaveBeenCalledTimes(1);
  });

  it('refuses times it cannot read, or an end before the start, before sending', async () => {
    const createFreezeWindow = jest.fn();
    for (const [args, message] of [
      [
        ['--end', 'tomorrow'],
        '--end: "tomorrow" is not a moment such as now, now-1d, now+2h or 2026-12-01T08:00:00Z',
      ],
      [['--start', 'now+2h', '--end', 'now+1h'], '--end must be after --start'],
    ] as const) {
      const h = harness({ createFreezeWindow }, { now: NOW });
      expect(
        await h.run(
          'freeze',
          'create',
          '-m',
          'orders-v2',
          '-n',
          'x',
          '-d',
          'orders',
          ...args,
        ),
      ).toBe(EXIT.error);
      expect(h.err).toEqual([`cutover: ${message}`]);
    }
    const missing = harness({ createFreezeWindow });
    expect(
      await missing.run(
        'freeze',
        'create',
        '-m',
        'orders-v2',
        '-n',
        'x',
        '--end',
        'now+1h',
      ),
    ).toBe(EXIT.usage);
    expect(createFreezeWindow).not.toHaveBeenCalled();
  });

  it('activates, completes and cancels a window named by id or by name', async () => {
    const listFreezeWindows = jest.fn(async () => ({
      items: [
        window({ id: ID_B, status: 'CANCELLED' }),
        window({ status: 'ACTIVE' }),
        window({ id: '11111111-2222-4333-8444-555555555555', name: 'twice' }),
        window({ id: '66666666-7777-4888-9999-000000000000', name: 'twice' }),
      ],
      totalCount: 4,
      nextCursor: null,
    }));
    const freezeWindowAction = jest.fn(
      async (_m: string, id: string, action: string) =>
        window({ id, status: action === 'cancel' ? 'CANCELLED' : 'COMPLETED' }),
    );
    const client = { listFreezeWindows, freezeWindowAction };

    const byId = harness(client);
    expect(await byId.run('freeze', 'activate', '-m', 'orders-v2', ID_B)).toBe(
      EXIT.ok,
    );
    expect(listFreezeWindows).not.toHaveBeenCalled();
    expect(freezeWindowAction).toHaveBeenLastCalledWith(
      'orders-v2',
      ID_B,
      'activate',
      {},
    );

    // Of the two windows named "tier 2 cutover", the open one.
    const byName = harness(client);
    expect(
      await byName.run(
        'freeze',
        'complete',
        '-m',
        'orders-v2',
        'tier 2 cutover',
        '--json',
      ),
    ).toBe(EXIT.ok);
    expect(freezeWindowAction).toHaveBeenLastCalledWith(
      'orders-v2',
      ID_A,
      'complete',
      {},
    );
    expect(byName.json()).toMatchObject({ id: ID_A, status: 'COMPLETED' });

    const cancel = harness(client);
    expect(
      await cancel.run(
        'freeze',
        'cancel',
        '-m',
        'orders-v2',
        ID_A,
        '--reason',
        'cutover moved',
      ),
    ).toBe(EXIT.ok);
    expect(freezeWindowAction).toHaveBeenLastCalledWith(
      'orders-v2',
      ID_A,
      'cancel',
      { reason: 'cutover moved' },
    );
    expect(cancel.out[0]).toMatch(
      new RegExp(`^Freeze window ${ID_A} "tier 2 cutover" CANCELLED: `),
    );

    const ambiguous = harness(client);
    expect(
      await ambiguous.run('freeze', 'activate', '-m', 'orders-v2', 'twice'),
    ).toBe(EXIT.error);
    expect(ambiguous.err).toEqual([
      'cutover: 2 freeze windows of orders-v2 are named "twice"; give one of their ids: 11111111-2222-4333-8444-555555555555 (PLANNED), 66666666-7777-4888-9999-000000000000 (PLANNED)',
    ]);
    const unknown = harness(client);
    expect(
      await unknown.run(
        'freeze',
        'activate',
        '-m',
        'orders-v2',
        'weekend',
        '--json',
      ),
    ).toBe(EXIT.error);
    expect(unknown.json().error.message).toBe(
      'no freeze window of orders-v2 is named "weekend" (see cutover freeze list -m orders-v2)',
    );
    expect(freezeWindowAction).toHaveBeenCalledTimes(3);
  });
});
