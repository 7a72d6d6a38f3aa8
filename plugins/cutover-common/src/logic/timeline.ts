import type {
  Milestone,
  Phase,
  Timeline,
  PhaseStatus,
  TimelineDelay,
  TimelinePhase,
} from '../types';
import { findDependencyCycle } from './dependencies';

const DAY_MS = 86_400_000;
/** Slack (in days) at or below which a phase is on the critical path. */
const CRITICAL_EPSILON_DAYS = 1e-6;
/** Largest time a JavaScript Date can represent. */
const MAX_TIME_MS = 8.64e15;

/**
 * Options of {@link computeTimeline}.
 * @public
 */
export interface TimelineOptions {
  /** The current time, in epoch milliseconds. */
  now: number;
  /** Planned start of the migration (ISO); defaults to the earliest planned start of the phases. */
  plannedStart?: string | null;
  /** Planned end of the migration (ISO); defaults to the latest planned end of the phases. */
  plannedEnd?: string | null;
}

function parseTime(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function toIso(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms) || Math.abs(ms) > MAX_TIME_MS) {
    return null;
  }
  return new Date(Math.round(ms)).toISOString();
}

/** Milliseconds as days with two decimals (never -0). */
function roundDays(ms: number): number {
  const days = Math.round((ms / DAY_MS) * 100) / 100;
  return days === 0 ? 0 : days;
}

function maxOf(...values: Array<number | null>): number | null {
  let result: number | null = null;
  for (const v of values) {
    if (v !== null && (result === null || v > result)) result = v;
  }
  return result;
}

function minOf(...values: Array<number | null>): number | null {
  let result: number | null = null;
  for (const v of values) {
    if (v !== null && (result === null || v < result)) result = v;
  }
  return result;
}

function sameTime(a: number, b: number): boolean {
  return Math.abs(a - b) / DAY_MS <= CRITICAL_EPSILON_DAYS;
}

/**
 * Expected end of a phase in progress, extrapolated from its progress so far:
 * actualStart + (now - actualStart) * 100 / progressPercent. Null when the phase is not
 * IN_PROGRESS, has no actual start or no progress yet.
 */
function progressEstimate(
  phase: Phase,
  actualStart: number | null,
  now: number,
): number | null {
  if (phase.status !== 'IN_PROGRESS' || actualStart === null) return null;
  const progress = Math.min(100, phase.progressPercent);
  if (!(progress > 0)) return null;
  const elapsed = Math.max(0, now - actualStart);
  const estimate = actualStart + (elapsed * 100) / progress;
  return Math.abs(estimate) <= MAX_TIME_MS ? estimate : null;
}

/** The input string whose time is the smallest (or largest with `latest`). */
function extremeString(
  values: Array<string | null>,
  times: Array<number | null>,
  latest: boolean,
): string | null {
  let best: number | null = null;
  let result: string | null = null;
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    if (t !== null && (best === null || (latest ? t > best : t < best))) {
      best = t;
      result = values[i];
    }
  }
  return result;
}

interface DelayFacts {
  delayMs: number;
  plannedEnd: number;
  expectedEnd: number;
}

/** Delay of one phase against its plan; see {@link computeTimeline}. */
function phaseDelay(
  phase: Phase,
  times: {
    plannedStart: number | null;
    plannedEnd: number | null;
    actualEnd: number | null;
    estimate: number | null;
  },
  now: number,
): DelayFacts | null {
  const { plannedStart, plannedEnd, actualEnd, estimate } = times;
  if (actualEnd !== null && plannedEnd !== null) {
    return {
      delayMs: actualEnd - plannedEnd,
      plannedEnd,
      expectedEnd: actualEnd,
    };
  }
  if (estimate !== null && plannedEnd !== null) {
    return {
      delayMs: estimate - plannedEnd,
      plannedEnd,
      expectedEnd: estimate,
    };
  }
  if (
    phase.status === 'PENDING' &&
    plannedStart !== null &&
    plannedStart < now
  ) {
    const delayMs = now - plannedStart;
    const reference = plannedEnd ?? plannedStart;
    return { delayMs, plannedEnd: reference, expectedEnd: reference + delayMs };
  }
  return null;
}

