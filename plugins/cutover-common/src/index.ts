/**
 * Common types, permissions, schemas, client and pure logic of the Switchyard cutover plugins.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './permissions';
export * from './schemas';
export * from './responseSchemas';
export * from './contract/operation';
export * from './contract/operations';
export * from './logic/duration';
export * from './logic/progress';
export * from './logic/trends';
export * from './logic/dashboard';
export * from './logic/dependencies';
export * from './logic/readiness';
export * from './logic/checklistTemplates';
export * from './logic/timeline';
export * from './logic/schedules';
export * from './logic/planLayout';
export * from './logic/rollout';
export * from './client/CutoverClient';
export * from './client/ReadSourceCache';
export * from './client/ReadSourceClient';
