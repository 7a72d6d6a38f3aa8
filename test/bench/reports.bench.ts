/**
 * Report generation benchmark (issue: executive and detailed reports).
 *
 * Prints: (a) executive summary PDF generation time for a migration with 200 datasets (with 96
 * reconciliation runs of all of them and six freeze windows), median of 5 runs (target < 2 s), and (b) detailed Excel workbook generation time with 100,000 alert rows
 * (target < 15 s), each with the size of the file written under the OS temp directory and the
 * process's peak memory (RSS) so far; then a table of both with PASS / FAIL against the target.
 * Inputs are built in memory; no database is involved.
 *
 * Run: ./test/bench/run.sh reports   (BENCH_ALERTS and BENCH_PDF_RUNS override the sizes)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type {
  Alert,
  AlertSeverity,
  Approval,
  Checklist,
  ChecklistItem,
  Dashboard,
  DashboardDataset,
  Dataset,
  DatasetProgressStatus,
  FreezeWindow,
  Migration,
  Readiness,
  ReconciliationRun,
  Snapshot,
  Timeline,
  TimelinePhase,
  Trends,
} from '@switchyard/plugin-cutover-common';
import { ExecutivePdfInput, writeExecutivePdf } from '../../plugins/cutover-backend/src/service/reports/executivePdf';
import { WorkbookInput, writeDetailedWorkbook } from '../../plugins/cutover-backend/src/service/reports/detailedWorkbook';

const DATASETS = 200;
const ALERTS = Number(process.env.BENCH_ALERTS ?? 100_000);
const PDF_RUNS = Number(process.env.BENCH_PDF_RUNS ?? 5);
const PDF_TARGET_MS = 2_000;
const XLSX_TARGET_MS = 15_000;

const NOW = new Date();
const at = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000).toISOString();
const dsName = (i: number) => `dataset_${String(i).padStart(3, '0')}`;
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const size = (bytes: number) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : mib(bytes));
const peakRss = () => process.resourceUsage().maxRSS * 1024;
const STATUSES: DatasetProgressStatus[] = ['IN_PROGRESS', 'COMPLETED', 'STALLED', 'FAILED', 'NOT_STARTED'];
const SEVERITIES: AlertSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

function migrationAndDashboard(): { migration: Migration; dashboard: Dashboard } {
  const datasets: Dataset[] = Array.from({ length: DATASETS }, (_, i) => ({
    name: dsName(i), tier: i < 20 ? 1 : 2, category: i % 2 ? 'billing' : 'orders', keyColumns: ['id'],
    sourceTable: `legacy.${dsName(i)}`, destinationTable: `public.${dsName(i)}`,
    totalRecords: 10_000_000, importedRecords: 6_000_000 + i * 10_000, failedRecords: i * 3, skippedRecords: i,
    cutoverState: i % 10 === 0 ? 'READY' : 'PENDING', readSource: 'LEGACY', lastSampleAt: at(-0.05),
  }));
  const migration: Migration = {
    id: 'bench', title: 'Benchmark migration', description: null, owner: 'group:default/orders-team',
    entityRefs: [], approvers: null, source: null, destination: null, plannedStart: at(-24 * 7), plannedEnd: at(24 * 3),
    actualStart: at(-24 * 7), actualEnd: null, status: 'IN_PROGRESS', controlState: 'RUN', createdAt: at(-24 * 30),
    updatedAt: at(-1), createdBy: null, datasets,
  };
  const rows: DashboardDataset[] = datasets.map((d, i) => ({
    name: d.name, tier: d.tier, category: d.category, status: STATUSES[i % STATUSES.length], readSource: d.readSource,
    cutoverState: d.cutoverState, lastSampleAt: d.lastSampleAt, overallProgress: (d.importedRecords / d.totalRecords) * 100,
    totalRecords: d.totalRecords, importedRecords: d.importedRecords, failedRecords: d.failedRecords,
    skippedRecords: d.skippedRecords, importRate: 5_000 + i, estimatedCompletion: at(40), completeness: 99,
    validity: i % 4 ? 95 : null, consistency: 92, accuracy: i % 3 ? 90 : null, qualityScore: 85 + (i % 15),
    qualityTrend: 'flat', errors: { critical: i % 2, high: 1, medium: 2, low: 3 },
  }));
  const sum = (f: (d: Dataset) => number) => datasets.reduce((s, d) => s + f(d), 0);
  const dashboard: Dashboard = {
    migrationId: migration.id, title: migration.title, status: 'IN_PROGRESS', controlState: 'RUN',
    plannedStart: migration.plannedStart, plannedEnd: migration.plannedEnd, actualStart: migration.actualStart,
    elapsedMs: 7 * 86_400_000, cutoverReady: false, blockers: [], datasets: rows, generatedAt: NOW.toISOString(),
    overallProgress: (sum(d => d.importedRecords) / sum(d => d.totalRecords)) * 100, totalRecords: sum(d => d.totalRecords),
    importedRecords: sum(d => d.importedRecords), failedRecords: sum(d => d.failedRecords), skippedRecords: sum(d => d.skippedRecords),
    importRate: 1_000_000, estimatedCompletion: at(40), completeness: 99, validity: 95, consistency: null, accuracy: 90,
    qualityScore: 93.4, qualityTrend: 'up', errors: { critical: 100, high: 200, medium: 400, low: 600 },
  };
  return { migration, dashboard };
}

function trends(): Trends {
  const timestamps = Array.from({ length: 168 }, (_, i) => at(i - 168));
  return {
    range: '7d', bucket: '1h', dataset: null, timestamps,
    progressPercent: timestamps.map((_, i) => (i / 168) * 62), importedRecords: timestamps.map((_, i) => i * 7_000_000),
    importRate: timestamps.map(() => 1_000_000), qualityScore: timestamps.map(() => 93), completeness: timestamps.map(() => 99),
    validity: timestamps.map(() => 95), consistency: timestamps.map(() => null), accuracy: timestamps.map(() => 90),
  };
}

function timeline(): Timeline {
  const names = ['Extract', 'Bulk load', 'Delta sync', 'Validate', 'Cutover rehearsal', 'Cutover'];
  const phases: TimelinePhase[] = names.map((name, i) => ({
    id: `p${i}`, name, description: null, plannedStart: at(-24 * 7 + i * 24), plannedEnd: at(-24 * 6 + i * 36),
    actualStart: i < 3 ? at(-24 * 7 + i * 24) : null, actualEnd: i < 2 ? at(-24 * 6 + i * 36) : null,
    progressPercent: Math.max(0, 100 - i * 30), status: (['COMPLETED', 'COMPLETED', 'IN_PROGRESS'] as const)[i] ?? 'PENDING',
    dependsOn: i ? [`p${i - 1}`] : [], subTasks: [], errors: [], warnings: [], earliestStart: null, earliestFinish: null,
    latestStart: null, latestFinish: null, slackDays: 0, critical: true, delayDays: i === 2 ? 1.5 : 0,
  }));
  return {
    phases, milestones: [], criticalPath: phases.map(p => p.id), scheduleVarianceDays: 1.5, predictedCompletion: at(24 * 4.5),
    delays: [{ id: 'p2', kind: 'phase', name: 'Delta sync', plannedEnd: at(0), expectedEnd: at(36), delayDays: 1.5 }],
    plannedStart: at(-24 * 7), plannedEnd: at(24 * 3),
  };
}

function alerts(count: number): Alert[] {
  return Array.from({ length: count }, (_, i) => {
    const severity = SEVERITIES[Math.min(3, Math.floor(Math.log2(1 + (i % 15))))];
    const resolved = i % 3 === 0;
    return {
      id: `alert-${i}`, migrationId: 'bench', alertType: 'THRESHOLD', severity,
      title: `Error rate above threshold on ${dsName(i % DATASETS)} (batch ${i})`, message: 'Rows rejected by the destination',
      dataset: dsName(i % DATASETS), recordId: null, status: resolved ? 'RESOLVED' : 'OPEN', source: 'RULE', ruleKey: 'errorRateAbove',
      createdAt: at(-(i % 500) / 10), createdBy: 'system', targetResolutionTime: at(4 - (i % 500) / 10),
      assignedTo: i % 5 ? null : 'user:default/ana', resolvedAt: resolved ? at(-0.5) : null, resolvedBy: resolved ? 'user:default/ana' : null,
      resolution: resolved ? 'Retried the batch after fixing the mapping' : null, notes: [], escalationLevel: 0,
    };
  });
}

function checklist(): Checklist {
  const items: ChecklistItem[] = Array.from({ length: 17 }, (_, i) => ({
    id: `CK${String(i + 1).padStart(3, '0')}`, category: i < 8 ? 'Data quality' : 'Operations', title: `Checklist item ${i + 1}`,
    description: null, required: i % 2 === 0, automated: i < 4, status: (['PASS', 'FAIL', 'NOT_TESTED'] as const)[i % 3],
    evidence: null, notes: null, updatedBy: null, updatedAt: at(-2), version: 1, custom: false,
  }));
  return {
    template: 'standard',
    categories: [{ category: 'Data quality', items: items.slice(0, 8) }, { category: 'Operations', items: items.slice(8) }],
    summary: { total: 17, passed: 6, failed: 6, notTested: 5, requiredOpen: 6 },
  };
}

function readiness(): Readiness {
  return {
    ready: false, score: 71, recommendation: 'GO_WITH_CAUTION', riskLevel: 'MEDIUM', qualityScore: 93.4,
    blockers: [{ severity: 'HIGH', source: 'CHECKLIST', itemId: 'CK003', message: 'CK003: Checklist item 3 is not tested yet' }],
    warnings: ['CK002: Checklist item 2 is failing (recommended)'], mitigations: [],
    approval: { status: 'PENDING', request: null, approvals: [], required: 2, granted: 0, conditions: [] },
    evaluatedAt: NOW.toISOString(),
  };
}

function approvals(): Approval[] {
  return Array.from({ length: 3 }, (_, i) => ({
    id: `ap${i}`, requestId: 'r1', decision: 'APPROVED', approver: `user:default/approver${i}`, comments: null, conditions: [],
    recommendation: 'GO', riskLevel: 'LOW', score: 90, decidedAt: at(-i), expiresAt: null, overrideReason: null, revokedAt: null,
    revokedBy: null, revokeReason: null, expired: false, stale: false,
  }));
}

function snapshots(): Snapshot[] {
  return Array.from({ length: 8 }, (_, i) => ({
    id: `s${i}`, migrationId: 'bench', name: `nightly-${i}`, description: null, datasets: [dsName(0)], status: 'SUCCEEDED',
    progress: 100, recordCounts: { [dsName(0)]: 6_000_000 + i }, sizeBytes: 1e9, checksums: {}, locations: {}, provider: null,
    createdAt: at(-24 * i), createdBy: 'system', finishedAt: at(-24 * i + 1), expiresAt: null, error: null,
    backupForRollback: null, lastVerification: null,
  }));
}

/** A reconciliation of every dataset every 30 minutes for two days, newest first. */
function reconciliations(): ReconciliationRun[] {
  return Array.from({ length: 96 }, (_, k) => {
    const finishedAt = at(-k / 2);
    return {
      id: `run-${k}`, migrationId: 'bench', status: 'SUCCEEDED', trigger: 'SCHEDULED', progress: 100,
      createdBy: 'plugin:cutover', createdAt: finishedAt, startedAt: finishedAt, finishedAt, error: null,
      thresholds: { warning: 0.0005, critical: 0.001, rollback: 0.005 },
      datasets: Array.from({ length: DATASETS }, (__, i) => {
        const drift = i % 50 === 0 ? 0.0001 * (96 - k) * (1 + i / 100) : (i % 7) * 0.0001;
        const mismatched = Math.round(drift * 10_000_000);
        return {
          name: dsName(i), status: 'SUCCEEDED', sourceCount: 10_000_000, destinationCount: 10_000_000,
          missingInDestination: 0, missingInSource: 0, mismatched, driftRatio: drift,
          level: drift >= 0.005 ? 'ROLLBACK' : drift >= 0.001 ? 'CRITICAL' : drift >= 0.0005 ? 'WARNING' : 'OK',
          sampleKeys: [], rowsCompared: 10_000_000, durationMs: 4_000, error: null,
        } as const;
      }),
    };
  });
}

