/*
 * The example portal's backend: the Backstage plugins Switchyard builds on, the cutover plugin,
 * and the example permission policy.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/permissionPolicy'));

backend.add(import('@backstage/plugin-notifications-backend'));
// Email delivery: notifications.processors.email in app-config.yaml (an SMTP relay in production).
backend.add(import('@backstage/plugin-notifications-backend-module-email'));
backend.add(import('./modules/emailTemplates'));
// Slack delivery: inert until notifications.processors.slack names a bot token (see app-config.yaml).
backend.add(import('@backstage/plugin-notifications-backend-module-slack'));
// Microsoft Teams delivery: configure webhooks under notifications.processors.msteams.
backend.add(import('@switchyard/plugin-notifications-backend-module-msteams'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@switchyard/plugin-cutover-backend'));
// Switchyard's read actions in the actions registry (backend.actions.pluginSources lists cutover),
// served to assistants by the MCP actions backend at /api/mcp-actions/v1.
backend.add(import('@switchyard/plugin-cutover-backend-module-actions'));
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// Software templates, with Switchyard's actions (cutover:plan:draft, cutover:plan:apply, cutover:annotate):
// examples/templates/plan-migration drafts a plan from two connections and applies it.
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@switchyard/plugin-scaffolder-backend-module-cutover'));

// Scorecards: Tech Insights with JSON rule checks and Switchyard's facts (techInsights in app-config.yaml).
backend.add(import('@backstage-community/plugin-tech-insights-backend'));
backend.add(import('@backstage-community/plugin-tech-insights-backend-module-jsonfc'));
backend.add(import('@switchyard/plugin-tech-insights-backend-module-cutover'));

backend.start();
