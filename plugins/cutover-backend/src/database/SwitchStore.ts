import type { DatasetSwitchEvent } from '@switchyard/plugin-cutover-common';
import { Knex } from 'knex';
import { iso } from './columnValues';

/** The history of read-source switches and cutover-state changes. The only place with its SQL. */
export class SwitchStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async appendSwitch(
    e: Omit<DatasetSwitchEvent, 'id' | 'at'> & { at: number },
  ): Promise<DatasetSwitchEvent> {
    const [row] = await this.db('cutover_switch_events')
      .insert({
        migration_id: e.migrationId,
        dataset: e.dataset,
        kind: e.kind,
        from_value: e.from,
        to_value: e.to,
        reason: e.reason,
        actor: e.actor,
        at: e.at,
        automatic: e.automatic,
        override_reason: e.overrideReason ?? null,
        rollout_percent: e.rolloutPercent ?? null,
      })
      .returning('id');
    const id = typeof row === 'object' ? row.id : row;
    return {
      ...e,
      overrideReason: e.overrideReason ?? null,
      ...(e.rolloutPercent ? { rolloutPercent: e.rolloutPercent } : {}),
      id: String(id),
      at: new Date(e.at).toISOString(),
    };
  }

  async listSwitches(
    migrationId: string,
    dataset?: string,
  ): Promise<DatasetSwitchEvent[]> {
    const q = this.db('cutover_switch_events')
      .where({ migration_id: migrationId })
      .orderBy('id', 'desc')
      .limit(1000);
    if (dataset) q.where({ dataset });
    return (await q).map(toSwitch);
  }

  async lastSwitchAt(migrationId: string): Promise<number | null> {
    const row = await this.db('cutover_switch_events')
      .where({ migration_id: migrationId, kind: 'READ_SOURCE' })
      .max({ at: 'at' })
      .first();
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }
}

function toSwitch(row: any): DatasetSwitchEvent {
  return {
    id: String(row.id),
    migrationId: row.migration_id,
    dataset: row.dataset,
    kind: row.kind,
    from: row.from_value,
    to: row.to_value,
    reason: row.reason,
    actor: row.actor,
    at: iso(row.at)!,
    automatic: !!row.automatic,
    overrideReason: row.override_reason ?? null,
    ...(row.rollout_percent !== null && row.rollout_percent !== undefined
      ? { rolloutPercent: Number(row.rollout_percent) }
      : {}),
  };
}
