import { MigrationPlan } from '../schemas';
import { layOutPlan, parseMoment } from './planLayout';

const plan: MigrationPlan = {
  id: 'orders-v2',
  title: 'Orders',
  owner: 'group:default/orders-team',
  plannedStart: '2026-11-20T08:00:00Z',
  plannedEnd: '2026-12-04T18:00:00Z',
  phases: [
    {
      id: 'extract',
      name: 'Extract',
      plannedStart: '2026-11-20T08:00:00Z',
      plannedEnd: '2026-11-22T18:00:00Z',
      dependsOn: [],
    },
    { id: 'load', name: 'Load', dependsOn: ['extract'] },
  ],
  milestones: [
    { id: 'go-live', name: 'Go-live', plannedDate: '2026-12-04T18:00:00Z' },
  ],
};

describe('layOutPlan', () => {
  it('moves every date of a plan so that it starts at the given moment, keeping durations and gaps', () => {
    const moved = layOutPlan(plan, Date.parse('2031-02-01T10:30:00Z'));
    const shift =
      Date.parse('2031-02-01T10:30:00Z') - Date.parse('2026-11-20T08:00:00Z');
    const at = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
    expect(moved).toEqual({
      ...plan,
      plannedStart: '2031-02-01T10:30:00.000Z',
      plannedEnd: at('2026-12-04T18:00:00Z'),
      phases: [
        {
          ...plan.phases![0],
          plannedStart: '2031-02-01T10:30:00.000Z',
          plannedEnd: at('2026-11-22T18:00:00Z'),
        },
        { id: 'load', name: 'Load', dependsOn: ['extract'] },
      ],
      milestones: [
        {
          id: 'go-live',
          name: 'Go-live',
          plannedDate: at('2026-12-04T18:00:00Z'),
        },
      ],
    });
    expect(plan.plannedStart).toBe('2026-11-20T08:00:00Z');
  });

  it('anchors a plan without a planned start at its earliest date, and leaves a plan without dates alone', () => {
    const { plannedStart: _s, plannedEnd: _e, ...undated } = plan;
    const moved = layOutPlan(undated, new Date('2030-01-01T00:00:00Z'));
    expect(moved.phases![0].plannedStart).toBe('2030-01-01T00:00:00.000Z');
    expect(moved.milestones![0].plannedDate).toBe(
      new Date(
        Date.parse('2030-01-01T00:00:00Z') +
          (Date.parse('2026-12-04T18:00:00Z') -
            Date.parse('2026-11-20T08:00:00Z')),
      ).toISOString(),
    );
    const bare: MigrationPlan = {
      id: 'x',
      title: 'X',
      owner: 'group:default/a',
    };
    expect(layOutPlan(bare, 0)).toBe(bare);
  });
});

describe('parseMoment', () => {
  const now = Date.parse('2030-06-01T12:00:00Z');
  it.each([
    ['now', now],
    ['now-1d', now - 86_400_000],
    ['now+90m', now + 90 * 60_000],
    ['2026-11-20T08:00:00Z', Date.parse('2026-11-20T08:00:00Z')],
    ['2026-11-20', Date.parse('2026-11-20')],
  ])('reads %s', (text, expected) => {
    expect(parseMoment(text, now)).toBe(expected);
  });
  it.each(['tomorrow', 'now-', 'now-1y', '12', '2026-13-45T00:00:00Z'])(
    'refuses %s',
    text => {
      expect(parseMoment(text, now)).toBeUndefined();
    },
  );
});
