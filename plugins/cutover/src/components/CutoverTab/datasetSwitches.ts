// A change of a dataset's reads or cutover state, and what bears on it: its last switch and the
// freeze windows it is in.
import type {
  DatasetCutoverState,
  DatasetSwitchEvent,
  FreezeWindow,
  ReadSource,
} from '@switchyard/plugin-cutover-common';

/** A change the user asks for on the board, before it is confirmed. */
export type SwitchChange =
  | {
      kind: 'READ_SOURCE';
      dataset: string;
      from: ReadSource;
      to: ReadSource;
      /** The dataset's gradual rollout now, if any. */
      rollout?: { source: ReadSource; percent: number } | null;
    }
  | {
      kind: 'CUTOVER_STATE';
      dataset: string;
      from: DatasetCutoverState;
      to: DatasetCutoverState;
      /** Where the dataset reads from now (going back resets it to LEGACY). */
      readSource: ReadSource;
    };

/** Button labels for moving a dataset to a cutover state. */
export const STATE_ACTIONS: Record<DatasetCutoverState, string> = {
  PENDING: 'Back to pending',
  READY: 'Mark ready',
  CUTOVER: 'Start cutover',
  COMPLETED: 'Complete',
  ROLLED_BACK: 'Roll back',
};

/** Per dataset, the ACTIVE freeze windows covering it. */
export function activeFreezes(
  windows: FreezeWindow[],
): Map<string, FreezeWindow[]> {
  const out = new Map<string, FreezeWindow[]>();
  for (const w of windows) {
    if (w.status !== 'ACTIVE') continue;
    for (const d of w.datasets) out.set(d, [...(out.get(d) ?? []), w]);
  }
  return out;
}

/** Per dataset, its most recent switch or state change. */
export function lastSwitches(
  events: DatasetSwitchEvent[],
): Map<string, DatasetSwitchEvent> {
  const out = new Map<string, DatasetSwitchEvent>();
  for (const e of events) {
    const known = out.get(e.dataset);
    if (!known || e.at > known.at) out.set(e.dataset, e);
  }
  return out;
}

/** "reads LEGACY → NEW" or "state READY → CUTOVER". */
export function describeMove(
  kind: DatasetSwitchEvent['kind'],
  from: string,
  to: string,
): string {
  return `${kind === 'READ_SOURCE' ? 'reads' : 'state'} ${from} → ${to}`;
}

/** "orders: reads LEGACY → NEW". */
export function describeChange(change: SwitchChange): string {
  const from =
    change.kind === 'READ_SOURCE' && change.rollout
      ? `${change.from} (${change.rollout.source} ${change.rollout.percent}%)`
      : change.from;
  return `${change.dataset}: ${describeMove(change.kind, from, change.to)}`;
}

/** "NEW for 20% of callers". */
export function describeRollout(rollout: {
  source: ReadSource;
  percent: number;
}): string {
  return `${rollout.source} for ${rollout.percent}% of callers`;
}
