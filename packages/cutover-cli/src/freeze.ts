/**
 * `cutover freeze …`: freeze windows cover datasets for a time (`PLANNED -> ACTIVE -> COMPLETED`,
 * or `CANCELLED`); while one is active, samples for its datasets are marked and it may refuse
 * read-source switches.
 */
import { CutoverApi, FreezeWindow } from '@switchyard/plugin-cutover-common';
import { Command } from 'commander';
import { CliContext, list, parseMomentOption, shortTime } from './context';
import { formatTable } from './table';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function allWindows(
  client: CutoverApi,
  migrationId: string,
): Promise<FreezeWindow[]> {
  const items: FreezeWindow[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listFreezeWindows(migrationId, {
      limit: 1000,
      cursor,
    });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

/**
 * The id of the window `ref` names: an id as it is, else the window of that name (an open one
 * when several share it).
 */
async function windowId(
  client: CutoverApi,
  migrationId: string,
  ref: string,
): Promise<string> {
  if (UUID.test(ref)) return ref;
  const named = (await allWindows(client, migrationId)).filter(
    w => w.name === ref,
  );
  const open = named.filter(
    w => w.status === 'PLANNED' || w.status === 'ACTIVE',
  );
  const candidates = open.length ? open : named;
  if (candidates.length === 1) return candidates[0].id;
  if (!candidates.length) {
    throw new Error(
      `no freeze window of ${migrationId} is named "${ref}" (see cutover freeze list -m ${migrationId})`,
    );
  }
  throw new Error(
    `${
      candidates.length
    } freeze windows of ${migrationId} are named "${ref}"; give one of their ids: ${candidates
      .map(w => `${w.id} (${w.status})`)
      .join(', ')}`,
  );
}

/** One window for people: id, name, status, what it covers and when. */
export function describeWindow(w: FreezeWindow): string {
  return `Freeze window ${w.id} "${w.name}" ${w.status}: ${w.datasets.join(
    ', ',
  )}, ${shortTime(w.startsAt)} - ${shortTime(w.endsAt)} UTC${
    w.allowReadSourceSwitch ? '' : ', read-source switches refused'
  }`;
}

/** The windows as a table. */
export function freezeTable(windows: FreezeWindow[]): string[] {
  return formatTable(
    [
      'id',
      'name',
      'status',
      'starts (UTC)',
      'ends (UTC)',
      'switches',
      'datasets',
    ],
    windows.map(w => [
      w.id,
      w.name,
      w.status,
      shortTime(w.startsAt),
      shortTime(w.endsAt),
      w.allowReadSourceSwitch ? 'allowed' : 'refused',
      w.datasets.join(', '),
    ]),
  );
}

/** Adds `freeze list|create|activate|complete|cancel` to the program. */
export function addFreezeCommands(program: Command, ctx: CliContext) {
  const { output } = ctx;
  const freeze = program
    .command('freeze')
    .description(
      'freeze windows: list, create, activate, complete or cancel them',
    );

  freeze
    .command('list')
    .description("list the migration's freeze windows")
    .requiredOption('-m, --migration <id>', 'migration id')
    .action(async (opts: { migration: string }, cmd: Command) => {
      const items = await allWindows(ctx.client(cmd), opts.migration);
      output.result({ items, totalCount: items.length, nextCursor: null }, () =>
        items.length
          ? freezeTable(items)
          : [`No freeze windows in ${opts.migration}`],
      );
    });

  freeze
    .command('create')
    .description(
      'plan a freeze window over datasets (PLANNED; --activate to activate it at once)',
    )
    .requiredOption('-m, --migration <id>', 'migration id')
    .requiredOption('-n, --name <name>', 'name, e.g. "tier 2 cutover"')
    .requiredOption(
      '-d, --datasets <names>',
      'comma-separated datasets it covers',
    )
    .option('--start <when>', 'when it starts: ISO time, now, now+2h', 'now')
    .requiredOption('--end <when>', 'when it ends: ISO time, now+4h, …')
    .option('--description <text>', 'what it is for')
    .option(
      '--no-read-source-switch',
      'refuse read-source switches away from LEGACY while it is active',
    )
    .option('--activate', 'activate it right after creating it')
    .action(async (opts: any, cmd: Command) => {
      const now = ctx.now();
      const startsAt = parseMomentOption('--start', opts.start, now);
      const endsAt = parseMomentOption('--end', opts.end, now);
      if (endsAt <= startsAt) {
        throw new Error('--end must be after --start');
      }
      const client = ctx.client(cmd);
      let window = await client.createFreezeWindow(opts.migration, {
        name: opts.name,
        datasets: list(opts.datasets),
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(endsAt).toISOString(),
        allowReadSourceSwitch: opts.readSourceSwitch,
        ...(opts.description ? { description: opts.description } : {}),
      });
      if (opts.activate) {
        output.info(describeWindow(window));
        window = await client.freezeWindowAction(
          opts.migration,
          window.id,
          'activate',
        );
      }
      output.result(window, () => [describeWindow(window)]);
    });

  const actions = {
    activate: 'activate a PLANNED window: samples for its datasets are marked',
    complete: 'complete an ACTIVE window',
    cancel: 'cancel a PLANNED or ACTIVE window',
  } as const;
  for (const [action, description] of Object.entries(actions) as Array<
    [keyof typeof actions, string]
  >) {
    freeze
      .command(action)
      .description(description)
      .requiredOption('-m, --migration <id>', 'migration id')
      .argument('<window>', 'the window: its id, or its name')
      .option('--reason <text>', 'why (kept in the audit trail)')
      .action(
        async (
          ref: string,
          opts: { migration: string; reason?: string },
          cmd: Command,
        ) => {
          const client = ctx.client(cmd);
          const id = await windowId(client, opts.migration, ref);
          const window = await client.freezeWindowAction(
            opts.migration,
            id,
            action,
            opts.reason ? { reason: opts.reason } : {},
          );
          output.result(window, () => [describeWindow(window)]);
        },
      );
  }
}
