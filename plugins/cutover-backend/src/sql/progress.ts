import { ProgressReporter } from '@switchyard/plugin-cutover-node';

/**
 * Wraps a reporter so that what it reports is a whole percentage in [0, 100] that never goes
 * backwards (a restore falling back to a full replace starts its later steps again; a bisection's
 * estimate may dip), and so that it never throws: a failing reporter must not fail, or roll back,
 * the data operation.
 */
export function safeProgress(progress: ProgressReporter): ProgressReporter {
  let last = 0;
  return (percent, message) => {
    const clamped = Number.isFinite(percent) ? Math.min(100, Math.max(0, Math.floor(percent))) : last;
    last = Math.max(last, clamped);
    try {
      progress(last, message);
    } catch {
      // ignored, see above
    }
  };
}
