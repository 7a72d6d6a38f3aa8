import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
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
        const migrations = new MigrationService({ store, audit, signals, settings });
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
          await createRouter({ access, migrations, timeline, store, logger: deps.logger }),
        );
        deps.httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
