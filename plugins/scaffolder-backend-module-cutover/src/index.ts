/**
 * Software template actions for Switchyard: draft a migration plan from two databases and apply it
 * as the user who runs the template, and annotate a component with its migration.
 *
 * @packageDocumentation
 */

export { scaffolderModuleCutover as default } from './module';
export { createCutoverAnnotateAction } from './actions/annotate';
export { createCutoverPlanApplyAction } from './actions/apply';
export { createCutoverPlanDraftAction } from './actions/draft';
