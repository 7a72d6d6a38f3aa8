import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { notificationService } from '@backstage/plugin-notifications-node';
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
import { createRouter } from './service/router';
import { readCutoverSettings } from './service/settings';
import { SignalPublisher } from './service/SignalPublisher';
import { TimelineService } from './service/TimelineService';
import { ReadinessService, readReadinessConfig } from './service/ReadinessService';
import { AlertService, readAlertSettings } from './service/AlertService';

/**
 * The Switchyard cutover backend plugin, served at `/api/cutover`.
 * @public
 */
export const cutoverPlugin = createBackendPlugin({
  pluginId: 'cutover',
  register(env) {
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
        signals: signalsServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        const settings = readCutoverSettings(deps.config);
        const store = await DatabaseCutoverStore.create({
          database: deps.database,
          logger: deps.logger,
        });
        const signals = new SignalPublisher(deps.signals, deps.logger);
        const audit = new AuditLog(deps.auditor);
        const access = new CutoverAccess(deps);
        const readinessConfig = readReadinessConfig(deps.config);
        // Applying a plan seeds the checklist; readiness in turn reads the dashboard.
        const services: { readiness?: ReadinessService; alerts?: AlertService } = {};
        const migrations = new MigrationService({
          store,
          audit,
          signals,
          settings,
          onPlanApplied: (tx, plan) =>
            services.readiness!.seedChecklist(tx, plan.id, plan.checklist?.template),
          onSamplesWritten: migration =>
            services.alerts!.evaluate(migration, { throttleMs: 2_000 }),
        });
        const alerts = new AlertService({
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
          store,
          audit,
          signals,
          notifications: deps.notifications,
          dashboard: m => migrations.dashboard(m),
          approvals: readinessConfig.approvals,
          templates: readinessConfig.templates,
          qualityThreshold: settings.qualityThreshold,
          cautionThreshold: settings.cautionThreshold,
        });
        services.readiness = readiness;
        const timeline = new TimelineService({ store, audit, signals });

        deps.permissionsRegistry.addResourceType({
          resourceRef: cutoverMigrationResourceRef,
          permissions: cutoverPermissions,
          rules: Object.values(cutoverMigrationRules),
          getResources: async ids =>
            Promise.all(ids.map(id => migrations.find(id))),
        });

        await new Downsampler(store, settings, deps.logger).schedule(deps.scheduler);

        deps.httpRouter.use(
          await createRouter({ access, migrations, timeline, readiness, alerts, store, logger: deps.logger }),
        );
        deps.httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
