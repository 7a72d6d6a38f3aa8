// Long: the typed client of the whole API, one short method per operation of the catalogue
// (contract/operations.ts) plus the CutoverApi interface they implement; kept together so the
// client mirrors the contract in one place. Each method is a few lines over one request helper.
import { ResponseError } from '@backstage/errors';
import type {
  Alert,
  AlertPage,
  Approval,
  ApprovalHistory,
  ApprovalRequest,
  AuditEvent,
  Checklist,
  ChecklistItem,
  Readiness,
  Timeline,
  ControlAnswer,
  Dashboard,
  IngestResult,
  Migration,
  MigrationStatus,
  Milestone,
  Page,
  Phase,
  Trends,
  ReportSchedule,
  OperationSchedule,
  ScheduledOperation,
  Rollback,
  Snapshot,
  SnapshotVerification,
  DatasetSwitchEvent,
  FreezeWindow,
  ReadSources,
  ReconciliationRun,
  PortfolioPage,
  PortfolioSort,
  Recommendation as PortfolioRecommendation,
  RiskLevel as PortfolioRiskLevel,
  PlanDraft,
} from '../types';
import type {
  MetricSample,
  MigrationPatch,
  MigrationPlan,
  MilestoneUpdate,
  PhaseUpdate,
  SubTaskCreate,
  SubTaskUpdate,
  AlertCreate,
  ApprovalDecisionBody,
  ChecklistItemUpdate,
  ReportScheduleCreate,
  OperationScheduleCreate,
  RollbackCreate,
  SnapshotCreate,
  CutoverStateChange,
  FreezeWindowCreate,
  ReadSourceSwitch,
  ReconciliationCreate,
  PlanDraftRequest,
} from '../schemas';
import { CutoverRetryOptions, sendWithRetry } from './retry';

export type { CutoverRetryOptions, CutoverRetryEvent } from './retry';

/** The parts of Backstage's discovery API the client needs. @public */
export interface CutoverDiscovery {
  getBaseUrl(pluginId: string): Promise<string>;
}

/** The parts of Backstage's fetch API the client needs. @public */
export interface CutoverFetch {
  fetch: typeof fetch;
}

/** Options of {@link CutoverClient}. @public */
export interface CutoverClientOptions {
  discoveryApi: CutoverDiscovery;
  fetchApi?: CutoverFetch;
  /**
   * Retry idempotent calls on network errors and 429/502/503/504 (off when not given; `{}` for the
   * defaults). See {@link CutoverRetryOptions}.
   */
  retry?: CutoverRetryOptions;
}

/** Filters of {@link CutoverApi.listMigrations}. @public */
export interface ListMigrationsRequest {
  entityRef?: string;
  owner?: string;
  status?: MigrationStatus;
  limit?: number;
  cursor?: string;
}

/** Filters of {@link CutoverApi.getPortfolio}. @public */
export interface PortfolioRequest {
  /** `all`, comma-separated owner refs, or absent for the caller's groups. */
  owner?: string;
  /** Comma-separated entity refs the migrations are annotated on. */
  entityRefs?: string;
  status?: MigrationStatus;
  recommendation?: PortfolioRecommendation;
  risk?: PortfolioRiskLevel;
  sort?: PortfolioSort;
  limit?: number;
  cursor?: string;
}

