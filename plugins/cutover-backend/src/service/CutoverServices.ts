import {
  coreServices,
  LoggerService,
  ServiceRef,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { cutoverPermissions } from '@switchyard/plugin-cutover-common';
import {
  ChecklistEvaluator,
  cutoverClockServiceRef,
  Reconciler,
  SnapshotProvider,
} from '@switchyard/plugin-cutover-node';
import { DatabaseCutoverStore } from '../database/DatabaseCutoverStore';
import { ConnectionRules } from '../governance/ConnectionRules';
import { Membership } from '../governance/Membership';
import { PlanGovernance } from '../governance/PlanGovernance';
import { KnexReconciler } from '../reconcile/KnexReconciler';
import { sqliteHashingExtension } from '../reconcile/sqliteFunctions';
import { CutoverConnections } from '../snapshots/connections';
import { PlanDrafter } from '../drafts/PlanDrafter';
import {
  IntegrityService,
  readIntegritySettings,
} from '../integrity/IntegrityService';
import {
  AutomaticRollbackDeps,
  readSafetyTriggerSettings,
  SafetyTriggerService,
} from '../integrity/SafetyTriggers';
import { KnexSnapshotProvider } from '../snapshots/KnexSnapshotProvider';
import { CutoverAccess } from './access';
import { AlertService, readAlertSettings } from './AlertService';
import { AuditLog } from './AuditLog';
import { Downsampler } from './Downsampler';
import { DatasetCutoverService } from './DatasetCutoverService';
import { FreezeWindowService, readFreezeSettings } from './FreezeWindowService';
import { JobSlots } from './JobSlots';
import {
  OperationScheduleService,
  readOperationScheduleSettings,
} from './OperationScheduleService';
import { MigrationService } from './MigrationService';
import { notifyAboutMigration } from './notify';
import {
  cutoverMigrationResourceRef,
  cutoverMigrationRules,
} from './permissionRules';
import { ReadinessService, readReadinessConfig } from './ReadinessService';
import {
  readReconciliationSettings,
  ReconciliationService,
} from './ReconciliationService';
import { datasetReadyConditions } from './readyConditions';
import { readReportSettings, ReportService } from './ReportService';
import { createRouter, readBodyLimits } from './router';
import { PortfolioService } from './PortfolioService';
import { readCutoverSettings } from './settings';
import { SignalPublisher } from './SignalPublisher';
import { readSnapshotSettings, SnapshotService } from './SnapshotService';
import { TimelineService } from './TimelineService';

/*
 * The wiring of the cutover backend: every service constructed once, in dependency order, from the
 * plugin's Backstage services and what modules added at its extension points. Where two services
 * need each other (applying a plan seeds the checklist, which readiness owns; readiness judges
 * from the dashboard, which migrations own), the later one is handed the earlier one, and the
 * earlier one's hooks are registered explicitly once both exist. `plugin.ts` declares the
 * dependencies and calls `buildCutoverServices` and `serveCutoverApi`.
 */

/** The Backstage services the plugin depends on. */
export const cutoverPluginDeps = {
  config: coreServices.rootConfig,
  logger: coreServices.logger,
  database: coreServices.database,
  scheduler: coreServices.scheduler,
  httpRouter: coreServices.httpRouter,
  httpAuth: coreServices.httpAuth,
  auth: coreServices.auth,
  userInfo: coreServices.userInfo,
  permissions: coreServices.permissions,
  permissionsRegistry: coreServices.permissionsRegistry,
  auditor: coreServices.auditor,
  lifecycle: coreServices.lifecycle,
  signals: signalsServiceRef,
  notifications: notificationService,
  clock: cutoverClockServiceRef,
  catalog: catalogServiceRef,
};

/** The plugin's dependencies, resolved. */
export type CutoverPluginDeps = {
  [K in keyof typeof cutoverPluginDeps]: (typeof cutoverPluginDeps)[K] extends ServiceRef<
    infer T,
    any,
    any
  >
    ? T
    : never;
};

/** What modules added at the plugin's extension points (read when used, after init). */
export interface CutoverExtensions {
  snapshotProviders: readonly SnapshotProvider[];
  reconcilers: readonly Reconciler[];
  checklistEvaluators: readonly ChecklistEvaluator[];
}

/** The services of the plugin, built. */
export type CutoverServices = Awaited<ReturnType<typeof buildCutoverServices>>;

/**
 * Constructs the services in dependency order, registers the hooks between them, schedules
 * their tasks and their shutdown.
 */
export async function buildCutoverServices(
  deps: CutoverPluginDeps,
  extensions: CutoverExtensions,
) {
  const { clock, config, logger, scheduler, lifecycle } = deps;
  const settings = readCutoverSettings(config);
  // Who may name which connection and table; refuses the portal's own database here.
  const connectionRules = ConnectionRules.fromConfig(config);
  const jobSlots = new JobSlots(
    config.getOptionalNumber('cutover.jobs.maxConcurrent') ?? 2,
  );
  // Databases named in plans; the built-in provider copies datasets inside them.
  const connections = CutoverConnections.fromConfig(config);
  const builtInProvider = new KnexSnapshotProvider(connections, { logger });
  const nativeSqliteHashing =
    config.getOptionalBoolean('cutover.reconciliation.nativeSqliteHashing') ??
    true;
  const builtInReconciler = new KnexReconciler(connections, {
    nativeSqliteHashing,
  });
  logSqliteHashing(config, logger, nativeSqliteHashing);

  const store = await DatabaseCutoverStore.create({
    database: deps.database,
    logger,
  });
  const signals = new SignalPublisher(deps.signals, logger, undefined, clock);
  const audit = new AuditLog(deps.auditor, clock);
  const access = new CutoverAccess(deps);
  const membership = new Membership({ catalog: deps.catalog, auth: deps.auth });
  const planGovernance = new PlanGovernance({
    rules: connectionRules,
    access,
    membership,
  });
  const readinessConfig = readReadinessConfig(config);

  const migrations = new MigrationService({
    clock,
    store,
    audit,
    signals,
    settings,
    governance: planGovernance,
    claims: plan => connectionRules.claimsOf(plan),
  });
  const alerts = new AlertService({
    clock,
    store,
    audit,
    signals,
    notifications: deps.notifications,
    logger,
    settings: readAlertSettings(config, settings.qualityThreshold),
    dashboard: m => migrations.dashboard(m),
    listActive: () => migrations.list({}),
  });
  const readiness = new ReadinessService({
    clock,
    store,
    audit,
    signals,
    notifications: deps.notifications,
    dashboard: m => migrations.dashboard(m),
    approvals: readinessConfig.approvals,
    templates: readinessConfig.templates,
    qualityThreshold: settings.qualityThreshold,
    cautionThreshold: settings.cautionThreshold,
    membership,
  });
  const timeline = new TimelineService({ clock, store, audit, signals });
  const freezeWindows = new FreezeWindowService({
    clock,
    store,
    audit,
    signals,
    settings: readFreezeSettings(config),
    logger,
    // The owner hears when a window's start or end came (or passed unactivated).
    onWindowClock: async (m, w, what) => {
      const rollbacks = w.autoRollbacks?.length
        ? ` ${w.autoRollbacks.length} automatic rollback(s) happened during it.`
        : '';
      const description = {
        activated: `Its start came: ${w.datasets.join(', ')} are frozen until ${
          w.endsAt
        }.`,
        completed: `Its end came: ${w.datasets.join(
          ', ',
        )} are no longer frozen.${rollbacks}`,
        cancelled: `It was never activated: ${
          w.cancelReason ?? 'its end passed'
        }.`,
      }[what];
      await notifyAboutMigration(deps, m, {
        recipients: [m.owner],
        title: `Freeze window ${what}: ${w.name} (${m.title})`,
        description,
        severity: 'normal',
        tab: 'cutover',
      });
    },
  });
  const cutover = new DatasetCutoverService({
    clock,
    store,
    audit,
    signals,
    freezeWindows,
    readyConditions: datasetReadyConditions({
      migrations,
      alerts,
      readiness,
      qualityThreshold: settings.qualityThreshold,
    }),
    approvalGate: m => readiness.cutoverGate(m),
    logger,
    gateDualReads: readinessConfig.approvals.gateDualReads,
    onOverride: async (m, what, reason, actor) => {
      await notifyAboutMigration(deps, m, {
        recipients: [m.owner, ...(m.approvers ? [m.approvers] : [])],
        title: `Approval gate overridden: ${m.title}`,
        description: `${actor} ${what} without a current approval. Reason: ${reason}`,
        severity: 'critical',
        tab: 'cutover',
      });
    },
  });
  // What every automatic rollback goes through (drift, error rates, golden-query slowdowns).
  const rollbackDeps: AutomaticRollbackDeps = {
    store,
    audit,
    signals,
    notifications: deps.notifications,
    logger,
    alerts,
    cutover,
    freezeWindows,
    getMigration: id => migrations.get(id),
  };
  // Automatic rollbacks besides drift: error rates after the switch, golden-query slowdowns.
  const safety = new SafetyTriggerService({
    ...rollbackDeps,
    clock,
    settings: readSafetyTriggerSettings(config),
  });
  // Migrations were built first; what they set off belongs to the services built after them.
  migrations.registerHooks({
    onPlanApplied: (tx, plan) =>
      readiness.seedChecklist(tx, plan.id, plan.checklist?.template),
    onSamplesWritten: async migration => {
      await alerts.evaluate(migration, { throttleMs: 2_000 });
      // Safety triggers: an error rate past the threshold since the switch rolls back.
      await safety.checkErrorRates(migration);
    },
    frozenSince: (tx, id) => freezeWindows.frozenSince(tx, id),
  });

  const snapshotSettings = readSnapshotSettings(config);
  const snapshots = new SnapshotService({
    clock,
    cutover,
    slots: jobSlots,
    writable: (name, what) => connectionRules.assertWritable(name, what),
    store,
    audit,
    signals,
    notifications: deps.notifications,
    logger,
    providers: () => [...extensions.snapshotProviders, builtInProvider],
    settings: snapshotSettings,
  });
  const reports = new ReportService({
    clock,
    snapshots: m => snapshots.list(m).then(r => r.items),
    rollbacks: m => snapshots.listRollbacks(m).then(r => r.items),
    store,
    audit,
    signals,
    migrations,
    readiness,
    alerts,
    timeline,
    notifications: deps.notifications,
    logger,
    settings: readReportSettings(config),
  });
  const reconciliation = new ReconciliationService({
    // Foreign keys and golden queries checked with every run, on the plan's connections.
    integrity: new IntegrityService({
      knexFor: name =>
        connections.isSupported(name) ? connections.get(name) : undefined,
      settings: readIntegritySettings(config),
    }),
    safety,
    ...rollbackDeps,
    clock,
    slots: jobSlots,
    reconcilers: () => [...extensions.reconcilers, builtInReconciler],
    listActive: () => migrations.list({}),
    settings: readReconciliationSettings(config),
  });
  // Scheduled snapshots and reconciliations, started on the report schedules' timing.
  const operationSchedules = new OperationScheduleService({
    clock,
    store,
    audit,
    signals,
    alerts,
    snapshots,
    reconciliation,
    getMigration: id => migrations.get(id),
    slots: jobSlots,
    maxRetentionMs: snapshotSettings.maxRetentionMs,
    logger,
    settings: readOperationScheduleSettings(config),
  });
  // The checklist items decided by reconciliation and snapshots.
  const builtInEvaluators = [
    ...reconciliation.evaluators(),
    snapshots.evaluator(),
  ];
  readiness.addEvaluators(() => builtInEvaluators);
  readiness.addEvaluators(() => extensions.checklistEvaluators);

  await alerts.schedule(scheduler);
  // Freeze windows activate and complete when their start and end come.
  await freezeWindows.schedule(scheduler);
  await snapshots.schedule(scheduler);
  await reports.schedule(scheduler);
  await reconciliation.schedule(scheduler);
  await operationSchedules.schedule(scheduler);
  await new Downsampler(store, settings, logger, clock).schedule(scheduler);
  lifecycle.addShutdownHook(async () => {
    snapshots.stop();
    await connections.destroy();
  });
  lifecycle.addShutdownHook(() => reconciliation.stop());

  // The portfolio's summaries follow every change services report, debounced.
  const portfolio = new PortfolioService({
    clock,
    store,
    logger,
    migrations,
    readiness,
    membership,
    access,
    signals,
    settings: {
      debounceMs: config.getOptionalNumber('cutover.portfolio.debounceMs'),
      refreshMinutes: config.getOptionalNumber(
        'cutover.portfolio.refreshMinutes',
      ),
    },
  });
  signals.onChange(id => portfolio.changed(id));
  await portfolio.schedule(scheduler);
  lifecycle.addShutdownHook(() => portfolio.stop());

  // Plans drafted from the catalogs of two connections, governed like applying a plan.
  const drafts = new PlanDrafter({
    connections,
    rules: connectionRules,
    governance: planGovernance,
    auditor: deps.auditor,
  });

  return {
    store,
    audit,
    access,
    drafts,
    migrations,
    alerts,
    readiness,
    timeline,
    cutover,
    freezeWindows,
    snapshots,
    reports,
    reconciliation,
    operationSchedules,
    safety,
    portfolio,
  };
}

/** Serves the API at /api/cutover and registers the migration resource with the permission framework. */
export async function serveCutoverApi(
  deps: CutoverPluginDeps,
  services: CutoverServices,
) {
  deps.permissionsRegistry.addResourceType({
    resourceRef: cutoverMigrationResourceRef,
    permissions: cutoverPermissions,
    rules: Object.values(cutoverMigrationRules),
    getResources: async ids =>
      Promise.all(ids.map(id => services.migrations.find(id))),
  });
  deps.httpRouter.use(
    await createRouter({
      ...services,
      logger: deps.logger,
      bodyLimits: readBodyLimits(deps.config),
    }),
  );
  deps.httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
}

/** Says once, at start-up, when SQLite connections will be hashed by the slower JavaScript functions. */
export function logSqliteHashing(
  config: Config,
  logger: LoggerService,
  native: boolean,
) {
  const section = config.getOptionalConfig('cutover.connections');
  const sqlite = (section?.keys() ?? []).filter(
    name => section!.getOptionalString(`${name}.client`) === 'better-sqlite3',
  );
  if (!sqlite.length || (native && sqliteHashingExtension())) return;
  logger.info(
    `Reconciliations of ${sqlite.join(
      ', ',
    )} hash SQLite rows with JavaScript functions: ${
      native
        ? 'the native extension was not built (native/build.mjs at install: a C compiler and better-sqlite3 are needed)'
        : 'cutover.reconciliation.nativeSqliteHashing is false'
    }`,
  );
}
