import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { notificationService } from '@backstage/plugin-notifications-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ConnectionRules } from './governance/ConnectionRules';
import { notifyAboutMigration } from './service/notify';
import { JobSlots } from './service/JobSlots';
import { Membership } from './governance/Membership';
import { PlanGovernance } from './governance/PlanGovernance';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { cutoverPermissions } from '@switchyard/plugin-cutover-common';
import { DatabaseCutoverStore } from './database/DatabaseCutoverStore';
import { CutoverAccess } from './service/access';
import { AuditLog } from './service/AuditLog';
import { Downsampler } from './service/Downsampler';
import { MigrationService } from './service/MigrationService';
import {
  cutoverMigrationResourceRef,
  cutoverMigrationRules,
} from './service/permissionRules';
import { createRouter, readBodyLimits } from './service/router';
import { readCutoverSettings } from './service/settings';
import { SignalPublisher } from './service/SignalPublisher';
import { TimelineService } from './service/TimelineService';
import {
  ReadinessService,
  readReadinessConfig,
} from './service/ReadinessService';
import { AlertService, readAlertSettings } from './service/AlertService';
import { readReportSettings, ReportService } from './service/ReportService';
import {
  readSnapshotSettings,
  SnapshotService,
} from './service/SnapshotService';
import { CutoverConnections } from './snapshots/connections';
import { PlanDrafter } from './drafts/PlanDrafter';
import { KnexSnapshotProvider } from './snapshots/KnexSnapshotProvider';
import {
  ChecklistEvaluator,
  cutoverChecklistEvaluatorsExtensionPoint,
  cutoverReconcilersExtensionPoint,
  cutoverClockServiceRef,
  cutoverSnapshotProvidersExtensionPoint,
  Reconciler,
  SnapshotProvider,
} from '@switchyard/plugin-cutover-node';
import {
  ExecutionService,
  readFreezeSettings,
  readyConditions,
} from './service/ExecutionService';
import {
  readReconciliationSettings,
  ReconciliationService,
} from './service/ReconciliationService';
import { KnexReconciler } from './reconcile/KnexReconciler';

/**
 * The Switchyard cutover backend plugin, served at `/api/cutover`.
 * @public
 */
