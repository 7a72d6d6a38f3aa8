// 3. Blockers, warnings and recommended actions.
import type { ReportCanvas } from './canvas';
import { DOT, label, plural } from './format';
import { C } from './theme';

export function drawBlockers(c: ReportCanvas) {
  const { readiness: r } = c.input;
  const sourceLabel: Record<string, string> = {
    CHECKLIST: 'Checklist',
    DATA_QUALITY: 'Data quality',
    SYSTEM: 'System',
  };
  c.section(
    'Blockers and warnings',
    `${plural(r.blockers.length, 'blocker')}${DOT}${plural(
      r.warnings.length,
      'warning',
    )}`,
    30,
  );
  if (!r.blockers.length && !r.warnings.length) {
    c.note('No blockers or warnings stand in the way of cutover.', C.green);
    return;
  }
  const order = { CRITICAL: 0, HIGH: 1 } as Record<string, number>;
  const blockers = [...r.blockers].sort(
    (a, b) => (order[a.severity] ?? 2) - (order[b.severity] ?? 2),
  );
  for (const b of blockers) {
    c.listItem(
      b.severity,
      b.severity === 'CRITICAL' ? C.darkRed : C.red,
      sourceLabel[b.source] ?? label(b.source),
      b.message,
    );
  }
  for (const w of r.warnings) c.listItem('WARNING', C.amber, 'Readiness', w);
  if (r.mitigations.length) {
    c.y += 4;
    c.subheading('Recommended actions', 14);
    for (const m of r.mitigations)
      c.listItem('ACTION', C.accent, 'Mitigation', m);
  }
}
