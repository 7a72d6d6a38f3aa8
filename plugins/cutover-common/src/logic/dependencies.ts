/**
 * A dependency cycle among phases, as the list of ids that form it (first id repeated at the
 * end), or undefined when the graph is acyclic. Dependencies on unknown phases are ignored here.
 * @public
 */
export function findDependencyCycle(
  phases: Array<{ id: string; dependsOn: string[] }>,
): string[] | undefined {
  const deps = new Map(phases.map(p => [p.id, p.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') {
      return [...stack.slice(stack.indexOf(id)), id];
    }
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const p of phases) {
    const cycle = visit(p.id);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * The dependencies of a phase that are not finished (neither COMPLETED nor SKIPPED), which stop
 * it from starting.
 * @public
 */
export function unmetDependencies(
  phase: { dependsOn: string[] },
  phases: Array<{ id: string; status: string }>,
): string[] {
  const status = new Map(phases.map(p => [p.id, p.status]));
  return phase.dependsOn.filter(dep => {
    const s = status.get(dep);
    return s !== 'COMPLETED' && s !== 'SKIPPED';
  });
}
