import { MigrationPlan } from '../schemas';
import { parseDuration } from './duration';

/**
 * Moves a plan in time: every date in it (the plan's, its phases' and its milestones') shifts by
 * the same amount, so that the plan starts at `start`. Durations, gaps and dependencies stay as
 * written. Example plans (and the demo) are written with a calendar of their own and laid out
 * from "now" when they are applied, so that they are never behind schedule on the day they run.
 *
 * The plan's `plannedStart` is the anchor; a plan without one is anchored at its earliest date.
 * A plan without dates is returned unchanged.
 * @public
 */
export function layOutPlan<P extends MigrationPlan>(
  plan: P,
  start: Date | number,
): P {
  const dates = [
    plan.plannedStart,
    plan.plannedEnd,
    ...(plan.phases ?? []).flatMap(p => [p.plannedStart, p.plannedEnd]),
    ...(plan.milestones ?? []).map(m => m.plannedDate),
  ]
    .filter((d): d is string => typeof d === 'string')
    .map(d => Date.parse(d))
    .filter(t => !Number.isNaN(t));
  if (!dates.length) return plan;
  const anchor = plan.plannedStart
    ? Date.parse(plan.plannedStart)
    : Math.min(...dates);
  const shiftMs =
    (typeof start === 'number' ? start : start.getTime()) - anchor;
  const move = (d: string | undefined) =>
    d === undefined
      ? undefined
      : new Date(Date.parse(d) + shiftMs).toISOString();
  return {
    ...plan,
    ...(plan.plannedStart !== undefined
      ? { plannedStart: move(plan.plannedStart) }
      : {}),
    ...(plan.plannedEnd !== undefined
      ? { plannedEnd: move(plan.plannedEnd) }
      : {}),
    ...(plan.phases
      ? {
          phases: plan.phases.map(p => ({
            ...p,
            ...(p.plannedStart !== undefined
              ? { plannedStart: move(p.plannedStart) }
              : {}),
            ...(p.plannedEnd !== undefined
              ? { plannedEnd: move(p.plannedEnd) }
              : {}),
          })),
        }
      : {}),
    ...(plan.milestones
      ? {
          milestones: plan.milestones.map(m => ({
            ...m,
            ...(m.plannedDate !== undefined
              ? { plannedDate: move(m.plannedDate) }
              : {}),
          })),
        }
      : {}),
  };
}

/**
 * A moment written as an ISO time, `now`, or `now` plus or minus a compact duration (`now-1d`,
 * `now+2h`), in epoch milliseconds; undefined when the text is none of these.
 * @public
 */
export function parseMoment(text: string, now: number): number | undefined {
  const relative = /^now(?:([+-])(.+))?$/.exec(text.trim());
  if (relative) {
    if (!relative[1]) return now;
    const ms = parseDuration(relative[2]);
    if (ms === undefined) return undefined;
    return relative[1] === '+' ? now + ms : now - ms;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}
