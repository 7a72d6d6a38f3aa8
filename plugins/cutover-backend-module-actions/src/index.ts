/**
 * Switchyard's actions in Backstage's actions registry: list migrations, status and ETA, readiness
 * verdict and blockers, latest reconciliation; each runs with the caller's credentials.
 *
 * @packageDocumentation
 */
export { cutoverModuleActions as default } from './module';
export { registerReadActions, registerWriteActions } from './actions';
export type { CutoverActionsDeps } from './actions';
