import type { Milestone, Phase, Timeline } from '../types';
import { computeTimeline } from './timeline';

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (day: number) => T0 + day * DAY;
const iso = (day: number) => new Date(at(day)).toISOString();
const isoOrNull = (day: number | null) => (day === null ? null : iso(day));

function phase(
  id: string,
  start: number | null,
  end: number | null,
  extra: Partial<Phase> = {},
): Phase {
  return {
    id,
    name: `Phase ${id}`,
    description: null,
    plannedStart: isoOrNull(start),
    plannedEnd: isoOrNull(end),
    actualStart: null,
    actualEnd: null,
    progressPercent: 0,
    status: 'PENDING',
    dependsOn: [],
    subTasks: [],
    errors: [],
    warnings: [],
    ...extra,
  };
}

function milestone(
  id: string,
  planned: number | null,
  actual: number | null,
  completed: boolean,
): Milestone {
  return {
    id,
    name: `Milestone ${id}`,
    plannedDate: isoOrNull(planned),
    actualDate: isoOrNull(actual),
    completed,
  };
}

/** [id, earliestStart, earliestFinish, latestStart, latestFinish, slackDays, critical], in days from T0. */
type Schedule = [
  string,
  number | null,
  number | null,
  number | null,
  number | null,
  number,
  boolean,
];

function scheduleOf(timeline: Timeline): Schedule[] {
  const day = (value: string | null) =>
    value === null ? null : (Date.parse(value) - T0) / DAY;
  return timeline.phases.map(p => [
    p.id,
    day(p.earliestStart),
    day(p.earliestFinish),
    day(p.latestStart),
    day(p.latestFinish),
    p.slackDays,
    p.critical,
  ]);
}

const BEFORE_START = { now: at(-1) };

