/**
 * Software template actions for Switchyard: apply a migration plan as the user who runs the
 * template, and annotate a component with its migration.
 *
 * @packageDocumentation
 */

export { scaffolderModuleCutover as default } from './module';
export { createCutoverAnnotateAction } from './actions/annotate';
export { createCutoverPlanApplyAction } from './actions/apply';