/** The cutover backend as clients see it. @public */
export interface CutoverApi {
  listMigrations(request?: ListMigrationsRequest): Promise<Page<Migration>>;
  getMigration(id: string): Promise<Migration>;
  getPortfolio(request?: PortfolioRequest): Promise<PortfolioPage>;
  createMigration(plan: MigrationPlan): Promise<Migration>;
  applyPlan(plan: MigrationPlan): Promise<Migration>;
  /** Drafts a plan from the databases behind two connections (nothing is applied). */
  draftPlan(request: PlanDraftRequest): Promise<PlanDraft>;
  updateMigration(id: string, patch: MigrationPatch): Promise<Migration>;
  archiveMigration(id: string): Promise<void>;
  /** With `dataset`: PAUSE also while a paused phase moves that dataset. */
  getControl(id: string, query?: { dataset?: string }): Promise<ControlAnswer>;
  reportMetrics(
    id: string,
    samples: MetricSample[],
    options?: { idempotencyKey?: string },
  ): Promise<IngestResult>;
  getDashboard(id: string): Promise<Dashboard>;
  getTrends(
    id: string,
    query?: { range?: string; bucket?: string; dataset?: string },
  ): Promise<Trends>;
  getAudit(id: string, query?: { limit?: number; cursor?: string }): Promise<Page<AuditEvent>>;
  putPhase(id: string, phaseId: string, update: PhaseUpdate): Promise<Phase>;
  createSubTask(id: string, phaseId: string, subTask: SubTaskCreate): Promise<Phase>;
  updateSubTask(id: string, phaseId: string, subTaskId: string, update: SubTaskUpdate): Promise<Phase>;
  completeSubTask(id: string, phaseId: string, subTaskId: string): Promise<Phase>;
  pausePhase(id: string, phaseId: string, reason?: string): Promise<Phase>;
  resumePhase(id: string, phaseId: string, reason?: string): Promise<Phase>;
  putMilestone(id: string, milestoneId: string, update: MilestoneUpdate): Promise<Milestone>;
  getChecklist(id: string): Promise<Checklist>;
  addChecklistItem(
    id: string,
    item: { id?: string; category: string; title: string; description?: string; required?: boolean },
  ): Promise<ChecklistItem>;
  updateChecklistItem(id: string, itemId: string, update: ChecklistItemUpdate): Promise<ChecklistItem>;
  getReadiness(id: string): Promise<Readiness>;
  requestApproval(id: string, body?: { comments?: string }): Promise<ApprovalRequest>;
  /** Every approval request and a page of decisions, newest first (follow `nextCursor`). */
  listApprovals(id: string, page?: PageQuery): Promise<ApprovalHistory>;
  decideApproval(id: string, body: ApprovalDecisionBody): Promise<Approval>;
  revokeApproval(id: string, approvalId: string, reason: string): Promise<Approval>;
  getTimeline(id: string): Promise<Timeline>;
  listAlerts(
    id: string,
    query?: {
      severity?: string;
      status?: string;
      assignee?: string;
      alertType?: string;
      dataset?: string;
      limit?: number;
      cursor?: string;
    },
  ): Promise<AlertPage>;
  raiseAlert(id: string, alert: AlertCreate): Promise<Alert>;
  resolveAlert(id: string, alertId: string, body: { resolution: string; notes?: string }): Promise<Alert>;
  reopenAlert(id: string, alertId: string, reason?: string): Promise<Alert>;
  assignAlert(id: string, alertId: string, assignedTo: string | null): Promise<Alert>;
  addAlertNote(id: string, alertId: string, text: string): Promise<Alert>;
  listReportSchedules(id: string, page?: PageQuery): Promise<Page<ReportSchedule>>;
  createReportSchedule(id: string, schedule: ReportScheduleCreate): Promise<ReportSchedule>;
  updateReportSchedule(
    id: string,
    scheduleId: string,
    patch: { enabled?: boolean; name?: string },
  ): Promise<ReportSchedule>;
  deleteReportSchedule(id: string, scheduleId: string): Promise<void>;
  listOperationSchedules(
    id: string,
    operation: ScheduledOperation,
    page?: PageQuery,
  ): Promise<Page<OperationSchedule>>;
  createOperationSchedule(
    id: string,
    operation: ScheduledOperation,
    schedule: OperationScheduleCreate,
  ): Promise<OperationSchedule>;
  updateOperationSchedule(
    id: string,
    operation: ScheduledOperation,
    scheduleId: string,
    patch: { enabled?: boolean; name?: string },
  ): Promise<OperationSchedule>;
  deleteOperationSchedule(id: string, operation: ScheduledOperation, scheduleId: string): Promise<void>;
  runOperationScheduleNow(
    id: string,
    operation: ScheduledOperation,
    scheduleId: string,
  ): Promise<OperationSchedule>;
  listSnapshots(id: string, page?: PageQuery): Promise<Page<Snapshot>>;
  getSnapshot(id: string, snapshotId: string): Promise<Snapshot>;
  createSnapshot(id: string, body: SnapshotCreate): Promise<Snapshot>;
  deleteSnapshot(id: string, snapshotId: string): Promise<void>;
  verifySnapshot(id: string, snapshotId: string): Promise<SnapshotVerification>;
  listRollbacks(id: string, page?: PageQuery): Promise<Page<Rollback>>;
  getRollback(id: string, rollbackId: string): Promise<Rollback>;
  executeRollback(id: string, body: RollbackCreate): Promise<Rollback>;
  getReadSources(id: string): Promise<ReadSources>;
  switchReadSource(id: string, dataset: string, body: ReadSourceSwitch): Promise<DatasetSwitchEvent>;
  setCutoverState(id: string, dataset: string, body: CutoverStateChange): Promise<DatasetSwitchEvent>;
  listSwitchHistory(id: string, query?: { dataset?: string } & PageQuery): Promise<Page<DatasetSwitchEvent>>;
  listFreezeWindows(id: string, page?: PageQuery): Promise<Page<FreezeWindow>>;
  createFreezeWindow(id: string, body: FreezeWindowCreate): Promise<FreezeWindow>;
  freezeWindowAction(
    id: string,
    windowId: string,
    action: 'activate' | 'complete' | 'cancel',
    body?: { reason?: string },
  ): Promise<FreezeWindow>;
  listReconciliations(id: string, page?: PageQuery): Promise<Page<ReconciliationRun>>;
  getReconciliation(id: string, runId: string): Promise<ReconciliationRun>;
  startReconciliation(id: string, body?: ReconciliationCreate): Promise<ReconciliationRun>;
}

