// Timelines for the Timeline tab's tests.
import type { Milestone, Timeline, TimelinePhase } from '@switchyard/plugin-cutover-common';

export function phase(over: Partial<TimelinePhase> & Pick<TimelinePhase, 'id' | 'name'>): TimelinePhase {
  return {
    description: null,
    plannedStart: null,
    plannedEnd: null,
    actualStart: null,
    actualEnd: null,
    progressPercent: 0,
    status: 'PENDING',
    dependsOn: [],
    subTasks: [],
    errors: [],
    warnings: [],
    earliestStart: null,
    earliestFinish: null,
    latestStart: null,
    latestFinish: null,
    slackDays: 0,
    critical: false,
    delayDays: null,
    ...over,
  };
}

/**
 * extract → (transform, verify) → cutover; the critical path runs through transform.
 * Times are at noon UTC so day boundaries do not move with the test machine's time zone.
 */
export function diamond(over: Partial<Timeline> = {}): Timeline {
  const milestones: Milestone[] = [
    { id: 'freeze', name: 'Data frozen', plannedDate: '2025-03-05T12:00:00Z', actualDate: '2025-03-04T12:00:00Z', completed: true },
    { id: 'golive', name: 'Go-live', plannedDate: '2025-03-15T12:00:00Z', actualDate: null, completed: false },
  ];
  return {
    phases: [
      phase({
        id: 'extract', name: 'Extract', status: 'COMPLETED', progressPercent: 100, critical: true,
        plannedStart: '2025-03-01T12:00:00Z', plannedEnd: '2025-03-05T12:00:00Z',
        actualStart: '2025-03-01T12:00:00Z', actualEnd: '2025-03-04T12:00:00Z', delayDays: -1,
      }),
      phase({
        id: 'transform', name: 'Transform', status: 'IN_PROGRESS', progressPercent: 40, critical: true,
        plannedStart: '2025-03-05T12:00:00Z', plannedEnd: '2025-03-12T12:00:00Z',
        actualStart: '2025-03-05T12:00:00Z', dependsOn: ['extract'], delayDays: 1.5,
      }),
      phase({
        id: 'verify', name: 'Verify', status: 'PENDING', progressPercent: 0, slackDays: 4,
        plannedStart: '2025-03-05T12:00:00Z', plannedEnd: '2025-03-08T12:00:00Z', dependsOn: ['extract'],
      }),
      phase({
        id: 'cutover', name: 'Cutover', status: 'PENDING', critical: true,
        plannedStart: '2025-03-12T12:00:00Z', plannedEnd: '2025-03-15T12:00:00Z', dependsOn: ['transform', 'verify'],
      }),
    ],
    milestones,
    criticalPath: ['extract', 'transform', 'cutover'],
    delays: [],
    scheduleVarianceDays: 1.5,
    predictedCompletion: '2025-03-16T12:00:00Z',
    plannedStart: '2025-03-01T12:00:00Z',
    plannedEnd: '2025-03-15T12:00:00Z',
    ...over,
  };
}
