/**
 * An OpenFeature server provider serving Switchyard's per-dataset read switches (LEGACY / DUAL /
 * NEW), with gradual rollouts decided per targeting key, to applications.
 *
 * @packageDocumentation
 */

export * from './SwitchyardProvider';
export * from './flagKey';