function freezeWindows(): FreezeWindow[] {
  return Array.from({ length: 6 }, (_, i) => ({
    id: `w${i}`, migrationId: 'bench', name: `Freeze ${i + 1}`, description: null,
    datasets: Array.from({ length: 10 }, (__, k) => dsName(i * 10 + k)), startsAt: at(24 * (i - 3)),
    endsAt: at(24 * (i - 3) + 6), status: i < 3 ? 'COMPLETED' : i === 3 ? 'ACTIVE' : 'PLANNED',
    allowReadSourceSwitch: true, createdAt: at(-24 * 10), createdBy: 'user:default/ana', activatedAt: null,
    completedAt: null, cancelledAt: null, cancelReason: null,
  }));
}

/** Writes into a file under the OS temp directory; returns milliseconds and the file's size. */
async function timed(file: string, write: (out: fs.WriteStream) => Promise<void>) {
  const out = fs.createWriteStream(file);
  const closed = new Promise(resolve => out.once('close', resolve));
  const t0 = performance.now();
  await write(out);
  const ms = performance.now() - t0;
  if (!out.writableEnded) out.end();
  await closed;
  return { ms, bytes: fs.statSync(file).size };
}

async function main() {
  // Kept after the run, so the reports can be opened.
  const dir = path.join(os.tmpdir(), 'switchyard-bench-reports');
  fs.mkdirSync(dir, { recursive: true });
  const { migration, dashboard } = migrationAndDashboard();
  const openAlerts = alerts(60).filter(a => a.status === 'OPEN');

  // (a) Executive PDF, 200 datasets.
  const pdfInput: ExecutivePdfInput = {
    migration, dashboard, readiness: readiness(), trends: trends(), alerts: openAlerts, timeline: timeline(),
    snapshots: snapshots(), reconciliations: reconciliations(), freezeWindows: freezeWindows(), generatedAt: NOW,
  };
  const pdfFile = path.join(dir, 'executive.pdf');
  const pdfTimes: number[] = [];
  let pdfBytes = 0;
  for (let run = 0; run < PDF_RUNS; run++) {
    const r = await timed(pdfFile, out => writeExecutivePdf(pdfInput, out));
    pdfTimes.push(r.ms);
    pdfBytes = r.bytes;
  }
  const sorted = [...pdfTimes].sort((a, b) => a - b);
  const pdfMedian = sorted[Math.floor(sorted.length / 2)];
  console.log(`executive PDF, ${DATASETS} datasets: runs ${pdfTimes.map(t => `${t.toFixed(0)} ms`).join(', ')}; median ${pdfMedian.toFixed(0)} ms; ${fmt(pdfBytes)} bytes at ${pdfFile}; peak RSS ${mib(peakRss())}`);

  // (b) Detailed workbook, 100,000 alert rows.
  const t0 = performance.now();
  const workbookInput: WorkbookInput = {
    migration, dashboard, trends: trends(), checklist: checklist(), approvals: approvals(), alerts: alerts(ALERTS),
    timeline: timeline(), reconciliations: reconciliations(), freezeWindows: freezeWindows(), generatedAt: NOW,
  };
  const built = performance.now() - t0;
  const rssBefore = process.memoryUsage().rss;
  const xlsxFile = path.join(dir, 'detailed.xlsx');
  const xlsx = await timed(xlsxFile, out => writeDetailedWorkbook(workbookInput, out));
  console.log(`detailed workbook, ${fmt(ALERTS)} alert rows: ${xlsx.ms.toFixed(0)} ms (input built in ${built.toFixed(0)} ms, not counted); ${fmt(xlsx.bytes)} bytes at ${xlsxFile}; RSS before ${mib(rssBefore)}, peak RSS ${mib(peakRss())}`);

  const rows = [
    { what: `Executive PDF (${DATASETS} datasets, median of ${PDF_RUNS})`, ms: pdfMedian, target: PDF_TARGET_MS, size: pdfBytes },
    { what: `Detailed workbook (${fmt(ALERTS)} alerts)`, ms: xlsx.ms, target: XLSX_TARGET_MS, size: xlsx.bytes },
  ];
  console.log('');
  console.log(`${'Report'.padEnd(48)} ${'Time'.padStart(10)} ${'Target'.padStart(10)} ${'Size'.padStart(12)}  Result`);
  for (const r of rows) {
    const time = `${(r.ms / 1000).toFixed(2)} s`;
    const target = `< ${(r.target / 1000).toFixed(0)} s`;
    console.log(`${r.what.padEnd(48)} ${time.padStart(10)} ${target.padStart(10)} ${size(r.size).padStart(12)}  ${r.ms < r.target ? 'PASS' : 'FAIL'}`);
  }
  console.log(`peak RSS of the run: ${mib(peakRss())}`);
  const ok = rows.every(r => r.ms < r.target);
  console.log(ok ? 'targets met' : 'TARGETS MISSED');
  if (!ok) process.exitCode = 1;
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
