/** @jest-environment node */
import type {
  FreezeWindow,
  Milestone,
} from '@switchyard/plugin-cutover-common';
import { diamond, phase } from '../testTimeline';
import {
  dependencyPath,
  GANTT,
  layOutGantt,
  placeMilestones,
  stackRows,
  truncate,
} from './layout';
import { DAY_MS } from './scale';

const NOW = Date.parse('2025-03-08T12:00:00Z');
const at = (iso: string) => Date.parse(iso);

function freezeWindow(
  over: Partial<FreezeWindow> & Pick<FreezeWindow, 'id' | 'status'>,
): FreezeWindow {
  return {
    migrationId: 'm',
    name: 'Tier 1 freeze',
    description: null,
    datasets: ['orders'],
    startsAt: '2025-03-05T12:00:00Z',
    endsAt: '2025-03-08T12:00:00Z',
    allowReadSourceSwitch: true,
    createdAt: '2025-02-20T12:00:00Z',
    createdBy: 'user:default/olivia',
    activatedAt: null,
    completedAt: null,
    cancelledAt: null,
    cancelReason: null,
    ...over,
  };
}

describe('stackRows', () => {
  it.each([
    [
      'fixed rows',
      [{ key: 'a' }, { key: 'b' }, { key: 'c' }],
      [60, 88, 116],
      [0, 0, 0],
    ],
    [
      'a phase with sub-task rows of their own height and depth',
      [
        { key: 'p' },
        { key: 'p/1', depth: 1, height: 20 },
        { key: 'p/2', depth: 1, height: 20 },
        { key: 'q' },
      ],
      [60, 88, 108, 128],
      [0, 1, 1, 0],
    ],
  ])('%s', (_what, items, tops, depths) => {
    const rows = stackRows(items, 60);
    expect(rows.map(r => r.top)).toEqual(tops);
    expect(rows.map(r => r.depth)).toEqual(depths);
    expect(rows.map(r => r.index)).toEqual(items.map((_, i) => i));
  });
});

describe('dependencyPath', () => {
  it.each([
    [
      'room between the bars: right, down, in',
      100,
      50,
      200,
      78,
      'M100,50 H106 V78 H200',
    ],
    [
      'back to back: straight down onto the start',
      100,
      50,
      105,
      78,
      'M100,50 H111 V71',
    ],
    [
      'overlapping: round through the gap between the rows',
      100,
      50,
      60,
      78,
      'M100,50 H106 V64 H48 V78 H60',
    ],
  ])('%s', (_what, x1, y1, x2, y2, d) => {
    expect(dependencyPath(x1, y1, x2, y2, 71, 64)).toBe(d);
  });
});

describe('truncate', () => {
  it.each([
    ['Go-live', 10, 'Go-live'],
    ['Decommission legacy', 10, 'Decommiss…'],
    ['Decommission legacy', 1, 'D…'],
  ])('%s in %s characters: %s', (text, max, out) => {
    expect(truncate(text, max)).toBe(out);
  });
});

