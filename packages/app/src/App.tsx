import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import cutoverPlugin from '@switchyard/plugin-cutover/alpha';
import { navModule } from './modules/nav';

export default createApp({
  features: [
    catalogPlugin,
    orgPlugin,
    scaffolderPlugin,
    notificationsPlugin,
    signalsPlugin,
    userSettingsPlugin,
    cutoverPlugin,
    navModule,
  ],
});