describe('computeTimeline: critical path', () => {
  const linear = [
    phase('A', 0, 2),
    phase('B', 2, 5, { dependsOn: ['A'] }),
    phase('C', 5, 6, { dependsOn: ['B'] }),
  ];
  const gap = [
    phase('A', 0, 2),
    phase('B', 3, 5, { dependsOn: ['A'] }),
    phase('C', 5, 6, { dependsOn: ['B'] }),
  ];
  const diamond = [
    phase('A', 0, 2),
    phase('B', 2, 7, { dependsOn: ['A'] }),
    phase('C', 2, 4, { dependsOn: ['A'] }),
    phase('D', 7, 9, { dependsOn: ['B', 'C'] }),
  ];
  const diamondShortFirst = [diamond[0], diamond[2], diamond[1], diamond[3]];
  const diamondTie = [
    phase('A', 0, 2),
    phase('B', 2, 7, { dependsOn: ['A'] }),
    phase('C', 2, 7, { dependsOn: ['A'] }),
    phase('D', 7, 9, { dependsOn: ['C', 'B'] }),
  ];
  const twoChains = [
    phase('Y1', 0, 2),
    phase('Y2', 2, 4, { dependsOn: ['Y1'] }),
    phase('X1', 0, 3),
    phase('X2', 3, 8, { dependsOn: ['X1'] }),
  ];
  const equalChains = [
    phase('Y1', 0, 2),
    phase('Y2', 2, 4, { dependsOn: ['Y1'] }),
    phase('X1', 0, 1),
    phase('X2', 1, 4, { dependsOn: ['X1'] }),
  ];
  const join = [
    phase('R1', 0, 2),
    phase('R2', 0, 4),
    phase('J', 4, 6, { dependsOn: ['R1', 'R2'] }),
  ];

  it.each<[string, Phase[], Schedule[], string[]]>([
    [
      'linear chain: all critical',
      linear,
      [
        ['A', 0, 2, 0, 2, 0, true],
        ['B', 2, 5, 2, 5, 0, true],
        ['C', 5, 6, 5, 6, 0, true],
      ],
      ['A', 'B', 'C'],
    ],
    [
      'linear chain with a gap: the phase before the gap has slack',
      gap,
      [
        ['A', 0, 2, 1, 3, 1, false],
        ['B', 3, 5, 3, 5, 0, true],
        ['C', 5, 6, 5, 6, 0, true],
      ],
      ['B', 'C'],
    ],
    [
      'diamond: the shorter branch has slack',
      diamond,
      [
        ['A', 0, 2, 0, 2, 0, true],
        ['B', 2, 7, 2, 7, 0, true],
        ['C', 2, 4, 5, 7, 3, false],
        ['D', 7, 9, 7, 9, 0, true],
      ],
      ['A', 'B', 'D'],
    ],
    [
      'diamond listed with the shorter branch first',
      diamondShortFirst,
      [
        ['A', 0, 2, 0, 2, 0, true],
        ['C', 2, 4, 5, 7, 3, false],
        ['B', 2, 7, 2, 7, 0, true],
        ['D', 7, 9, 7, 9, 0, true],
      ],
      ['A', 'B', 'D'],
    ],
    [
      'diamond with equal branches: plan order wins',
      diamondTie,
      [
        ['A', 0, 2, 0, 2, 0, true],
        ['B', 2, 7, 2, 7, 0, true],
        ['C', 2, 7, 2, 7, 0, true],
        ['D', 7, 9, 7, 9, 0, true],
      ],
      ['A', 'B', 'D'],
    ],
    [
      'two independent chains: the longer is critical',
      twoChains,
      [
        ['Y1', 0, 2, 4, 6, 4, false],
        ['Y2', 2, 4, 6, 8, 4, false],
        ['X1', 0, 3, 0, 3, 0, true],
        ['X2', 3, 8, 3, 8, 0, true],
      ],
      ['X1', 'X2'],
    ],
    [
      'two equal chains: the first in plan order',
      equalChains,
      [
        ['Y1', 0, 2, 0, 2, 0, true],
        ['Y2', 2, 4, 2, 4, 0, true],
        ['X1', 0, 1, 0, 1, 0, true],
        ['X2', 1, 4, 1, 4, 0, true],
      ],
      ['Y1', 'Y2'],
    ],
    [
      'two roots joining: the longer root is critical',
      join,
      [
        ['R1', 0, 2, 2, 4, 2, false],
        ['R2', 0, 4, 0, 4, 0, true],
        ['J', 4, 6, 4, 6, 0, true],
      ],
      ['R2', 'J'],
    ],
  ])('%s', (_name, phases, schedule, criticalPath) => {
    const timeline = computeTimeline(phases, [], BEFORE_START);
    expect(scheduleOf(timeline)).toEqual(schedule);
    expect(timeline.criticalPath).toEqual(criticalPath);
    expect(timeline.delays).toEqual([]);
    expect(timeline.scheduleVarianceDays).toBe(0);
  });

  it('returns phases in input order with their own fields and derives the planned window', () => {
    const timeline = computeTimeline(diamondShortFirst, [], BEFORE_START);
    expect(timeline.phases.map(p => p.id)).toEqual(['A', 'C', 'B', 'D']);
    timeline.phases.forEach((p, i) =>
      expect(p).toMatchObject(diamondShortFirst[i]),
    );
    expect(timeline.phases.map(p => p.delayDays)).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(timeline.plannedStart).toBe(iso(0));
    expect(timeline.plannedEnd).toBe(iso(9));
    expect(timeline.predictedCompletion).toBe(iso(9));
  });

  it('takes a later planned end from the options: everything gets slack, nothing is critical', () => {
    const timeline = computeTimeline(linear, [], {
      now: at(-1),
      plannedStart: '2026-11-30T00:00:00Z',
      plannedEnd: '2026-12-08T00:00:00Z',
    });
    expect(scheduleOf(timeline)).toEqual([
      ['A', 0, 2, 1, 3, 1, false],
      ['B', 2, 5, 3, 6, 1, false],
      ['C', 5, 6, 6, 7, 1, false],
    ]);
    expect(timeline.criticalPath).toEqual([]);
    expect(timeline.plannedStart).toBe('2026-11-30T00:00:00Z');
    expect(timeline.plannedEnd).toBe('2026-12-08T00:00:00Z');
    expect(timeline.predictedCompletion).toBe(iso(6));
    expect(timeline.scheduleVarianceDays).toBe(-1);
  });

  it('ignores unknown dependencies and skips cycles without looping', () => {
    const phases = [
      phase('A', 0, 1, { dependsOn: ['B'] }),
      phase('B', 0, 1, { dependsOn: ['A'] }),
      phase('C', 0, 1, { dependsOn: ['A', 'missing'] }),
      phase('S', 0, 3, { dependsOn: ['S'] }),
      phase('D', 0, 2),
    ];
    const timeline = computeTimeline(phases, [], BEFORE_START);
    expect(scheduleOf(timeline)).toEqual([
      ['A', null, null, null, null, 0, false],
      ['B', null, null, null, null, 0, false],
      ['C', 0, 1, 1, 2, 1, false],
      ['S', null, null, null, null, 0, false],
      ['D', 0, 2, 0, 2, 0, true],
    ]);
    expect(timeline.criticalPath).toEqual(['D']);
    // Cyclic phases still count with their own plan.
    expect(timeline.predictedCompletion).toBe(iso(3));
  });
});