export const cutoverPlugin = createBackendPlugin({
  pluginId: 'cutover',
  register(env) {
    const snapshotProviders: SnapshotProvider[] = [];
    const reconcilers: Reconciler[] = [];
    const checklistEvaluators: ChecklistEvaluator[] = [];
    env.registerExtensionPoint(cutoverSnapshotProvidersExtensionPoint, {
      addSnapshotProvider(...providers) {
        snapshotProviders.push(...providers);
      },
    });
    env.registerExtensionPoint(cutoverReconcilersExtensionPoint, {
      addReconciler(...added) {
        reconcilers.push(...added);
      },
    });
    env.registerExtensionPoint(cutoverChecklistEvaluatorsExtensionPoint, {
      addChecklistEvaluator(...added) {
        checklistEvaluators.push(...added);
      },
    });
    env.registerInit({
      deps: {
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
      },
      async init(deps) {
        const { clock } = deps;
        const settings = readCutoverSettings(deps.config);
        // Who may name which connection and table; refuses the portal's own database here.
        const connectionRules = ConnectionRules.fromConfig(deps.config);
        const jobSlots = new JobSlots(
          deps.config.getOptionalNumber('cutover.jobs.maxConcurrent') ?? 2,
        );
        // Databases named in plans; the built-in provider copies datasets inside them.
        const connections = CutoverConnections.fromConfig(deps.config);
        const builtInProvider = new KnexSnapshotProvider(connections, {
          logger: deps.logger,
        });
        const builtInReconciler = new KnexReconciler(connections);
        const store = await DatabaseCutoverStore.create({
          database: deps.database,
          logger: deps.logger,
        });
        const signals = new SignalPublisher(
          deps.signals,
          deps.logger,
          undefined,
          clock,
        );
        const audit = new AuditLog(deps.auditor, clock);
        const access = new CutoverAccess(deps);
        const membership = new Membership({
          catalog: deps.catalog,
          auth: deps.auth,
        });
        const planGovernance = new PlanGovernance({
          rules: connectionRules,
          access,
          membership,
        });
        const readinessConfig = readReadinessConfig(deps.config);
        // Applying a plan seeds the checklist; readiness in turn reads the dashboard.
        const services: {
          readiness?: ReadinessService;
          alerts?: AlertService;
          execution?: ExecutionService;
          evaluators: ChecklistEvaluator[];
        } = { evaluators: [] };
        const migrations = new MigrationService({
          clock,
          store,
          audit,
          signals,
          settings,
          onPlanApplied: (tx, plan) =>
            services.readiness!.seedChecklist(
              tx,
              plan.id,
              plan.checklist?.template,
            ),
          onSamplesWritten: migration =>
            services.alerts!.evaluate(migration, { throttleMs: 2_000 }),
          frozenSince: (tx, id) => services.execution!.frozenSince(tx, id),
          governance: planGovernance,
          claims: plan => connectionRules.claimsOf(plan),
        });
        const alerts = new AlertService({
          clock,
          store,
          audit,
          signals,
          notifications: deps.notifications,
          logger: deps.logger,
          settings: readAlertSettings(deps.config, settings.qualityThreshold),
          dashboard: m => migrations.dashboard(m),
          listActive: () => migrations.list({}),
        });
        services.alerts = alerts;
        await alerts.schedule(deps.scheduler);
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
          evaluators: () => [...services.evaluators, ...checklistEvaluators],
          membership,
        });
        services.readiness = readiness;
        const timeline = new TimelineService({ clock, store, audit, signals });
        const execution = new ExecutionService({
          clock,
          store,
          audit,
          signals,
          settings: readFreezeSettings(deps.config),
          readyConditions: async (m, dataset) => {
            const full = await migrations.get(m.id);
            const [dashboard, open, checklist] = await Promise.all([
              migrations.dashboard(full),
              alerts.list(full, { status: 'OPEN' }),
              readiness.checklist(full),
            ]);
            const failing = checklist.categories
              .flatMap(c => c.items)
              .filter(i => i.required && i.status === 'FAIL')
              .map(i => i.id);
            return readyConditions(
              dataset,
              dashboard,
              open.items,
              failing,
              settings.qualityThreshold,
            );
          },
          approvalGate: m => readiness.cutoverGate(m),
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
        services.execution = execution;
        const snapshots = new SnapshotService({
          clock,
          cutover: execution,
          slots: jobSlots,
          writable: (name, what) => connectionRules.assertWritable(name, what),
          store,
          audit,
          signals,
          notifications: deps.notifications,
          logger: deps.logger,
          providers: () => [...snapshotProviders, builtInProvider],
          settings: readSnapshotSettings(deps.config),
        });
        await snapshots.schedule(deps.scheduler);
        deps.lifecycle.addShutdownHook(async () => {
          snapshots.stop();
          await connections.destroy();
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
          logger: deps.logger,
          settings: readReportSettings(deps.config),
        });
        await reports.schedule(deps.scheduler);

        const reconciliation = new ReconciliationService({
          clock,
          slots: jobSlots,
          store,
          audit,
          signals,
          notifications: deps.notifications,
          logger: deps.logger,
          alerts,
          execution,
          reconcilers: () => [...reconcilers, builtInReconciler],
          getMigration: id => migrations.get(id),
          listActive: () => migrations.list({}),
          settings: readReconciliationSettings(deps.config),
        });
        await reconciliation.schedule(deps.scheduler);
        services.evaluators.push(
          ...reconciliation.evaluators(),
          snapshots.evaluator(),
        );
        deps.lifecycle.addShutdownHook(() => reconciliation.stop());

        deps.permissionsRegistry.addResourceType({
          resourceRef: cutoverMigrationResourceRef,
          permissions: cutoverPermissions,
          rules: Object.values(cutoverMigrationRules),
          getResources: async ids =>
            Promise.all(ids.map(id => migrations.find(id))),
        });

        await new Downsampler(store, settings, deps.logger, clock).schedule(
          deps.scheduler,
        );

        deps.httpRouter.use(
          await createRouter({
            access,
            migrations,
            timeline,
            readiness,
            alerts,
            reports,
            snapshots,
            execution,
            reconciliation,
            store,
            logger: deps.logger,
            audit,
            drafts: new PlanDrafter({
              connections,
              rules: connectionRules,
              governance: planGovernance,
              auditor: deps.auditor,
            }),
            bodyLimits: readBodyLimits(deps.config),
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