describe('layOutGantt', () => {
  const layout = layOutGantt({ timeline: diamond(), now: NOW });
  const row = (id: string) => layout.rows.find(r => r.phase.id === id)!;

  it('stacks one row per phase under the axis and the milestone row', () => {
    const top = GANTT.axisHeight + GANTT.rowHeight;
    expect(layout.rows.map(r => [r.key, r.top])).toEqual([
      ['extract', top],
      ['transform', top + 28],
      ['verify', top + 56],
      ['cutover', top + 84],
    ]);
    expect(layout.rowsBottom).toBe(top + 4 * 28);
    expect(layout.height).toBe(layout.rowsBottom + GANTT.footerHeight);
    expect(layout.rows.filter(r => r.critical).map(r => r.key)).toEqual([
      'extract',
      'transform',
      'cutover',
    ]);
  });

  it.each([
    // phase, planned from, planned to, progress share, actual from, actual to (null: no bar)
    [
      'extract',
      '2025-03-01T12:00:00Z',
      '2025-03-05T12:00:00Z',
      1,
      '2025-03-01T12:00:00Z',
      '2025-03-04T12:00:00Z',
    ],
    [
      'transform',
      '2025-03-05T12:00:00Z',
      '2025-03-12T12:00:00Z',
      0.4,
      '2025-03-05T12:00:00Z',
      '2025-03-08T12:00:00Z',
    ],
    ['verify', '2025-03-05T12:00:00Z', '2025-03-08T12:00:00Z', 0, null, null],
    ['cutover', '2025-03-12T12:00:00Z', '2025-03-15T12:00:00Z', 0, null, null],
  ])(
    '%s: planned bar, progress fill and actual bar (a running one up to now)',
    (id, from, to, share, actualFrom, actualTo) => {
      const r = row(id);
      expect(r.planned!.x).toBe(layout.x(at(from)));
      expect(r.planned!.width).toBe(layout.x(at(to)) - layout.x(at(from)));
      expect(r.planned!.progressWidth).toBeCloseTo(r.planned!.width * share, 0);
      expect(r.actual).toEqual(
        actualFrom === null
          ? null
          : {
              x: layout.x(at(actualFrom)),
              width: layout.x(at(actualTo!)) - layout.x(at(actualFrom)),
            },
      );
      expect(r.undated).toBe(false);
    },
  );

  it('leaves a phase without dates undrawn, and cuts long names short', () => {
    const timeline = diamond();
    timeline.phases.push(
      phase({
        id: 'later',
        name: 'Decommission the legacy warehouse and its feeds',
      }),
    );
    const later = layOutGantt({ timeline, now: NOW }).rows[4];
    expect(later).toMatchObject({ planned: null, actual: null, undated: true });
    expect(later.label).toHaveLength(GANTT.maxLabelChars);
    expect(later.label.endsWith('…')).toBe(true);
  });

  it('draws every dependsOn edge between known phases, critical where both ends are', () => {
    const timeline = diamond();
    timeline.phases[2] = {
      ...timeline.phases[2],
      dependsOn: ['extract', 'ghost'],
    };
    const arrows = layOutGantt({ timeline, now: NOW }).dependencies;
    expect(arrows.map(a => [`${a.from.id}-${a.to.id}`, a.critical])).toEqual([
      ['extract-transform', true],
      ['extract-verify', false],
      ['transform-cutover', true],
      ['verify-cutover', false],
    ]);
    const extract = row('extract');
    const toVerify = arrows[1].d;
    expect(
      toVerify.startsWith(`M${extract.planned!.x + extract.planned!.width},`),
    ).toBe(true);
  });

  it('places milestones at their date in their own row', () => {
    const marks = layout.milestones!.marks;
    expect(marks.map(m => m.milestone.id)).toEqual(['freeze', 'golive']);
    // Reached a day early: drawn at the actual date; go-live at its planned date.
    expect(marks[0].cx).toBe(layout.x(at('2025-03-04T12:00:00Z')));
    expect(marks[1].cx).toBe(layout.x(at('2025-03-15T12:00:00Z')));
    expect(marks[0].cy).toBe(GANTT.axisHeight + GANTT.rowHeight / 2);
    expect(marks.map(m => m.label)).toEqual(['Data frozen', 'Go-live']);
  });

  it('has a today line at now, from the axis to just under the last row', () => {
    expect(layout.today).toEqual({
      at: NOW,
      x: layout.x(NOW),
      top: GANTT.axisHeight,
      bottom: layout.rowsBottom + 4,
      labelY: layout.height - 5,
      anchor: 'middle',
    });
  });

  it('has no today line when now is outside the plan', () => {
    const timeline = diamond();
    timeline.phases[1] = {
      ...timeline.phases[1],
      status: 'COMPLETED',
      actualEnd: '2025-03-12T12:00:00Z',
    };
    expect(layOutGantt({ timeline, now: NOW + 365 * DAY_MS }).today).toBeNull();
  });

  it.each([
    ['no container', 0, 900],
    ['a wide container', 1400, 1400],
  ])(
    'is as wide as %s allows, at least 900px',
    (_what, containerWidth, width) => {
      // Five days: a handful of daily ticks, which need little room.
      const timeline = diamond({
        phases: [
          phase({
            id: 'a',
            name: 'A',
            plannedStart: '2025-03-06T12:00:00Z',
            plannedEnd: '2025-03-10T12:00:00Z',
          }),
        ],
        milestones: [],
        plannedStart: null,
        plannedEnd: null,
        predictedCompletion: null,
      });
      expect(layOutGantt({ timeline, now: NOW, containerWidth }).width).toBe(
        width,
      );
    },
  );

  it('grows wider than the container when the ticks need the room', () => {
    const timeline = diamond({
      phases: [
        phase({
          id: 'a',
          name: 'A',
          plannedStart: '2025-01-01T12:00:00Z',
          plannedEnd: '2025-01-15T12:00:00Z',
        }),
      ],
      milestones: [],
      plannedStart: null,
      plannedEnd: null,
      predictedCompletion: null,
    });
    const wide = layOutGantt({ timeline, now: NOW });
    expect(wide.axis.spec.unit).toBe('day');
    expect(wide.plot.width).toBe(
      wide.axis.ticks.length * wide.axis.spec.spacing,
    );
    expect(wide.plot.width).toBeGreaterThan(
      900 - GANTT.labelWidth - GANTT.rightPadding,
    );
    // Without milestones the rows start right under the axis.
    expect(wide.milestones).toBeNull();
    expect(wide.rows[0].top).toBe(GANTT.axisHeight);
  });

  it('bands planned and active freeze windows from the top to the last row', () => {
    const windows = [
      freezeWindow({ id: 'f1', status: 'ACTIVE' }),
      freezeWindow({
        id: 'f2',
        status: 'PLANNED',
        name: 'A long name for a short window',
        startsAt: '2025-03-10T12:00:00Z',
        endsAt: '2025-03-10T13:00:00Z',
      }),
      freezeWindow({ id: 'f3', status: 'CANCELLED' }),
      freezeWindow({ id: 'f4', status: 'COMPLETED' }),
      freezeWindow({ id: 'f5', status: 'PLANNED', startsAt: 'not a date' }),
    ];
    const bands = layOutGantt({
      timeline: diamond(),
      now: NOW,
      freezeWindows: windows,
    }).freezeBands;
    expect(bands.map(b => [b.window.id, b.active])).toEqual([
      ['f1', true],
      ['f2', false],
    ]);
    expect(bands[0]).toMatchObject({
      x: row('verify').planned!.x,
      width: row('verify').planned!.width,
      height: layout.rowsBottom,
      label: 'Tier 1 freeze',
    });
    // An hour is a sliver: at least 2px wide, too narrow for its name.
    expect(bands[1].width).toBe(2);
    expect(bands[1].label).toBe('');
  });
});