describe('computeTimeline: phases without dates', () => {
  it('gives null schedules, no critical path and no prediction when nothing is planned', () => {
    const phases = [
      phase('U1', null, null),
      phase('U2', null, null, { dependsOn: ['U1'] }),
    ];
    const timeline = computeTimeline(phases, [], { now: at(3) });
    expect(scheduleOf(timeline)).toEqual([
      ['U1', null, null, null, null, 0, false],
      ['U2', null, null, null, null, 0, false],
    ]);
    expect(timeline).toMatchObject({
      criticalPath: [],
      delays: [],
      scheduleVarianceDays: 0,
      predictedCompletion: null,
      plannedStart: null,
      plannedEnd: null,
    });
    expect(timeline.phases.map(p => p.delayDays)).toEqual([null, null]);
  });

  it('treats an undated phase between dated ones as zero-duration, and an isolated one as unscheduled', () => {
    const phases = [
      phase('A', 0, 2),
      phase('U', null, null, { dependsOn: ['A'] }),
      phase('B', 2, 5, { dependsOn: ['U'] }),
      phase('Z', null, null),
    ];
    const timeline = computeTimeline(phases, [], BEFORE_START);
    expect(scheduleOf(timeline)).toEqual([
      ['A', 0, 2, 0, 2, 0, true],
      ['U', 2, 2, 2, 2, 0, true],
      ['B', 2, 5, 2, 5, 0, true],
      ['Z', null, null, null, null, 0, false],
    ]);
    expect(timeline.criticalPath).toEqual(['A', 'U', 'B']);
    expect(timeline.predictedCompletion).toBe(iso(5));
    expect(timeline.scheduleVarianceDays).toBe(0);
  });

  it('starts connected undated phases at the planned start of the options', () => {
    const phases = [
      phase('U', null, null),
      phase('V', null, null, { dependsOn: ['U'] }),
    ];
    const timeline = computeTimeline(phases, [], {
      now: at(-1),
      plannedStart: iso(0),
      plannedEnd: iso(3),
    });
    expect(scheduleOf(timeline)).toEqual([
      ['U', 0, 0, 3, 3, 3, false],
      ['V', 0, 0, 3, 3, 3, false],
    ]);
    expect(timeline.predictedCompletion).toBeNull();
    expect(timeline.scheduleVarianceDays).toBe(0);
  });
});

