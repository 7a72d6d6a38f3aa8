import { harness } from './__testUtils__/harness';
import { EXIT } from './index';

describe('cutover pause | resume | cancel', () => {
  const after: Record<string, { status: string; controlState: string }> = {
    PAUSE: { status: 'PAUSED', controlState: 'PAUSE' },
    RUN: { status: 'IN_PROGRESS', controlState: 'RUN' },
    CANCEL: { status: 'CANCELLED', controlState: 'CANCEL' },
  };
  const updateMigration = jest.fn(
    async (id: string, patch: { controlState?: string }) =>
      ({ id, title: 'Orders', ...after[patch.controlState!] } as any),
  );
  beforeEach(() => updateMigration.mockClear());

  it.each([
    [
      'pause',
      'PAUSE',
      'Migration orders-v2 paused: status PAUSED, jobs told to PAUSE',
    ],
    [
      'resume',
      'RUN',
      'Migration orders-v2 resumed: status IN_PROGRESS, jobs told to RUN',
    ],
    [
      'cancel',
      'CANCEL',
      'Migration orders-v2 cancelled: status CANCELLED, jobs told to CANCEL',
    ],
  ])(
    '%s sets the control state %s with the reason',
    async (command, controlState, line) => {
      const h = harness({ updateMigration });
      expect(
        await h.run(
          command,
          '-m',
          'orders-v2',
          '--reason',
          'load on the legacy database',
        ),
      ).toBe(EXIT.ok);
      expect(updateMigration).toHaveBeenCalledWith('orders-v2', {
        controlState,
        reason: 'load on the legacy database',
      });
      expect(h.out).toEqual([line]);

      const j = harness({ updateMigration });
      expect(await j.run(command, '-m', 'orders-v2', '--json')).toBe(EXIT.ok);
      expect(updateMigration).toHaveBeenLastCalledWith('orders-v2', {
        controlState,
      });
      expect(j.json()).toMatchObject({ id: 'orders-v2', controlState });
    },
  );

  it('needs the migration', async () => {
    const h = harness({ updateMigration });
    expect(await h.run('pause', '--reason', 'x')).toBe(EXIT.usage);
    expect(h.err[0]).toMatch(/required option '-m, --migration <id>'/);
    expect(updateMigration).not.toHaveBeenCalled();
  });
});