/** Delay of one milestone; see {@link computeTimeline}. */
function milestoneDelay(
  milestone: Milestone,
  now: number,
): TimelineDelay | null {
  const planned = parseTime(milestone.plannedDate);
  if (planned === null) return null;
  const actual = parseTime(milestone.actualDate);
  let expectedEnd: number | null = null;
  if (milestone.completed) {
    if (actual !== null) expectedEnd = actual;
  } else if (planned < now) {
    expectedEnd = now;
  }
  if (expectedEnd === null) return null;
  const delayDays = roundDays(expectedEnd - planned);
  if (!(delayDays > 0)) return null;
  return {
    id: milestone.id,
    kind: 'milestone',
    name: milestone.name,
    plannedEnd: toIso(planned)!,
    expectedEnd: toIso(expectedEnd)!,
    delayDays,
  };
}

/**
 * Schedule analysis of a migration's phases and milestones. Pure: the result depends only on
 * the arguments (`options.now` is the current time in epoch milliseconds). Times in the result
 * are ISO strings; day figures are rounded to two decimals.
 *
 * - Critical-path method over `dependsOn`, with each phase's planned duration
 *   (plannedEnd - plannedStart, 0 unless both are set). Dependencies on unknown ids are
 *   ignored, and so are phases that form a dependency cycle (null schedule, not critical) and
 *   the edges that lead to them. Forward pass: earliestStart = max(earliestFinish of the
 *   dependencies, the phase's plannedStart or else the project start), where the project start
 *   is the earliest of the phases' planned starts and `options.plannedStart`; earliestFinish =
 *   earliestStart + duration. Backward pass from the project end, the latest earliestFinish or
 *   `options.plannedEnd` when later: latestFinish = min(latestStart of the dependents), or the
 *   project end without dependents; latestStart = latestFinish - duration. slackDays =
 *   latestStart - earliestStart; a phase is critical when its slack is 0 (so with an
 *   `options.plannedEnd` later than the phases allow, no phase is critical). A phase without
 *   any planned date takes part as a zero-duration step when it has dependencies or dependents,
 *   and otherwise gets null times, slack 0 and is not critical.
 *
 * - criticalPath: one chain of critical phases in dependency order, from a critical phase with
 *   no critical predecessor that finishes exactly where it starts, following such critical
 *   successors up to the project end; among several chains, the first in plan order wins.
 *
 * - delayDays: actualEnd - plannedEnd when the phase has ended; for an IN_PROGRESS phase with an
 *   actual start and some progress, expectedEnd - plannedEnd where expectedEnd = actualStart +
 *   (now - actualStart) * 100 / progressPercent; for a PENDING phase whose planned start has
 *   passed, now - plannedStart; otherwise null. Negative when early.
 *
 * - delays: the phases with delayDays above 0, and the milestones not completed past their
 *   planned date (now - plannedDate) or completed late (actualDate - plannedDate), by delay,
 *   largest first (plan order on ties, phases before milestones), each with its planned end and
 *   its actual or expected end (for a late PENDING phase: plannedEnd, or plannedStart without
 *   one, shifted by the delay).
 *
 * - predictedCompletion: the latest expected finish over the phases, in dependency order: the
 *   actual end; else for a phase in progress the expected end from its progress, not before its
 *   dependencies' expected finish; else the latest of its planned end (or planned start without
 *   one), its dependencies' expected finish plus its duration and, for a PENDING phase whose
 *   planned start has passed, now plus its duration. Null when nothing is planned.
 *   scheduleVarianceDays = predictedCompletion - planned end (`options.plannedEnd`, else the
 *   latest planned end of the phases), 0 when either is unknown; positive means late.
 *
 * Phases come back in input order with their schedule fields added, milestones as given;
 * plannedStart and plannedEnd are the options' values, else the earliest planned start and the
 * latest planned end of the phases.
 * @public
 */
