import PDFDocument from 'pdfkit';
import type {
  Alert,
  Dashboard,
  FreezeWindow,
  Migration,
  Readiness,
  ReconciliationRun,
  Snapshot,
  Timeline,
  Trends,
} from '@switchyard/plugin-cutover-common';
import { Writable } from 'node:stream';
import { drawAlerts } from './pdf/alerts';
import { drawBlockers } from './pdf/blockers';
import { ReportCanvas } from './pdf/canvas';
import { drawCharts } from './pdf/charts';
import { drawDatasets, drawResources } from './pdf/datasets';
import { drawFreezeWindows } from './pdf/freezeWindows';
import { drawFooters, drawHeader } from './pdf/furniture';
import { drawHeadline, drawProgressBar } from './pdf/headline';
import { drawReconciliation } from './pdf/reconciliation';
import { drawSnapshots } from './pdf/snapshots';
import { CONTENT_BOTTOM, MARGIN_X, PAGE_H } from './pdf/theme';
import { drawTimeline } from './pdf/timeline';

/** Everything the executive summary shows, gathered by the caller. */
export interface ExecutivePdfInput {
  migration: Migration;
  dashboard: Dashboard;
  readiness: Readiness;
  trends: Trends;
  /** Open alerts, worst first. */
  alerts: Alert[];
  timeline: Timeline;
  /** Null or undefined when snapshots are not available on this installation. */
  snapshots?: Snapshot[] | null;
  /** Reconciliation runs in any order; null or undefined when not gathered. */
  reconciliations?: ReconciliationRun[] | null;
  /** Freeze windows; null or undefined when not gathered. */
  freezeWindows?: FreezeWindow[] | null;
  generatedAt: Date;
}

/** The sections top to bottom; each adds pages as its content needs them. */
function render(c: ReportCanvas) {
  drawHeader(c);
  drawHeadline(c);
  drawProgressBar(c);
  drawCharts(c);
  drawBlockers(c);
  drawAlerts(c);
  drawTimeline(c);
  drawReconciliation(c);
  drawFreezeWindows(c);
  drawDatasets(c);
  drawResources(c);
  drawSnapshots(c);
  drawFooters(c);
}

/**
 * The executive summary PDF (A4): status headline, progress and quality charts, blockers,
 * top alerts, timeline, datasets and snapshots. Streams into `out` and resolves once `out`
 * has taken all of it.
 */
export async function writeExecutivePdf(
  input: ExecutivePdfInput,
  out: Writable,
): Promise<void> {
  const doc = new PDFDocument({
    size: 'A4',
    // No built-in font: every piece of text is set in the embedded fonts of PdfText.
    font: '',
    bufferPages: true,
    margins: {
      top: 48,
      bottom: PAGE_H - CONTENT_BOTTOM,
      left: MARGIN_X,
      right: MARGIN_X,
    },
    info: {
      Title: `${input.migration.title} - executive summary`,
      Author: 'Switchyard',
      Subject: `Migration ${input.migration.id}`,
      CreationDate: input.generatedAt,
    },
  });
  // Lay everything out before anything reaches `out`, so a failure leaves it untouched.
  render(new ReportCanvas(doc, input));
  const finished = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
    doc.once('error', reject);
  });
  doc.pipe(out);
  doc.end();
  await finished;
}
