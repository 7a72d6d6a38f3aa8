import { renderInTestApp } from '@backstage/test-utils';
import type { FreezeWindow } from '@switchyard/plugin-cutover-common';
import { screen, within } from '@testing-library/react';
import { GanttChart } from './GanttChart';
import { diamond, phase } from './testTimeline';

const NOW = new Date('2025-03-08T12:00:00Z');

function freezeWindow(over: Partial<FreezeWindow> & Pick<FreezeWindow, 'id' | 'name' | 'status'>): FreezeWindow {
  return {
    migrationId: 'm',
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

/** The first x coordinate of a path's "M x,y". */
function startX(el: Element): number {
  return Number(/^M(-?[\d.]+),/.exec(el.getAttribute('d') ?? '')?.[1]);
}

function rectX(el: Element): number {
  return Number(el.getAttribute('x'));
}

function rectWidth(el: Element): number {
  return Number(el.getAttribute('width'));
}

describe('GanttChart', () => {
  it('renders one row per phase with an accessible name and the critical path marked', async () => {
    await renderInTestApp(<GanttChart timeline={diamond()} now={NOW} />);

    expect(screen.getByRole('figure', { name: 'Gantt chart of 4 phases' })).toBeInTheDocument();
    const rows = screen.getAllByTestId(/^gantt-phase-/);
    expect(rows.map(r => r.getAttribute('data-testid'))).toEqual([
      'gantt-phase-extract',
      'gantt-phase-transform',
      'gantt-phase-verify',
      'gantt-phase-cutover',
    ]);
    expect(rows.filter(r => r.getAttribute('data-critical') === 'true').map(r => r.dataset.testid)).toEqual([
      'gantt-phase-extract',
      'gantt-phase-transform',
      'gantt-phase-cutover',
    ]);
    expect(screen.getByTestId('gantt-phase-verify')).not.toHaveAttribute('data-critical');

    // Labels: name, status and progress, and the critical marker only on critical rows.
    const transform = screen.getByTestId('gantt-phase-transform');
    expect(within(transform).getByText('Transform')).toBeInTheDocument();
    expect(within(transform).getByText(/In progress · 40%/)).toBeInTheDocument();
    expect(within(transform).getByText('◆ critical')).toBeInTheDocument();
    expect(within(screen.getByTestId('gantt-phase-verify')).queryByText('◆ critical')).not.toBeInTheDocument();
    expect(screen.getAllByText('◆ critical')).toHaveLength(3);

    // Critical planned bars get a thicker outline than the others.
    const plannedRect = (id: string) => screen.getByTestId(`gantt-planned-${id}`).querySelector('rect')!;
    expect(plannedRect('transform')).toHaveAttribute('stroke-width', '2');
    expect(plannedRect('verify')).toHaveAttribute('stroke-width', '1');
    expect(plannedRect('transform').getAttribute('stroke')).not.toEqual(plannedRect('verify').getAttribute('stroke'));
  });

  it('describes each phase in a title: planned and actual dates, progress, slack and delay', async () => {
    await renderInTestApp(<GanttChart timeline={diamond()} now={NOW} />);
    const title = (id: string) => screen.getByTestId(`gantt-phase-${id}`).querySelector(':scope > title')!.textContent;

    expect(title('verify')).toMatch(/^Verify — Pending\. Planned: .+ → .+\. Actual: not started\. Progress: 0%\. Slack: 4 days/);
    expect(title('verify')).toContain('Depends on: extract');
    expect(title('verify')).not.toContain('critical path');
    expect(title('transform')).toContain('Actual: ');
    expect(title('transform')).toContain('→ in progress');
    expect(title('transform')).toContain('Progress: 40%');
    expect(title('transform')).toContain('Slack: 0 days');
    expect(title('transform')).toContain('Late by 1.5 days');
    expect(title('transform')).toContain('On the critical path');
    expect(title('extract')).toContain('Ahead by 1 day.');
  });

  it('draws planned bars with a progress fill and actual bars reaching today while running', async () => {
    await renderInTestApp(<GanttChart timeline={diamond()} now={NOW} />);

    const planned = screen.getByTestId('gantt-planned-transform').querySelector('rect')!;
    const progress = screen.getByTestId('gantt-progress-transform');
    expect(rectX(progress)).toBe(rectX(planned));
    expect(rectWidth(progress)).toBeCloseTo(rectWidth(planned) * 0.4, 0);
    // Nothing done yet: no fill.
    expect(screen.queryByTestId('gantt-progress-verify')).not.toBeInTheDocument();
    // Completed: the fill covers the whole planned bar.
    const extractPlanned = screen.getByTestId('gantt-planned-extract').querySelector('rect')!;
    expect(rectWidth(screen.getByTestId('gantt-progress-extract'))).toBeCloseTo(rectWidth(extractPlanned), 0);

    // Extract finished a day early: its actual bar is shorter than the planned one.
    expect(rectWidth(screen.getByTestId('gantt-actual-extract'))).toBeLessThan(rectWidth(extractPlanned));
    // Transform is running: its actual bar ends at the today line.
    const actual = screen.getByTestId('gantt-actual-transform');
    const todayX = Number(screen.getByTestId('gantt-today').querySelector('line')!.getAttribute('x1'));
    expect(rectX(actual) + rectWidth(actual)).toBeCloseTo(todayX, 0);
    // Not started: no actual bar.
    expect(screen.queryByTestId('gantt-actual-verify')).not.toBeInTheDocument();
    expect(screen.queryByTestId('gantt-actual-cutover')).not.toBeInTheDocument();
  });

  it('draws an arrow for every dependsOn edge, from the end of the dependency to the start of the dependent', async () => {
    await renderInTestApp(<GanttChart timeline={diamond()} now={NOW} />);

    const arrows = screen.getAllByTestId(/^gantt-dependency-/);
    expect(arrows.map(a => a.dataset.testid).sort()).toEqual([
      'gantt-dependency-extract-transform',
      'gantt-dependency-extract-verify',
      'gantt-dependency-transform-cutover',
      'gantt-dependency-verify-cutover',
    ]);
    for (const a of arrows) {
      expect(a.tagName.toLowerCase()).toBe('path');
      expect(a.getAttribute('marker-end')).toMatch(/^url\(#.+\)$/);
    }
    // The arrowhead markers the arrows point at exist.
    const ids = new Set(arrows.map(a => a.getAttribute('marker-end')!.slice(5, -1)));
    for (const id of ids) expect(document.getElementById(id)?.tagName.toLowerCase()).toBe('marker');

    const extract = screen.getByTestId('gantt-planned-extract').querySelector('rect')!;
    const arrow = screen.getByTestId('gantt-dependency-extract-verify');
    expect(startX(arrow)).toBeCloseTo(rectX(extract) + rectWidth(extract), 0);
    // Only edges on the critical path are drawn as critical.
    expect(screen.getByTestId('gantt-dependency-extract-transform')).toHaveAttribute('data-critical', 'true');
    expect(screen.getByTestId('gantt-dependency-transform-cutover')).toHaveAttribute('data-critical', 'true');
    expect(arrow).not.toHaveAttribute('data-critical');
  });

  it('ignores dependencies on unknown phases', async () => {
    const timeline = diamond();
    timeline.phases[2] = { ...timeline.phases[2], dependsOn: ['extract', 'ghost'] };
    await renderInTestApp(<GanttChart timeline={timeline} now={NOW} />);
    expect(screen.getAllByTestId(/^gantt-dependency-/)).toHaveLength(4);
    expect(screen.queryByTestId('gantt-dependency-ghost-verify')).not.toBeInTheDocument();
  });

  it('places the today line when now is inside the range, and not otherwise', async () => {
    const { unmount } = await renderInTestApp(<GanttChart timeline={diamond()} now={NOW} />);
    const today = screen.getByTestId('gantt-today');
    expect(within(today).getByText('Today')).toBeInTheDocument();
    // Between the start of transform's planned bar (Mar 5) and its end (Mar 12).
    const x = Number(today.querySelector('line')!.getAttribute('x1'));
    const planned = screen.getByTestId('gantt-planned-transform').querySelector('rect')!;
    expect(x).toBeGreaterThan(rectX(planned));
    expect(x).toBeLessThan(rectX(planned) + rectWidth(planned));
    unmount();

    // A plan with nothing running, looked at a year later: no today line.
    const finished = diamond();
    finished.phases[1] = { ...finished.phases[1], status: 'COMPLETED', actualEnd: '2025-03-12T12:00:00Z' };
    await renderInTestApp(<GanttChart timeline={finished} now={new Date('2026-03-08T12:00:00Z')} />);
    expect(screen.getByRole('figure', { name: 'Gantt chart of 4 phases' })).toBeInTheDocument();
    expect(screen.queryByTestId('gantt-today')).not.toBeInTheDocument();
    expect(within(screen.getByTestId('gantt-chart')).queryByText('Today')).not.toBeInTheDocument();
  });

  it('draws milestones as diamonds, filled when completed and placed at the actual date', async () => {
    await renderInTestApp(<GanttChart timeline={diamond()} now={NOW} />);

    expect(screen.getByText('Milestones')).toBeInTheDocument();
    const freeze = screen.getByTestId('gantt-milestone-freeze');
    const golive = screen.getByTestId('gantt-milestone-golive');
    expect(freeze).toHaveAttribute('data-completed', 'true');
    expect(golive).toHaveAttribute('data-completed', 'false');
    expect(freeze.querySelector('title')!.textContent).toMatch(/^Data frozen\. Planned: .+\. Actual: .+\. Completed$/);
    expect(golive.querySelector('title')!.textContent).toMatch(/^Go-live\. Planned: .+\. Not completed$/);

    const freezeDiamond = freeze.querySelector('path')!;
    const goliveDiamond = golive.querySelector('path')!;
    expect(freezeDiamond.getAttribute('fill')).not.toEqual(goliveDiamond.getAttribute('fill'));
    // Completed on Mar 4 (actual), where extract's actual bar ends; go-live at Mar 15, where cutover's plan ends.
    const extractActual = screen.getByTestId('gantt-actual-extract');
    expect(startX(freezeDiamond)).toBeCloseTo(rectX(extractActual) + rectWidth(extractActual), 0);
    const cutover = screen.getByTestId('gantt-planned-cutover').querySelector('rect')!;
    expect(startX(goliveDiamond)).toBeCloseTo(rectX(cutover) + rectWidth(cutover), 0);
  });

  it('draws a labelled time axis with gridlines and a legend', async () => {
    await renderInTestApp(<GanttChart timeline={diamond()} now={NOW} />);
    // Mar 1 – Mar 16 padded: daily ticks.
    const ticks = screen.getAllByTestId('gantt-tick');
    expect(ticks.length).toBeGreaterThanOrEqual(16);
    expect(ticks.length).toBeLessThanOrEqual(19);
    expect(within(screen.getByTestId('gantt-axis')).getByText('Mar 8')).toBeInTheDocument();
    for (const t of ticks) expect(t.querySelector('line')).not.toBeNull();

    const legend = screen.getByTestId('gantt-legend');
    for (const label of ['Planned', 'Actual', 'Progress', 'Critical path', 'Dependency', 'Milestone (planned / done)', 'Today']) {
      expect(within(legend).getByText(label)).toBeInTheDocument();
    }
  });

  it('uses weekly ticks over a long plan and keeps the chart at least 900px wide', async () => {
    const timeline = diamond({
      phases: [
        phase({ id: 'a', name: 'Long', plannedStart: '2025-01-06T12:00:00Z', plannedEnd: '2025-04-07T12:00:00Z' }),
      ],
      milestones: [],
      criticalPath: [],
      predictedCompletion: null,
      plannedStart: null,
      plannedEnd: null,
    });
    await renderInTestApp(<GanttChart timeline={timeline} now={new Date('2025-02-01T12:00:00Z')} />);
    const ticks = screen.getAllByTestId('gantt-tick');
    // About 13 weeks, plus padding.
    expect(ticks.length).toBeGreaterThanOrEqual(13);
    expect(ticks.length).toBeLessThanOrEqual(16);
    const xs = ticks.map(t => Number(t.querySelector('line')!.getAttribute('x1')));
    const gaps = xs.slice(1).map((v, i) => v - xs[i]);
    // Even spacing (a daylight-saving hour aside).
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThan(2);
    expect(Number(screen.getByTestId('gantt-chart').getAttribute('width'))).toBeGreaterThanOrEqual(900);
    expect(screen.queryByText('Milestones')).not.toBeInTheDocument();
  });

  it('renders a phase without any date as a labelled empty row', async () => {
    const timeline = diamond();
    timeline.phases.push(phase({ id: 'later', name: 'Decommission legacy' }));
    await renderInTestApp(<GanttChart timeline={timeline} now={NOW} />);

    const row = screen.getByTestId('gantt-phase-later');
    expect(within(row).getByText('Decommission legacy')).toBeInTheDocument();
    expect(within(row).getByText('No dates scheduled')).toBeInTheDocument();
    expect(row.querySelectorAll('rect')).toHaveLength(0);
    expect(row.querySelector('title')!.textContent).toContain('Planned: not scheduled');
    expect(screen.getByRole('figure', { name: 'Gantt chart of 5 phases' })).toBeInTheDocument();
  });

  it('renders 50 phases quickly, one fixed-height row each', async () => {
    const start = Date.parse('2025-01-06T12:00:00Z');
    const day = 86_400_000;
    const phases = Array.from({ length: 50 }, (_, i) =>
      phase({
        id: `p${i}`,
        name: `Phase number ${i} with a rather long descriptive name that must be cut short`,
        status: i < 20 ? 'COMPLETED' : 'PENDING',
        progressPercent: i < 20 ? 100 : 0,
        critical: i % 5 === 0,
        plannedStart: new Date(start + i * 2 * day).toISOString(),
        plannedEnd: new Date(start + (i * 2 + 3) * day).toISOString(),
        actualStart: i < 20 ? new Date(start + i * 2 * day).toISOString() : null,
        actualEnd: i < 20 ? new Date(start + (i * 2 + 3) * day).toISOString() : null,
        dependsOn: i > 0 ? [`p${i - 1}`] : [],
      }),
    );
    const timeline = diamond({ phases, milestones: [], criticalPath: [] });

    const t0 = performance.now();
    await renderInTestApp(<GanttChart timeline={timeline} now={new Date(start + 40 * day)} />);
    const elapsed = performance.now() - t0;

    expect(screen.getByRole('figure', { name: 'Gantt chart of 50 phases' })).toBeInTheDocument();
    expect(screen.getAllByTestId(/^gantt-phase-/)).toHaveLength(50);
    expect(screen.getAllByTestId(/^gantt-dependency-/)).toHaveLength(49);
    expect(document.querySelectorAll('[data-testid^="gantt-phase-"][data-critical="true"]')).toHaveLength(10);
    // Axis (32) + 50 rows of 28 + footer (20); no milestone row.
    expect(screen.getByTestId('gantt-chart')).toHaveAttribute('height', String(32 + 50 * 28 + 20));
    // Long names are cut short in the label column, kept whole in the tooltip.
    const row = screen.getByTestId('gantt-phase-p7');
    expect(within(row).getByText(/^Phase number 7 with a rather long.*…$/)).toBeInTheDocument();
    expect(row.querySelector('title')!.textContent).toContain('must be cut short');
    expect(elapsed).toBeLessThan(5000);
  });

  it('shades planned and active freeze windows as labelled bands behind the phases', async () => {
    const windows = [
      // Over verify's planned bar (Mar 5 - Mar 8) and over cutover's (Mar 12 - Mar 15).
      freezeWindow({ id: 'f1', name: 'Tier 1 freeze', status: 'ACTIVE', datasets: ['customers', 'orders'] }),
      freezeWindow({
        id: 'f2',
        name: 'Go-live freeze',
        status: 'PLANNED',
        startsAt: '2025-03-12T12:00:00Z',
        endsAt: '2025-03-15T12:00:00Z',
      }),
      freezeWindow({ id: 'f3', name: 'Called off', status: 'CANCELLED' }),
      freezeWindow({ id: 'f4', name: 'Done', status: 'COMPLETED' }),
    ];
    const { unmount } = await renderInTestApp(<GanttChart timeline={diamond()} now={NOW} freezeWindows={windows} />);

    const bands = screen.getAllByTestId(/^gantt-freeze-f/);
    expect(bands.map(b => b.dataset.testid)).toEqual(['gantt-freeze-f1', 'gantt-freeze-f2']);
    const band = (id: string) => screen.getByTestId(`gantt-freeze-${id}`).querySelector('rect')!;
    const planned = (id: string) => screen.getByTestId(`gantt-planned-${id}`).querySelector('rect')!;
    expect(rectX(band('f1'))).toBeCloseTo(rectX(planned('verify')), 0);
    expect(rectWidth(band('f1'))).toBeCloseTo(rectWidth(planned('verify')), 0);
    expect(rectX(band('f2'))).toBeCloseTo(rectX(planned('cutover')), 0);
    expect(rectWidth(band('f2'))).toBeCloseTo(rectWidth(planned('cutover')), 0);
    // From the top of the chart to the bottom of the last phase row: axis, milestones, 4 phases.
    expect(band('f1')).toHaveAttribute('height', String(32 + 28 + 4 * 28));
    // Active windows are shaded darker than planned ones.
    expect(screen.getByTestId('gantt-freeze-f1')).toHaveAttribute('data-status', 'ACTIVE');
    expect(band('f1').getAttribute('fill')).not.toEqual(band('f2').getAttribute('fill'));
    expect(band('f2')).toHaveAttribute('stroke-dasharray', '3 2');

    expect(within(screen.getByTestId('gantt-freeze-f1')).getByText('Tier 1 freeze')).toBeInTheDocument();
    expect(within(screen.getByTestId('gantt-freeze-f2')).getByText('Go-live freeze')).toBeInTheDocument();
    expect(screen.getByTestId('gantt-freeze-f1').querySelector('title')!.textContent).toMatch(
      /^Freeze window Tier 1 freeze \(active\): .+ → .+\. Datasets: customers, orders$/,
    );
    expect(screen.queryByText('Called off')).not.toBeInTheDocument();
    expect(within(screen.getByTestId('gantt-legend')).getByText('Freeze window (planned / active)')).toBeInTheDocument();
    // Bands lie behind the bars: drawn before the first phase.
    const order = Array.from(screen.getByTestId('gantt-chart').querySelectorAll('[data-testid]')).map(e => e.getAttribute('data-testid'));
    expect(order.indexOf('gantt-freeze-windows')).toBeLessThan(order.indexOf('gantt-phase-extract'));
    unmount();

    // A window after the plan widens the chart to show it; none at all draws nothing.
    const later = freezeWindow({ id: 'f5', name: 'Late', status: 'PLANNED', startsAt: '2025-03-20T12:00:00Z', endsAt: '2025-03-21T12:00:00Z' });
    const second = await renderInTestApp(<GanttChart timeline={diamond()} now={NOW} freezeWindows={[later]} />);
    const chartWidth = Number(screen.getByTestId('gantt-chart').getAttribute('width'));
    const lateBand = screen.getByTestId('gantt-freeze-f5').querySelector('rect')!;
    expect(rectX(lateBand)).toBeGreaterThan(rectX(planned('cutover')) + rectWidth(planned('cutover')));
    expect(rectX(lateBand) + rectWidth(lateBand)).toBeLessThan(chartWidth);
    second.unmount();

    await renderInTestApp(<GanttChart timeline={diamond()} now={NOW} />);
    expect(screen.queryByTestId('gantt-freeze-windows')).not.toBeInTheDocument();
    expect(screen.queryByText('Freeze window (planned / active)')).not.toBeInTheDocument();
  });
});