describe('computeTimeline: delays and prediction', () => {
  it('reports a late completed phase and the pending phase it holds up', () => {
    const phases = [
      phase('A', 0, 2, {
        status: 'COMPLETED',
        progressPercent: 100,
        actualStart: iso(0),
        actualEnd: iso(3.5),
      }),
      phase('B', 2, 5, { dependsOn: ['A'] }),
    ];
    const timeline = computeTimeline(phases, [], { now: at(3.5) });
    expect(timeline.phases.map(p => p.delayDays)).toEqual([1.5, 1.5]);
    expect(timeline.delays).toEqual([
      {
        id: 'A',
        kind: 'phase',
        name: 'Phase A',
        plannedEnd: iso(2),
        expectedEnd: iso(3.5),
        delayDays: 1.5,
      },
      {
        id: 'B',
        kind: 'phase',
        name: 'Phase B',
        plannedEnd: iso(5),
        expectedEnd: iso(6.5),
        delayDays: 1.5,
      },
    ]);
    expect(timeline.predictedCompletion).toBe(iso(6.5));
    expect(timeline.scheduleVarianceDays).toBe(1.5);
  });

  it('gives a negative delay to a phase completed early, without listing it', () => {
    const phases = [
      phase('A', 0, 2, {
        status: 'COMPLETED',
        actualStart: iso(0),
        actualEnd: iso(1.5),
      }),
      phase('B', 2, 5, { dependsOn: ['A'] }),
    ];
    const timeline = computeTimeline(phases, [], { now: at(1.75) });
    expect(timeline.phases.map(p => p.delayDays)).toEqual([-0.5, null]);
    expect(timeline.delays).toEqual([]);
    expect(timeline.predictedCompletion).toBe(iso(5));
    expect(timeline.scheduleVarianceDays).toBe(0);
  });

  it.each<[number, number | null, string, number]>([
    // progress, delay of B, predicted completion, variance
    [25, 4, iso(11), 4],
    [30, 2.67, '2026-12-10T16:00:00.000Z', 2.67],
    [40, 1, iso(8), 1],
    [50, 0, iso(7), 0],
    [80, -1.5, iso(7), 0],
    [0, null, iso(7), 0],
  ])(
    'in progress at %d%% after 2 of 4 days: delay %s, predicted %s, variance %d',
    (progress, delay, predicted, variance) => {
      const phases = [
        phase('A', 0, 2, {
          status: 'COMPLETED',
          actualStart: iso(0),
          actualEnd: iso(2),
        }),
        phase('B', 2, 6, {
          status: 'IN_PROGRESS',
          actualStart: iso(2),
          progressPercent: progress,
          dependsOn: ['A'],
        }),
        phase('C', 6, 7, { dependsOn: ['B'] }),
      ];
      const timeline = computeTimeline(phases, [], { now: at(4) });
      expect(timeline.phases.map(p => p.delayDays)).toEqual([0, delay, null]);
      expect(timeline.predictedCompletion).toBe(predicted);
      expect(timeline.scheduleVarianceDays).toBe(variance);
      expect(timeline.delays.map(d => [d.id, d.delayDays])).toEqual(
        delay !== null && delay > 0 ? [['B', delay]] : [],
      );
    },
  );

  it('lists the expected end of a phase behind schedule', () => {
    const phases = [
      phase('B', 2, 6, {
        status: 'IN_PROGRESS',
        actualStart: iso(2),
        progressPercent: 25,
      }),
    ];
    const timeline = computeTimeline(phases, [], { now: at(4) });
    expect(timeline.delays).toEqual([
      {
        id: 'B',
        kind: 'phase',
        name: 'Phase B',
        plannedEnd: iso(6),
        expectedEnd: iso(10),
        delayDays: 4,
      },
    ]);
  });

  it.each<[string, Phase, number, string, string]>([
    ['with a planned end', phase('P', 1, 3), 1.25, iso(3), iso(4.25)],
    ['with only a planned start', phase('P', 1, null), 1.25, iso(1), iso(2.25)],
  ])(
    'a pending phase past its planned start %s is late by now - plannedStart',
    (_name, p, delay, plannedEnd, expectedEnd) => {
      const timeline = computeTimeline([p], [], { now: at(2.25) });
      expect(timeline.phases[0].delayDays).toBe(delay);
      expect(timeline.delays).toEqual([
        {
          id: 'P',
          kind: 'phase',
          name: 'Phase P',
          plannedEnd,
          expectedEnd,
          delayDays: delay,
        },
      ]);
      expect(timeline.predictedCompletion).toBe(expectedEnd);
    },
  );

  it('lists overdue and late milestones with late phases, largest delay first', () => {
    const milestones = [
      milestone('M-late', 1, 1.5, true),
      milestone('M-early', 2, 1, true),
      milestone('M-overdue', 5, null, false),
      milestone('M-future', 10, null, false),
      milestone('M-undated', null, null, false),
    ];
    const phases = [
      phase('A', 0, 3, {
        status: 'COMPLETED',
        actualStart: iso(0),
        actualEnd: iso(4),
      }),
    ];
    const timeline = computeTimeline(phases, milestones, { now: at(7.25) });
    expect(timeline.delays).toEqual([
      {
        id: 'M-overdue',
        kind: 'milestone',
        name: 'Milestone M-overdue',
        plannedEnd: iso(5),
        expectedEnd: iso(7.25),
        delayDays: 2.25,
      },
      {
        id: 'A',
        kind: 'phase',
        name: 'Phase A',
        plannedEnd: iso(3),
        expectedEnd: iso(4),
        delayDays: 1,
      },
      {
        id: 'M-late',
        kind: 'milestone',
        name: 'Milestone M-late',
        plannedEnd: iso(1),
        expectedEnd: iso(1.5),
        delayDays: 0.5,
      },
    ]);
    expect(timeline.milestones).toEqual(milestones);
    expect(timeline.milestones[2]).toBe(milestones[2]);
    expect(timeline.predictedCompletion).toBe(iso(4));
    expect(timeline.scheduleVarianceDays).toBe(1);
  });
});

describe('computeTimeline: performance', () => {
  const chain = Array.from({ length: 50 }, (_, i) =>
    phase(`P${i}`, i, i + 1, { dependsOn: i > 0 ? [`P${i - 1}`] : [] }),
  );
  const ids = chain.map(p => p.id);

  it.each([
    ['in plan order', chain],
    ['listed backwards', [...chain].reverse()],
  ])('a 50-phase chain %s is all critical, in under 50 ms', (_name, phases) => {
    const started = performance.now();
    const timeline = computeTimeline(phases, [], BEFORE_START);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(50);
    expect(timeline.criticalPath).toEqual(ids);
    expect(timeline.phases.every(p => p.critical && p.slackDays === 0)).toBe(
      true,
    );
    expect(timeline.predictedCompletion).toBe(iso(50));
    expect(timeline.plannedStart).toBe(iso(0));
    expect(timeline.plannedEnd).toBe(iso(50));
    expect(timeline.scheduleVarianceDays).toBe(0);
  });
});
