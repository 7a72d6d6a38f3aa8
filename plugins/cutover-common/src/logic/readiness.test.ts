import { assessReadiness } from './readiness';
import { STANDARD_CHECKLIST } from './checklistTemplates';
import type { ChecklistStatus } from '../types';

const all = (status: ChecklistStatus, over: Record<string, ChecklistStatus> = {}) =>
  STANDARD_CHECKLIST.map(i => ({ ...i, status: over[i.id] ?? status, evidence: null }));

describe('assessReadiness', () => {
  it.each([
    // The design's rules: no critical blockers and quality >= 85 -> GO; >= 75 -> caution; else NO_GO.
    ['everything passes, quality 92', all('PASS'), 92, 'GO', 'LOW', true],
    ['everything passes, quality 85 (the threshold)', all('PASS'), 85, 'GO', 'LOW', true],
    ['quality 80', all('PASS'), 80, 'GO_WITH_CAUTION', 'LOW', false],
    ['quality 78', all('PASS'), 78, 'GO_WITH_CAUTION', 'MEDIUM', false],
    ['quality 74', all('PASS'), 74, 'NO_GO', 'CRITICAL', false],
    ['a failed required item', all('PASS', { SR002: 'FAIL' }), 95, 'NO_GO', 'CRITICAL', false],
    ['a failed recommended item only warns', all('PASS', { POST002: 'FAIL' }), 95, 'GO', 'LOW', true],
    ['an untested required item caps at caution', all('PASS', { UR001: 'NOT_TESTED' }), 95, 'GO_WITH_CAUTION', 'MEDIUM', false],
    ['three untested required items', all('PASS', { UR001: 'NOT_TESTED', UR002: 'NOT_TESTED', UR003: 'NOT_TESTED' }), 95, 'GO_WITH_CAUTION', 'HIGH', false],
    ['nothing tested, no quality yet', all('NOT_TESTED'), null, 'NO_GO', 'HIGH', false],
  ] as const)('%s -> %s, risk %s', (_name, items, quality, recommendation, risk, ready) => {
    const r = assessReadiness({ items: [...items], qualityScore: quality });
    expect(r.recommendation).toBe(recommendation);
    expect(r.riskLevel).toBe(risk);
    expect(r.ready).toBe(ready);
  });

  it('scores 60% checklist and 40% quality, capped while a critical blocker stands', () => {
    expect(assessReadiness({ items: all('PASS'), qualityScore: 90 }).score).toBe(96);
    expect(assessReadiness({ items: all('PASS', { DQ003: 'FAIL' }), qualityScore: 90 }).score).toBe(59);
    const untested = assessReadiness({ items: all('PASS', { UR001: 'NOT_TESTED' }), qualityScore: 90 });
    // UR001 weighs 2 of 32: checklist 93.75% -> 56.25 + 36 = 92 (rounded).
    expect(untested.score).toBe(92);
    // No quality reported: a high blocker outside the checklist costs 5 points.
    expect(assessReadiness({ items: all('PASS'), qualityScore: null }).score).toBe(55);
  });

  it('names blockers and suggests mitigations', () => {
    const r = assessReadiness({
      items: all('PASS', { DQ001: 'FAIL' }).map(i => (i.id === 'DQ001' ? { ...i, evidence: 'customers at 50.0%' } : i)),
      qualityScore: 90,
      systemBlockers: [{ severity: 'CRITICAL', source: 'SYSTEM', message: 'Migration is FAILED' }],
    });
    expect(r.blockers.map(b => b.message)).toEqual([
      'DQ001: All tier 1 datasets (master data) imported (customers at 50.0%)',
      'Migration is FAILED',
    ]);
    expect(r.mitigations[0]).toMatch(/^DQ001: Finish importing the tier 1/);
  });

  it('honours configured thresholds', () => {
    const r = assessReadiness({ items: all('PASS'), qualityScore: 88, thresholds: { qualityGo: 90, qualityCaution: 80 } });
    expect(r.recommendation).toBe('GO_WITH_CAUTION');
    expect(r.warnings).toContain('Data quality 88 is below the GO threshold of 90');
  });
});