export function computeTimeline(
  phases: Phase[],
  milestones: Milestone[],
  options: TimelineOptions,
): Timeline {
  const { now } = options;
  const count = phases.length;
  const plannedStarts = phases.map(p => parseTime(p.plannedStart));
  const plannedEnds = phases.map(p => parseTime(p.plannedEnd));
  const actualStarts = phases.map(p => parseTime(p.actualStart));
  const actualEnds = phases.map(p => parseTime(p.actualEnd));
  const durations = phases.map((_, i) => {
    const start = plannedStarts[i];
    const end = plannedEnds[i];
    return start !== null && end !== null ? Math.max(0, end - start) : 0;
  });
  const estimates = phases.map((p, i) =>
    progressEstimate(p, actualStarts[i], now),
  );
  const optionStart = parseTime(options.plannedStart);
  const optionEnd = parseTime(options.plannedEnd);

  // Dependency graph over indexes (the first phase of a duplicated id is the one depended on).
  const indexById = new Map<string, number>();
  phases.forEach((p, i) => {
    if (!indexById.has(p.id)) indexById.set(p.id, i);
  });
  const rawDeps = phases.map(p => {
    const deps = new Set<number>();
    for (const id of p.dependsOn ?? []) {
      const j = indexById.get(id);
      if (j !== undefined) deps.add(j);
    }
    return [...deps];
  });

  // Take cycles out, one at a time, until what remains is acyclic.
  const cyclic = new Set<number>();
  for (;;) {
    const remaining = rawDeps
      .map((deps, i) => ({
        id: String(i),
        dependsOn: deps.filter(j => !cyclic.has(j)).map(String),
      }))
      .filter((_, i) => !cyclic.has(i));
    const cycle = findDependencyCycle(remaining);
    if (!cycle) break;
    for (const id of cycle) cyclic.add(Number(id));
  }
  const deps = rawDeps.map((d, i) =>
    cyclic.has(i) ? [] : d.filter(j => !cyclic.has(j)),
  );
  const dependents: number[][] = phases.map(() => []);
  deps.forEach((d, i) => {
    for (const j of d) dependents[j].push(i);
  });

  // Topological order (Kahn); cyclic phases have no edges left and come out as roots.
  const indegree = deps.map(d => d.length);
  const order: number[] = [];
  for (let i = 0; i < count; i++) if (indegree[i] === 0) order.push(i);
  for (let k = 0; k < order.length; k++) {
    for (const s of dependents[order[k]]) {
      indegree[s] -= 1;
      if (indegree[s] === 0) order.push(s);
    }
  }

  // Critical-path method.
  const projectStart = minOf(...plannedStarts, optionStart);
  const scheduled = phases.map(
    (_, i) =>
      !cyclic.has(i) &&
      (plannedStarts[i] !== null ||
        plannedEnds[i] !== null ||
        deps[i].length > 0 ||
        dependents[i].length > 0),
  );
  const es: Array<number | null> = phases.map(() => null);
  const ef: Array<number | null> = phases.map(() => null);
  const ls: Array<number | null> = phases.map(() => null);
  const lf: Array<number | null> = phases.map(() => null);
  for (const i of order) {
    if (!scheduled[i]) continue;
    const start = maxOf(
      plannedStarts[i] ?? projectStart,
      ...deps[i].map(d => ef[d]),
    );
    if (start === null) continue;
    es[i] = start;
    ef[i] = start + durations[i];
  }
  const latestFinish = maxOf(...ef);
  const projectEnd =
    latestFinish === null ? null : maxOf(latestFinish, optionEnd)!;
  if (projectEnd !== null) {
    for (let k = order.length - 1; k >= 0; k--) {
      const i = order[k];
      if (es[i] === null) continue;
      const finish = minOf(...dependents[i].map(s => ls[s])) ?? projectEnd;
      lf[i] = finish;
      ls[i] = finish - durations[i];
    }
  }
  const slackMs = phases.map((_, i) => {
    const start = es[i];
    const late = ls[i];
    return start === null || late === null ? null : late - start;
  });
  const critical = slackMs.map(
    s => s !== null && s / DAY_MS <= CRITICAL_EPSILON_DAYS,
  );

  // One critical chain, from a start to the project end.
  const tight = (from: number, to: number) =>
    critical[from] && critical[to] && sameTime(ef[from]!, es[to]!);
  const reachesEnd = phases.map(() => false);
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k];
    if (!critical[i]) continue;
    reachesEnd[i] =
      sameTime(ef[i]!, projectEnd!) ||
      dependents[i].some(s => tight(i, s) && reachesEnd[s]);
  }
  const criticalPath: string[] = [];
  let current = phases.findIndex(
    (_, i) => reachesEnd[i] && !deps[i].some(d => tight(d, i)),
  );
  while (current >= 0) {
    criticalPath.push(phases[current].id);
    const from = current;
    current = dependents[from].find(s => tight(from, s) && reachesEnd[s]) ?? -1;
  }

  // Delays against plan.
  const phaseDelays = phases.map((p, i) =>
    phaseDelay(
      p,
      {
        plannedStart: plannedStarts[i],
        plannedEnd: plannedEnds[i],
        actualEnd: actualEnds[i],
        estimate: estimates[i],
      },
      now,
    ),
  );
  const delays: TimelineDelay[] = [];
  phaseDelays.forEach((facts, i) => {
    if (!facts) return;
    const delayDays = roundDays(facts.delayMs);
    if (!(delayDays > 0)) return;
    delays.push({
      id: phases[i].id,
      kind: 'phase',
      name: phases[i].name,
      plannedEnd: toIso(facts.plannedEnd)!,
      expectedEnd: toIso(facts.expectedEnd)!,
      delayDays,
    });
  });
  for (const m of milestones) {
    const delay = milestoneDelay(m, now);
    if (delay) delays.push(delay);
  }
  delays.sort((a, b) => b.delayDays - a.delayDays);

  // Predicted completion: expected finishes propagated along dependencies.
  const expectedFinish: Array<number | null> = phases.map(() => null);
  for (const i of order) {
    if (actualEnds[i] !== null) {
      expectedFinish[i] = actualEnds[i];
      continue;
    }
    const depsFinish = maxOf(...deps[i].map(d => expectedFinish[d]));
    const estimate = estimates[i];
    if (estimate !== null) {
      expectedFinish[i] = maxOf(estimate, depsFinish);
      continue;
    }
    const plannedStart = plannedStarts[i];
    const overdue =
      phases[i].status === 'PENDING' &&
      plannedStart !== null &&
      plannedStart < now;
    expectedFinish[i] = maxOf(
      plannedEnds[i] ?? plannedStart,
      depsFinish === null ? null : depsFinish + durations[i],
      overdue ? now + durations[i] : null,
    );
  }
  const anythingPlanned =
    optionStart !== null ||
    optionEnd !== null ||
    plannedStarts.some(t => t !== null) ||
    plannedEnds.some(t => t !== null);
  const predicted = anythingPlanned ? maxOf(...expectedFinish) : null;
  const plannedEndRef = optionEnd ?? maxOf(...plannedEnds);
  const scheduleVarianceDays =
    predicted === null || plannedEndRef === null
      ? 0
      : roundDays(predicted - plannedEndRef);

  const timelinePhases: TimelinePhase[] = phases.map((p, i) => {
    const facts = phaseDelays[i];
    const slack = slackMs[i];
    return {
      ...p,
      earliestStart: toIso(es[i]),
      earliestFinish: toIso(ef[i]),
      latestStart: toIso(ls[i]),
      latestFinish: toIso(lf[i]),
      slackDays: slack === null ? 0 : roundDays(slack),
      critical: critical[i],
      delayDays: facts ? roundDays(facts.delayMs) : null,
    };
  });

  return {
    phases: timelinePhases,
    milestones: [...milestones],
    criticalPath,
    delays,
    scheduleVarianceDays,
    predictedCompletion: toIso(predicted),
    plannedStart:
      optionStart !== null
        ? options.plannedStart!
        : extremeString(
            phases.map(p => p.plannedStart),
            plannedStarts,
            false,
          ),
    plannedEnd:
      optionEnd !== null
        ? options.plannedEnd!
        : extremeString(
            phases.map(p => p.plannedEnd),
            plannedEnds,
            true,
          ),
  };
}

/**
 * A phase's progress and status rolled up from its sub-tasks: progress is the mean of the
 * sub-tasks that are not skipped (a completed one counts 100); the phase is COMPLETED when every
 * sub-task is completed or skipped, IN_PROGRESS once any has started. Undefined without sub-tasks.
 * @public
 */
export function rollUpSubTasks(
  subTasks: Array<{ status: PhaseStatus; progressPercent: number }>,
): { progressPercent: number; status: PhaseStatus } | undefined {
  if (!subTasks.length) return undefined;
  const counted = subTasks.filter(t => t.status !== 'SKIPPED');
  const progress = counted.length
    ? counted.reduce(
        (sum, t) => sum + (t.status === 'COMPLETED' ? 100 : t.progressPercent),
        0,
      ) / counted.length
    : 100;
  const done = subTasks.every(
    t => t.status === 'COMPLETED' || t.status === 'SKIPPED',
  );
  const started = subTasks.some(
    t => t.status !== 'PENDING' || t.progressPercent > 0,
  );
  let status: PhaseStatus = 'PENDING';
  if (done) status = 'COMPLETED';
  else if (started) status = 'IN_PROGRESS';
  return { progressPercent: Math.round(progress * 100) / 100, status };
}
