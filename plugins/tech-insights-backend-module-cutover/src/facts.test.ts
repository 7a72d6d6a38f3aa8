import { entityFacts, MigrationSignals } from './facts';

const NOW = new Date('2030-06-01T12:00:00Z');
const DAY = 86_400_000;

function migration(over: {
  id?: string;
  recommendation?: 'GO' | 'GO_WITH_CAUTION' | 'NO_GO';
  score?: number;
  risk?: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  progress?: number;
  approval?: string;
  datasets?: Array<{
    name: string;
    cutoverState: string;
    level?: 'OK' | 'WARNING' | 'CRITICAL' | 'ROLLBACK';
  }>;
  critical?: number;
  high?: number;
}): MigrationSignals {
  const datasets = over.datasets ?? [
    { name: 'orders', cutoverState: 'PENDING' },
  ];
  const reconciled = datasets.filter(d => d.level);
  return {
    id: over.id ?? 'm',
    entityRefs: ['component:default/x'],
    readiness: {
      recommendation: over.recommendation ?? 'GO',
      score: over.score ?? 90,
      riskLevel: over.risk ?? 'LOW',
      approval: { status: over.approval ?? 'APPROVED' },
    } as any,
    dashboard: {
      overallProgress: over.progress ?? 100,
      datasets: datasets.map(d => ({
        name: d.name,
        cutoverState: d.cutoverState,
      })),
    } as any,
    alerts: {
      bySeverity: {
        CRITICAL: { open: over.critical ?? 0, resolved: 0 },
        HIGH: { open: over.high ?? 0, resolved: 0 },
        MEDIUM: { open: 0, resolved: 0 },
        LOW: { open: 0, resolved: 0 },
      },
    } as any,
    latestReconciliation: reconciled.length
      ? ({
          datasets: reconciled.map(d => ({ name: d.name, level: d.level })),
        } as any)
      : undefined,
  };
}

describe('entityFacts', () => {
  it('takes the worst of the entity’s migrations and sums their open alerts', () => {
    const facts = entityFacts(
      [
        migration({
          recommendation: 'GO',
          score: 92,
          risk: 'LOW',
          progress: 80,
          critical: 1,
          approval: 'APPROVED',
        }),
        migration({
          recommendation: 'GO_WITH_CAUTION',
          score: 71,
          risk: 'HIGH',
          progress: 35,
          high: 2,
          approval: 'STALE',
        }),
      ],
      NOW,
    );
    expect(facts).toEqual({
      migrationCount: 2,
      worstRecommendation: 'GO_WITH_CAUTION',
      lowestReadinessScore: 71,
      highestRisk: 'HIGH',
      lowestProgress: 35,
      worstDriftLevel: 'NONE',
      driftBelowWarningAfterCutover: true,
      openCriticalAlerts: 1,
      openHighAlerts: 2,
      worstApprovalState: 'STALE',
      noGoDays: 0,
    });
  });

  it('flags drift at WARNING or worse only on datasets already cut over', () => {
    const before = entityFacts(
      [
        migration({
          datasets: [
            { name: 'a', cutoverState: 'READY', level: 'CRITICAL' },
            { name: 'b', cutoverState: 'CUTOVER', level: 'OK' },
          ],
        }),
      ],
      NOW,
    );
    expect(before).toMatchObject({
      worstDriftLevel: 'CRITICAL',
      driftBelowWarningAfterCutover: true,
    });
    const after = entityFacts(
      [
        migration({
          datasets: [
            { name: 'a', cutoverState: 'COMPLETED', level: 'WARNING' },
            { name: 'b', cutoverState: 'PENDING' },
          ],
        }),
      ],
      NOW,
    );
    expect(after).toMatchObject({
      worstDriftLevel: 'WARNING',
      driftBelowWarningAfterCutover: false,
    });
  });

  it('carries "NO_GO since" over from the previous facts, and starts again after a GO', () => {
    const noGo = [migration({ recommendation: 'NO_GO' })];
    const since = new Date(NOW.getTime() - 9.5 * DAY).toISOString();
    expect(
      entityFacts(noGo, NOW, {
        worstRecommendation: 'NO_GO',
        noGoSince: since,
      }),
    ).toMatchObject({
      noGoSince: since,
      noGoDays: 9,
    });
    expect(
      entityFacts(noGo, NOW, { worstRecommendation: 'GO', noGoSince: since }),
    ).toMatchObject({
      noGoSince: NOW.toISOString(),
      noGoDays: 0,
    });
    // A previous value from the future (a clock set back) is not trusted.
    expect(
      entityFacts(noGo, NOW, {
        worstRecommendation: 'NO_GO',
        noGoSince: new Date(NOW.getTime() + DAY).toISOString(),
      }),
    ).toMatchObject({ noGoSince: NOW.toISOString(), noGoDays: 0 });
    expect(
      entityFacts([migration({ recommendation: 'GO' })], NOW, {
        worstRecommendation: 'NO_GO',
        noGoSince: since,
      }),
    ).not.toHaveProperty('noGoSince');
  });
});