/** The path segment of a scheduled operation's routes. @public */
export function operationSchedulesPath(operation: ScheduledOperation): string {
  return operation === 'SNAPSHOT' ? 'snapshot-schedules' : 'reconciliation-schedules';
}

/** Paging of list routes: at most `limit` items (default 100), after `cursor` (a `nextCursor`). @public */
export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/**
 * Typed HTTP client of the cutover backend, used by the frontend, the CLI and jobs.
 * @public
 */
export class CutoverClient implements CutoverApi {
  private readonly discoveryApi: CutoverDiscovery;
  private readonly fetchApi: CutoverFetch;
  private readonly retry?: CutoverRetryOptions;

  /**
   * A client for a known base URL (`http://host/api/cutover`) with an optional bearer token:
   * what jobs and the CLI use. `retry` turns on retries of idempotent calls.
   */
  static fromBaseUrl(
    baseUrl: string,
    options?: {
      token?: string;
      fetch?: typeof fetch;
      retry?: CutoverRetryOptions;
    },
  ): CutoverClient {
    const base = baseUrl.replace(/\/+$/, '');
    const doFetch = options?.fetch ?? fetch;
    return new CutoverClient({
      discoveryApi: { getBaseUrl: async () => base },
      fetchApi: {
        fetch: (input, init) => {
          const headers = new Headers(init?.headers);
          if (options?.token && !headers.has('authorization')) {
            headers.set('authorization', `Bearer ${options.token}`);
          }
          return doFetch(input, { ...init, headers });
        },
      },
      retry: options?.retry,
    });
  }

