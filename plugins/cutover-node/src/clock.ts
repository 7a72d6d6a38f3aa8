import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';

/**
 * The one source of "now" of the cutover backend: every deadline, expiry, schedule, sample time and
 * audit timestamp is read from it, so that tests (and a backend module) can set the time.
 * @public
 */
export interface CutoverClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The system's clock. @public */
export const systemClock: CutoverClock = { now: () => Date.now() };

/**
 * The cutover backend's clock; its default is the system clock. Tests override it with a clock
 * they set and advance.
 * @public
 */
export const cutoverClockServiceRef = createServiceRef<CutoverClock>({
  id: 'cutover.clock',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {},
      factory: () => systemClock,
    }),
});
