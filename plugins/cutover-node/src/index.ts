/**
 * Extension points of the Switchyard cutover backend, for modules that bring their own snapshot
 * storage, reconcilers and checklist evaluators.
 *
 * @packageDocumentation
 */

export * from './extensions';
export * from './clock';
export * from './client';
