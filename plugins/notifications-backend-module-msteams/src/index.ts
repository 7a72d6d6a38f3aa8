/**
 * Notifications backend module that posts Backstage notifications to Microsoft Teams
 * incoming webhooks.
 *
 * @packageDocumentation
 */

export { notificationsModuleMsTeams as default } from './module';
export {
  MsTeamsNotificationProcessor,
  type MsTeamsNotificationProcessorOptions,
} from './MsTeamsNotificationProcessor';
