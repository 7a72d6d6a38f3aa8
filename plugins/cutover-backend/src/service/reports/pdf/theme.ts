// Page geometry, the palette and the colours the executive summary gives statuses.
import {
  type AlertSeverity,
  DEFAULT_READINESS_THRESHOLDS,
  type Recommendation,
  type RiskLevel,
} from '@switchyard/plugin-cutover-common';
import type { ReconciliationOutcome } from '../reconciliationSummary';
import { finite } from './format';

// A4 in points, and the page layout.
export const PAGE_W = 595.28;
export const PAGE_H = 841.89;
export const MARGIN_X = 48;
export const CONTENT_W = PAGE_W - 2 * MARGIN_X;
export const CONTENT_BOTTOM = PAGE_H - 60;
export const CONTINUED_TOP = 60;

export const C = {
  ink: '#1F2933',
  text: '#323F4B',
  muted: '#616E7C',
  faint: '#9AA5B1',
  rule: '#D9E2EC',
  panel: '#F5F7FA',
  zebra: '#FAFBFC',
  tableHead: '#EEF2F6',
  band: '#102A43',
  bandSoft: '#9FB3C8',
  bandText: '#D9E2EC',
  accent: '#2680C2',
  accentSoft: '#DCEEFB',
  track: '#E4E7EB',
  green: '#2F8132',
  amber: '#C77C02',
  orange: '#D9480F',
  red: '#BA2525',
  darkRed: '#8A1538',
  grey: '#7B8794',
};

export const RECOMMENDATION: Record<
  Recommendation,
  { label: string; color: string }
> = {
  GO: { label: 'GO', color: C.green },
  GO_WITH_CAUTION: { label: 'GO WITH CAUTION', color: C.amber },
  NO_GO: { label: 'NO GO', color: C.red },
};

export const RISK_COLOR: Record<RiskLevel, string> = {
  LOW: C.green,
  MEDIUM: C.amber,
  HIGH: C.orange,
  CRITICAL: C.darkRed,
};

export const SEVERITY_COLOR: Record<AlertSeverity, string> = {
  CRITICAL: C.darkRed,
  HIGH: C.red,
  MEDIUM: C.amber,
  LOW: C.grey,
};

export const STATUS_COLOR: Record<string, string> = {
  COMPLETED: C.green,
  SUCCEEDED: C.green,
  IN_PROGRESS: C.accent,
  RUNNING: C.accent,
  STALLED: C.amber,
  PAUSED: C.amber,
  FAILED: C.red,
  ROLLED_BACK: C.orange,
  CANCELLED: C.grey,
  NOT_STARTED: C.grey,
  PENDING: C.grey,
  PLANNED: C.grey,
  SKIPPED: C.grey,
};

export const OUTCOME_COLOR: Record<ReconciliationOutcome, string> = {
  OK: '#2F8132',
  WARNING: '#C77C02',
  CRITICAL: '#BA2525',
  ROLLBACK: '#8A1538',
  FAILED: '#D9480F',
};

export const FREEZE_COLOR: Record<string, string> = {
  ACTIVE: '#2680C2',
  PLANNED: '#7B8794',
  COMPLETED: '#2F8132',
  CANCELLED: '#9AA5B1',
};

// Lines of the drift chart, one per dataset, in colours apart from the thresholds'.
export const SERIES_STYLE: Array<{ color: string; dash?: [number, number] }> = [
  { color: '#2680C2' },
  { color: '#6B46C1' },
  { color: '#0F766E' },
  { color: '#C2255C' },
  { color: '#334E68', dash: [4, 1.5] },
];

/** Most rows the summary's reconciliation and freeze-window tables show. */
export const MAX_RECONCILED_ROWS = 20;
export const MAX_FREEZE_ROWS = 12;

export function qualityColor(q: number | null | undefined): string {
  if (!finite(q)) return C.grey;
  if (q >= DEFAULT_READINESS_THRESHOLDS.qualityGo) return C.green;
  if (q >= DEFAULT_READINESS_THRESHOLDS.qualityCaution) return C.amber;
  return C.red;
}
