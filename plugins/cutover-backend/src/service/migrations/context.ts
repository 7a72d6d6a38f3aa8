// What MigrationService and its parts (ingest, figures) share.
import type {
  Migration,
  ParsedMigrationPlan,
} from '@switchyard/plugin-cutover-common';
import type { CutoverClock } from '@switchyard/plugin-cutover-node';
import type { CutoverStore } from '../../database/CutoverStore';
import type { TableClaim } from '../../database/GovernanceStore';
import type { PlanGovernance } from '../../governance/PlanGovernance';
import type { AuditLog } from '../AuditLog';
import type { CutoverSettings } from '../settings';
import type { SignalPublisher } from '../SignalPublisher';

/** What applying plans and storing samples set off elsewhere. */
export interface MigrationHooks {
  /** Runs inside the transaction that applies a plan (e.g. to seed the checklist). */
  onPlanApplied?: (
    store: CutoverStore,
    plan: ParsedMigrationPlan,
  ) => Promise<void>;
  /** Runs after samples are stored (threshold rules); its failures never fail the ingest. */
  onSamplesWritten?: (migration: Migration) => Promise<void>;
  /** Datasets inside an active freeze window and since when, read in the ingest's transaction. */
  frozenSince?: (
    store: CutoverStore,
    migrationId: string,
  ) => Promise<Map<string, number>>;
}

/** What the migration service's parts share. */
export interface MigrationDeps {
  store: CutoverStore;
  audit: AuditLog;
  signals: SignalPublisher;
  settings: CutoverSettings;
  /** The plugin's one clock (see cutoverClockServiceRef). */
  clock: CutoverClock;
  /** What a caller may put in a plan (owner, approvers, connections, tables). */
  governance?: PlanGovernance;
  /** The tables a plan names, which it holds while it is not archived. */
  claims?: (plan: ParsedMigrationPlan) => TableClaim[];
}

/** What the ingest and figures functions read of the service, at each call. */
export interface MigrationContext {
  deps: MigrationDeps;
  hooks: MigrationHooks;
  now(): number;
  /** The migration with its datasets; 404 when there is none. */
  get(id: string): Promise<Migration>;
}

/** The migration as the API shows it, without the store's archive mark. */
export function stripInternal(
  m: Migration & { archivedAt?: string | null },
): Migration {
  const { archivedAt: _archived, ...rest } = m;
  return rest;
}