  constructor(options: CutoverClientOptions) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? { fetch: (...a) => fetch(...a) };
    this.retry = options.retry;
  }

  listMigrations(request: ListMigrationsRequest = {}) {
    return this.request<Page<Migration>>('GET', `/migrations${query(request)}`);
  }

  getPortfolio(request: PortfolioRequest = {}) {
    return this.request<PortfolioPage>('GET', `/portfolio${query(request)}`);
  }

  getMigration(id: string) {
    return this.request<Migration>('GET', `/migrations/${enc(id)}`);
  }

  createMigration(plan: MigrationPlan) {
    return this.request<Migration>('POST', '/migrations', plan);
  }

  draftPlan(request: PlanDraftRequest) {
    return this.request<PlanDraft>('POST', '/plans/draft', request);
  }

  applyPlan(plan: MigrationPlan) {
    return this.request<Migration>('PUT', `/migrations/${enc(plan.id)}`, plan);
  }

  updateMigration(id: string, patch: MigrationPatch) {
    return this.request<Migration>('PATCH', `/migrations/${enc(id)}`, patch);
  }

  async archiveMigration(id: string) {
    await this.request<void>('DELETE', `/migrations/${enc(id)}`);
  }

  getControl(id: string, options?: { dataset?: string }) {
    const qs = options?.dataset ? `?dataset=${enc(options.dataset)}` : '';
    return this.request<ControlAnswer>('GET', `/migrations/${enc(id)}/control${qs}`);
  }

  reportMetrics(
    id: string,
    samples: MetricSample[],
    options?: { idempotencyKey?: string },
  ) {
    return this.request<IngestResult>('POST', `/migrations/${enc(id)}/metrics`, {
      samples,
      ...(options?.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    });
  }

  getDashboard(id: string) {
    return this.request<Dashboard>('GET', `/migrations/${enc(id)}/dashboard`);
  }

  getTrends(id: string, q: { range?: string; bucket?: string; dataset?: string } = {}) {
    return this.request<Trends>('GET', `/migrations/${enc(id)}/trends${query(q)}`);
  }

  getAudit(id: string, q: { limit?: number; cursor?: string } = {}) {
    return this.request<Page<AuditEvent>>(
      'GET',
      `/migrations/${enc(id)}/audit${query(q)}`,
    );
  }

  putPhase(id: string, phaseId: string, update: PhaseUpdate) {
    return this.request<Phase>('PUT', `/migrations/${enc(id)}/phases/${enc(phaseId)}`, update);
  }

  createSubTask(id: string, phaseId: string, subTask: SubTaskCreate) {
    return this.request<Phase>(
      'POST',
      `/migrations/${enc(id)}/phases/${enc(phaseId)}/subtasks`,
      subTask,
    );
  }

  updateSubTask(id: string, phaseId: string, subTaskId: string, update: SubTaskUpdate) {
    return this.request<Phase>(
      'PATCH',
      `/migrations/${enc(id)}/phases/${enc(phaseId)}/subtasks/${enc(subTaskId)}`,
      update,
    );
  }

  completeSubTask(id: string, phaseId: string, subTaskId: string) {
    return this.request<Phase>(
      'POST',
      `/migrations/${enc(id)}/phases/${enc(phaseId)}/subtasks/${enc(subTaskId)}/complete`,
      {},
    );
  }

  pausePhase(id: string, phaseId: string, reason?: string) {
    return this.request<Phase>(
      'POST',
      `/migrations/${enc(id)}/phases/${enc(phaseId)}/pause`,
      reason ? { reason } : {},
    );
  }

  resumePhase(id: string, phaseId: string, reason?: string) {
    return this.request<Phase>(
      'POST',
      `/migrations/${enc(id)}/phases/${enc(phaseId)}/resume`,
      reason ? { reason } : {},
    );
  }

  putMilestone(id: string, milestoneId: string, update: MilestoneUpdate) {
    return this.request<Milestone>(
      'PUT',
      `/migrations/${enc(id)}/milestones/${enc(milestoneId)}`,
      update,
    );
  }

  getChecklist(id: string) {
    return this.request<Checklist>('GET', `/migrations/${enc(id)}/checklist`);
  }

  addChecklistItem(
    id: string,
    item: { id?: string; category: string; title: string; description?: string; required?: boolean },
  ) {
    return this.request<ChecklistItem>('POST', `/migrations/${enc(id)}/checklist`, item);
  }

  updateChecklistItem(id: string, itemId: string, update: ChecklistItemUpdate) {
    return this.request<ChecklistItem>(
      'PATCH',
      `/migrations/${enc(id)}/checklist/${enc(itemId)}`,
      update,
    );
  }

  getReadiness(id: string) {
    return this.request<Readiness>('GET', `/migrations/${enc(id)}/readiness`);
  }

  requestApproval(id: string, body: { comments?: string } = {}) {
    return this.request<ApprovalRequest>('POST', `/migrations/${enc(id)}/approval-requests`, body);
  }

  listApprovals(id: string, page: PageQuery = {}) {
    return this.request<ApprovalHistory>('GET', `/migrations/${enc(id)}/approvals${query(page)}`);
  }

  decideApproval(id: string, body: ApprovalDecisionBody) {
    return this.request<Approval>('POST', `/migrations/${enc(id)}/approvals`, body);
  }

  revokeApproval(id: string, approvalId: string, reason: string) {
    return this.request<Approval>(
      'POST',
      `/migrations/${enc(id)}/approvals/${enc(approvalId)}/revoke`,
      { reason },
    );
  }

  getTimeline(id: string) {
    return this.request<Timeline>('GET', `/migrations/${enc(id)}/timeline`);
  }

  listAlerts(
    id: string,
    q: { severity?: string; status?: string; assignee?: string; limit?: number; cursor?: string } = {},
  ) {
    return this.request<AlertPage>('GET', `/migrations/${enc(id)}/alerts${query(q)}`);
  }

  raiseAlert(id: string, alert: AlertCreate) {
    return this.request<Alert>('POST', `/migrations/${enc(id)}/alerts`, alert);
  }

  private alertAction(id: string, alertId: string, action: string, body: object) {
    return this.request<Alert>(
      'POST',
      `/migrations/${enc(id)}/alerts/${enc(alertId)}/${action}`,
      body,
    );
  }

  resolveAlert(id: string, alertId: string, body: { resolution: string; notes?: string }) {
    return this.alertAction(id, alertId, 'resolve', body);
  }

  reopenAlert(id: string, alertId: string, reason?: string) {
    return this.alertAction(id, alertId, 'reopen', reason ? { reason } : {});
  }

  assignAlert(id: string, alertId: string, assignedTo: string | null) {
    return this.alertAction(id, alertId, 'assign', { assignedTo });
  }

  addAlertNote(id: string, alertId: string, text: string) {
    return this.alertAction(id, alertId, 'notes', { text });
  }

  listReportSchedules(id: string, page: PageQuery = {}) {
    return this.request<Page<ReportSchedule>>('GET', `/migrations/${enc(id)}/report-schedules${query(page)}`);
  }

  createReportSchedule(id: string, schedule: ReportScheduleCreate) {
    return this.request<ReportSchedule>('POST', `/migrations/${enc(id)}/report-schedules`, schedule);
  }

  updateReportSchedule(id: string, scheduleId: string, patch: { enabled?: boolean; name?: string }) {
    return this.request<ReportSchedule>(
      'PATCH',
      `/migrations/${enc(id)}/report-schedules/${enc(scheduleId)}`,
      patch,
    );
  }

  async deleteReportSchedule(id: string, scheduleId: string) {
    await this.request<void>('DELETE', `/migrations/${enc(id)}/report-schedules/${enc(scheduleId)}`);
  }

  listSnapshots(id: string, page: PageQuery = {}) {
    return this.request<Page<Snapshot>>('GET', `/migrations/${enc(id)}/snapshots${query(page)}`);
  }

  getSnapshot(id: string, snapshotId: string) {
    return this.request<Snapshot>('GET', `/migrations/${enc(id)}/snapshots/${enc(snapshotId)}`);
  }

  createSnapshot(id: string, body: SnapshotCreate) {
    return this.request<Snapshot>('POST', `/migrations/${enc(id)}/snapshots`, body);
  }

  async deleteSnapshot(id: string, snapshotId: string) {
    await this.request<void>('DELETE', `/migrations/${enc(id)}/snapshots/${enc(snapshotId)}`);
  }

  verifySnapshot(id: string, snapshotId: string) {
    return this.request<SnapshotVerification>(
      'POST',
      `/migrations/${enc(id)}/snapshots/${enc(snapshotId)}/verify`,
      {},
    );
  }

  listRollbacks(id: string, page: PageQuery = {}) {
    return this.request<Page<Rollback>>('GET', `/migrations/${enc(id)}/rollbacks${query(page)}`);
  }

  getRollback(id: string, rollbackId: string) {
    return this.request<Rollback>('GET', `/migrations/${enc(id)}/rollbacks/${enc(rollbackId)}`);
  }

  executeRollback(id: string, body: RollbackCreate) {
    return this.request<Rollback>('POST', `/migrations/${enc(id)}/rollbacks`, body);
  }

  getReadSources(id: string) {
    return this.request<ReadSources>('GET', `/migrations/${enc(id)}/read-sources`);
  }

  switchReadSource(id: string, dataset: string, body: ReadSourceSwitch) {
    return this.request<DatasetSwitchEvent>(
      'PUT',
      `/migrations/${enc(id)}/datasets/${enc(dataset)}/read-source`,
      body,
    );
  }

  setCutoverState(id: string, dataset: string, body: CutoverStateChange) {
    return this.request<DatasetSwitchEvent>(
      'PUT',
      `/migrations/${enc(id)}/datasets/${enc(dataset)}/cutover-state`,
      body,
    );
  }

  listSwitchHistory(id: string, q: { dataset?: string } & PageQuery = {}) {
    return this.request<Page<DatasetSwitchEvent>>(
      'GET',
      `/migrations/${enc(id)}/switch-history${query(q)}`,
    );
  }

  listOperationSchedules(id: string, operation: ScheduledOperation, page: PageQuery = {}) {
    return this.request<Page<OperationSchedule>>(
      'GET',
      `/migrations/${enc(id)}/${operationSchedulesPath(operation)}${query(page)}`,
    );
  }

  createOperationSchedule(id: string, operation: ScheduledOperation, schedule: OperationScheduleCreate) {
    return this.request<OperationSchedule>(
      'POST',
      `/migrations/${enc(id)}/${operationSchedulesPath(operation)}`,
      schedule,
    );
  }

  updateOperationSchedule(
    id: string,
    operation: ScheduledOperation,
    scheduleId: string,
    patch: { enabled?: boolean; name?: string },
  ) {
    return this.request<OperationSchedule>(
      'PATCH',
      `/migrations/${enc(id)}/${operationSchedulesPath(operation)}/${enc(scheduleId)}`,
      patch,
    );
  }

  async deleteOperationSchedule(id: string, operation: ScheduledOperation, scheduleId: string) {
    await this.request<void>(
      'DELETE',
      `/migrations/${enc(id)}/${operationSchedulesPath(operation)}/${enc(scheduleId)}`,
    );
  }

  runOperationScheduleNow(id: string, operation: ScheduledOperation, scheduleId: string) {
    return this.request<OperationSchedule>(
      'POST',
      `/migrations/${enc(id)}/${operationSchedulesPath(operation)}/${enc(scheduleId)}/run`,
      {},
    );
  }

  listFreezeWindows(id: string, page: PageQuery = {}) {
    return this.request<Page<FreezeWindow>>('GET', `/migrations/${enc(id)}/freeze-windows${query(page)}`);
  }

  createFreezeWindow(id: string, body: FreezeWindowCreate) {
    return this.request<FreezeWindow>('POST', `/migrations/${enc(id)}/freeze-windows`, body);
  }

  freezeWindowAction(
    id: string,
    windowId: string,
    action: 'activate' | 'complete' | 'cancel',
    body: { reason?: string } = {},
  ) {
    return this.request<FreezeWindow>(
      'POST',
      `/migrations/${enc(id)}/freeze-windows/${enc(windowId)}/${action}`,
      body,
    );
  }

  listReconciliations(id: string, page: PageQuery = {}) {
    return this.request<Page<ReconciliationRun>>('GET', `/migrations/${enc(id)}/reconciliations${query(page)}`);
  }

  getReconciliation(id: string, runId: string) {
    return this.request<ReconciliationRun>(
      'GET',
      `/migrations/${enc(id)}/reconciliations/${enc(runId)}`,
    );
  }

  startReconciliation(id: string, body: ReconciliationCreate = {}) {
    return this.request<ReconciliationRun>('POST', `/migrations/${enc(id)}/reconciliations`, body);
  }

  /**
   * Sends a request to a path under the backend's base URL and decodes the JSON answer; retried
   * as the `retry` option says when it is idempotent.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('cutover');
    const url = `${baseUrl}${path}`;
    const response = await sendWithRetry(
      () =>
        this.fetchApi.fetch(url, {
          method,
          headers: body === undefined ? undefined : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      { method, url, body },
      this.retry,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function enc(s: string) {
  return encodeURIComponent(s);
}

function query(params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
