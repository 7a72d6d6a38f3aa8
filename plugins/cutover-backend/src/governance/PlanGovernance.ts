import { createHash } from 'node:crypto';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  cutoverMigrationGovernPermission,
  Migration,
  ParsedMigrationPlan,
} from '@switchyard/plugin-cutover-common';
import type { Caller, CutoverAccess } from '../service/access';
import { ConnectionRules } from './ConnectionRules';
import { Membership } from './Membership';

const lower = (s: string | null | undefined) =>
  (s ?? '').toLocaleLowerCase('en-US');
const same = (a: unknown, b: unknown) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const sorted = (o: Record<string, string> | undefined) =>
  Object.fromEntries(
    Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b)),
  );

/**
 * The fields of an existing migration that a plan would change and that decide who governs it and
 * what it touches: owner, approvers, connections, tables (and what is compared in them: key
 * columns, renamed and ignored columns), datasets removed, and drift thresholds.
 */
export function governedChanges(
  existing: Migration,
  plan: ParsedMigrationPlan,
): string[] {
  const changes: string[] = [];
  if (lower(existing.owner) !== lower(plan.owner)) changes.push('owner');
  if (lower(existing.approvers) !== lower(plan.approvers))
    changes.push('approvers');
  if (
    (existing.source?.connection ?? null) !== (plan.source?.connection ?? null)
  )
    changes.push('source.connection');
  if (
    (existing.destination?.connection ?? null) !==
    (plan.destination?.connection ?? null)
  ) {
    changes.push('destination.connection');
  }
  const before = new Map(existing.datasets.map(d => [d.name, d]));
  for (const d of plan.datasets) {
    const b = before.get(d.name);
    const sourceTable = d.sourceTable ?? d.table ?? null;
    const destinationTable = d.destinationTable ?? d.table ?? null;
    if (!b) {
      if (sourceTable || destinationTable)
        changes.push(`datasets.${d.name} (a new table)`);
      continue;
    }
    before.delete(d.name);
    if (
      lower(b.sourceTable) !== lower(sourceTable) ||
      lower(b.destinationTable) !== lower(destinationTable)
    ) {
      changes.push(`datasets.${d.name} tables`);
    }
    if (!same(b.keyColumns, d.keyColumns))
      changes.push(`datasets.${d.name}.keyColumns`);
    if (
      !same(sorted(b.columnMap), sorted(d.columnMap)) ||
      !same(
        [...(b.ignoreColumns ?? [])].sort(),
        [...(d.ignoreColumns ?? [])].sort(),
      )
    ) {
      changes.push(`datasets.${d.name} compared columns`);
    }
  }
  const removed = [...before.values()]
    .filter(d => d.sourceTable || d.destinationTable)
    .map(d => d.name);
  if (removed.length) changes.push(`datasets removed (${removed.join(', ')})`);
  const thresholds = (t: object | undefined) =>
    Object.fromEntries(
      Object.entries(t ?? {})
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  if (
    !same(
      thresholds(existing.driftThresholds),
      thresholds(plan.driftThresholds),
    )
  )
    changes.push('driftThresholds');
  if (
    !same(thresholds(existing.safetyTriggers), thresholds(plan.safetyTriggers))
  )
    changes.push('safetyTriggers');
  if (!same(existing.integrity ?? null, plan.integrity ?? null))
    changes.push('integrity');
  return changes;
}

/**
 * What a caller may put in a plan. A plan names an owner, approvers, connections and tables: each
 * must be something the caller is entitled to. Throws 403 (NotAllowedError) or 400 (InputError)
 * naming the problem; claims of tables (409) are checked where the plan is stored.
 */
export class PlanGovernance {
  constructor(
    private readonly deps: {
      rules: ConnectionRules;
      access: CutoverAccess;
      membership: Membership;
    },
  ) {}

  async check(
    plan: ParsedMigrationPlan,
    existing: Migration | undefined,
    caller: Caller,
  ): Promise<void> {
    const changed = existing ? governedChanges(existing, plan) : [];
    if (existing && changed.length) {
      try {
        await this.deps.access.authorize(
          caller,
          cutoverMigrationGovernPermission,
          existing,
        );
      } catch {
        throw new NotAllowedError(
          `${caller.actor} may apply plans to migration ${
            existing.id
          } but not change ${changed.join(', ')}: that needs ${
            cutoverMigrationGovernPermission.name
          }`,
        );
      }
    }
    const ownerChanges =
      !existing || lower(existing.owner) !== lower(plan.owner);
    if (ownerChanges) {
      const owner = await this.deps.membership.entity(plan.owner);
      if (
        !owner ||
        !['group', 'user'].includes(owner.kind.toLocaleLowerCase('en-US'))
      ) {
        throw new InputError(
          `Invalid request: owner: ${plan.owner} is not a user or group in the catalog`,
        );
      }
      // People create migrations for themselves or their groups; a service (a job's token) acts for
      // the platform, limited by its access restrictions and by the connections' owners below.
      if (
        caller.isUser &&
        !(await this.deps.membership.isMemberOf(
          caller.actor,
          plan.owner,
          caller.ownershipEntityRefs,
        ))
      ) {
        throw new NotAllowedError(
          `${caller.actor} may not make ${
            plan.owner
          } the owner of a migration: only its members may (you belong to ${
            caller.ownershipEntityRefs
              .filter(r => !r.startsWith('user:'))
              .join(', ') || 'no group'
          })`,
        );
      }
    }
    if (
      plan.approvers &&
      (!existing || lower(existing.approvers) !== lower(plan.approvers))
    ) {
      const approvers = await this.deps.membership.entity(plan.approvers);
      if (
        !approvers ||
        !['group', 'user'].includes(approvers.kind.toLocaleLowerCase('en-US'))
      ) {
        throw new InputError(
          `Invalid request: approvers: ${plan.approvers} is not a user or group in the catalog`,
        );
      }
    }
    this.deps.rules.checkPlan(plan);
  }
}

/**
 * What an approval is given on besides readiness: the datasets (and their tables and keys), the
 * approvers and the drift thresholds. When this changes, earlier approvals are stale.
 */
export function planFingerprint(
  migration: Pick<Migration, 'datasets' | 'approvers' | 'driftThresholds'>,
): string {
  const datasets = [...migration.datasets]
    .map(d => ({
      name: d.name,
      sourceTable: lower(d.sourceTable),
      destinationTable: lower(d.destinationTable),
      keyColumns: d.keyColumns,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const thresholds = Object.fromEntries(
    Object.entries(migration.driftThresholds ?? {})
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash('sha256')
    .update(
      JSON.stringify({
        datasets,
        approvers: lower(migration.approvers),
        thresholds,
      }),
    )
    .digest('hex');
}