describe('placeMilestones', () => {
  const x = (ms: number) => ms;
  const milestone = (
    id: string,
    name: string,
    planned: number | null,
    actual: number | null = null,
  ): Milestone => ({
    id,
    name,
    plannedDate: planned === null ? null : new Date(planned).toISOString(),
    actualDate: actual === null ? null : new Date(actual).toISOString(),
    completed: actual !== null,
  });

  it.each([
    [
      'names fit to the right',
      [milestone('a', 'Alpha', 100), milestone('b', 'Beta', 300)],
      [
        ['a', 100, 'Alpha', 'start'],
        ['b', 300, 'Beta', 'start'],
      ],
    ],
    [
      'a name cut short before its close neighbour',
      [
        milestone('a', 'A rather long milestone name', 50),
        milestone('b', 'B', 200),
      ],
      [
        ['a', 50, 'A rather long milest…', 'start'],
        ['b', 200, 'B', 'start'],
      ],
    ],
    [
      'a name on the left where the right edge is near',
      [milestone('a', 'Go-live', 480)],
      [['a', 480, 'Go-live', 'end']],
    ],
    [
      'no date, left out; reached, at its actual date',
      [milestone('a', 'Undated', null), milestone('b', 'Done early', 400, 350)],
      [['b', 350, 'Done early', 'start']],
    ],
  ])('%s', (_what, milestones, expected) => {
    const marks = placeMilestones(milestones, x, 10, 0, 500);
    expect(marks.map(m => [m.milestone.id, m.cx, m.label, m.anchor])).toEqual(
      expected,
    );
  });
});
