import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { GanttChart } from './GanttChart';
import { diamond } from './testTimeline';
import { layOutGantt, GANTT } from './gantt/layout';

const NOW = new Date('2025-03-08T12:00:00Z');

/** The diamond, with three sub-tasks under transform and one under verify. */
function withSubTasks() {
  const timeline = diamond();
  return {
    ...timeline,
    phases: timeline.phases.map(p => {
      if (p.id === 'transform')
        return {
          ...p,
          subTasks: [
            { id: 'map', name: 'Map columns', status: 'COMPLETED' as const, progressPercent: 100 },
            { id: 'convert', name: 'Convert currencies', status: 'IN_PROGRESS' as const, progressPercent: 20 },
            { id: 'dedupe', name: 'Deduplicate customers', status: 'PENDING' as const, progressPercent: 0 },
          ],
        };
      if (p.id === 'verify')
        return {
          ...p,
          subTasks: [{ id: 'counts', name: 'Row counts', status: 'PENDING' as const, progressPercent: 0 }],
        };
      return p;
    }),
  };
}

describe('sub-tasks on the Gantt chart', () => {
  it('lays sub-task rows out under their phase, over its planned span, and folds them away', () => {
    const timeline = withSubTasks();
    const open = layOutGantt({ timeline, now: NOW.getTime() });
    const transform = open.rows.find(r => r.phase.id === 'transform')!;
    const verify = open.rows.find(r => r.phase.id === 'verify')!;
    const subs = open.subTaskRows.filter(r => r.phase.id === 'transform');
    expect(subs.map(r => r.subTask.id)).toEqual(['map', 'convert', 'dedupe']);
    expect(subs[0].top).toBe(transform.top + transform.height);
    expect(subs[2].top + subs[2].height).toBe(verify.top);
    expect(subs.every(r => r.depth === 1 && r.height === GANTT.subTaskHeight)).toBe(true);
    expect(subs[1].bar).toEqual({
      x: transform.planned!.x,
      width: transform.planned!.width,
      progressWidth: Math.round(transform.planned!.width * 0.2 * 2) / 2,
    });
    expect(subs[0].progress).toBe(100);

    const folded = layOutGantt({ timeline, now: NOW.getTime(), folded: new Set(['transform']) });
    expect(folded.subTaskRows.map(r => r.key)).toEqual(['verify/counts']);
    expect(folded.height).toBe(open.height - 3 * GANTT.subTaskHeight);
    // The dependency arrows still join phases.
    expect(folded.dependencies.map(a => `${a.from.id}->${a.to.id}`)).toEqual(
      open.dependencies.map(a => `${a.from.id}->${a.to.id}`),
    );
  });

  it('draws sub-tasks under their phase and folds them per phase or all at once', async () => {
    await renderInTestApp(<GanttChart timeline={withSubTasks()} now={NOW} />);
    const convert = screen.getByTestId('gantt-subtask-transform-convert');
    expect(convert).toHaveTextContent('Convert currencies20%');
    expect(convert).toHaveAttribute('data-status', 'IN_PROGRESS');
    expect(screen.getByTestId('gantt-subtask-progress-transform-convert')).toBeInTheDocument();
    expect(screen.queryByTestId('gantt-subtask-progress-transform-dedupe')).not.toBeInTheDocument();
    expect(screen.getAllByTestId(/^gantt-subtask-(transform|verify)-[a-z]+$/)).toHaveLength(4);

    const fold = screen.getByRole('button', { name: 'Fold the 3 sub-tasks of Transform' });
    expect(fold).toHaveAttribute('aria-expanded', 'true');
    fireEvent.click(fold);
    expect(screen.queryByTestId('gantt-subtask-transform-convert')).not.toBeInTheDocument();
    expect(screen.getByTestId('gantt-subtask-verify-counts')).toBeInTheDocument();
    expect(within(screen.getByTestId('gantt-phase-transform')).getByText('3 sub-tasks')).toBeInTheDocument();
    const unfold = screen.getByRole('button', { name: 'Unfold the 3 sub-tasks of Transform' });
    fireEvent.keyDown(unfold, { key: 'Enter' });
    expect(screen.getByTestId('gantt-subtask-transform-convert')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Fold sub-tasks' }));
    expect(screen.queryAllByTestId(/^gantt-subtask-(transform|verify)-[a-z]+$/)).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Show sub-tasks' }));
    expect(screen.getAllByTestId(/^gantt-subtask-(transform|verify)-[a-z]+$/)).toHaveLength(4);
  });

  it('offers no folding for phases without sub-tasks', async () => {
    await renderInTestApp(<GanttChart timeline={diamond()} now={NOW} />);
    expect(screen.queryByRole('button', { name: /sub-tasks/ })).not.toBeInTheDocument();
    expect(screen.queryByTestId('gantt-fold-all')).not.toBeInTheDocument();
  });
});
