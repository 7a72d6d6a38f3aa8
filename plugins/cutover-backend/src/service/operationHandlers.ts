// Long: one short handler per operation of the catalogue (sixty), each a few lines that read the
// parsed request and delegate to a service; kept together so the API's glue reads in one place.
import { InputError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  alertAssignSchema,
  alertCreateSchema,
  alertNoteSchema,
  alertQuerySchema,
  alertReopenSchema,
  alertResolveSchema,
  approvalDecisionSchema,
  approvalRequestSchema,
  approvalRevokeSchema,
  checklistItemCreateSchema,
  checklistItemUpdateSchema,
  cutoverApprovalOverridePermission,
  cutoverMetricsIngestPermission,
  cutoverMigrationCreatePermission,
  cutoverMigrationDeletePermission,
  cutoverMigrationReadPermission,
  cutoverMigrationUpdatePermission,
  cutoverStateChangeSchema,
  freezeWindowCancelSchema,
  freezeWindowCreateSchema,
  listMigrationsQuerySchema,
  metricsBatchSchema,
  Migration,
  migrationPatchSchema,
  migrationPlanSchema,
  planDraftRequestSchema,
  migrationRestoreSchema,
  milestoneUpdateSchema,
  pageQuerySchema,
  portfolioQuerySchema,
  phaseUpdateSchema,
  readSourceSwitchSchema,
  reconciliationCreateSchema,
  ReportType,
  reportScheduleCreateSchema,
  reportSchedulePatchSchema,
  operationScheduleCreateSchema,
  operationSchedulePatchSchema,
  PathParamName,
  ScheduledOperation,
  rollbackCreateSchema,
  snapshotCreateSchema,
  switchHistoryQuerySchema,
  trendsQuerySchema,
  controlQuerySchema,
  phaseControlSchema,
  subTaskCreateSchema,
  subTaskUpdateSchema,
} from '@switchyard/plugin-cutover-common';
import {
  bodyIdMatchesPath,
  OperationContext,
  OperationHandler,
  OperationHandlers,
  Reply,
  WRITTEN,
} from './operationRouter';
import { REPORT_FILES } from './ReportService';
import type { RouterOptions } from './router';
import { decodeCursor, encodeCursor, pageOf, parse } from './validation';

/*
 * The handlers of the cutover API, one per operation id of the catalogue
 * (@switchyard/plugin-cutover-common, contract/operations.ts): each reads what the router parsed
 * and delegates to a service. Permissions checked on the migration of the path were checked
 * before a handler runs; the few others check here, as their catalogue entries note.
 */

const ok = (body: unknown): Reply => ({ status: 200, body });
const created = (body: unknown): Reply => ({ status: 201, body });
const accepted = (body: unknown): Reply => ({ status: 202, body });
const noContent: Reply = { status: 204 };

/** A list of the path's migration, one page of it (`?limit&cursor`). */
const paged =
  (
    list: (
      migration: Migration,
    ) => Promise<{ items: Array<{ id: string | number }> }>,
  ): OperationHandler =>
  async ctx => {
    const query = ctx.query(pageQuerySchema);
    return ok(pageOf((await list(await ctx.migration())).items, query));
  };

/** Fields of a phase a job may report with the ingest permission. */
const PHASE_PROGRESS_FIELDS = [
  'progressPercent',
  'status',
  'actualStart',
  'actualEnd',
  'subTasks',
  'errors',
  'warnings',
];

/** Every operation's handler. */
export function operationHandlers(options: RouterOptions): OperationHandlers {
  const snapshotSchedules = scheduleHandlers(
    options,
    'SNAPSHOT',
    'snapshotScheduleId',
  );
  const reconciliationSchedules = scheduleHandlers(
    options,
    'RECONCILIATION',
    'reconciliationScheduleId',
  );
  const { access, migrations, store } = options;
  /** The migration of the path with its datasets. */
  const full = (ctx: OperationContext) => migrations.get(ctx.migrationId());

  const download =
    (type: ReportType): OperationHandler =>
    async ctx => {
      const migration = await ctx.migration();
      ctx.res.setHeader('content-type', REPORT_FILES[type].contentType);
      ctx.res.setHeader(
        'content-disposition',
        `attachment; filename="${migration.id}-${REPORT_FILES[type].file}"`,
      );
      await options.reports.write(type, migration, ctx.res);
      if (!ctx.res.writableEnded) ctx.res.end();
      return WRITTEN;
    };

  /** A read-source or cutover-state change; an emergency override needs its own permission. */
  const overridable = async (
    ctx: OperationContext,
    body: { overrideReason?: string | null },
  ) => {
    if (body.overrideReason)
      await access.authorize(
        await ctx.caller(),
        cutoverApprovalOverridePermission,
        await ctx.migration(),
      );
  };

  const freezeTransition =
    (action: 'activate' | 'complete' | 'cancel'): OperationHandler =>
    async ctx => {
      const { reason } = ctx.body(freezeWindowCancelSchema);
      return ok(
        await options.freezeWindows.transitionWindow(
          await ctx.migration(),
          ctx.param('windowId'),
          action,
          reason,
          await ctx.caller(),
          ctx.req,
        ),
      );
    };

  return {
    getHealth: async () => ok({ status: 'ok' }),

    listMigrations: async ctx => {
      const caller = await ctx.caller();
      const query = ctx.query(listMigrationsQuerySchema);
      const decision = await access.decide(
        caller,
        cutoverMigrationReadPermission,
      );
      let items: Migration[] = [];
      if (decision.result !== AuthorizeResult.DENY) {
        items = (await migrations.list(query)).filter(m =>
          access.allows(decision, m),
        );
      }
      const after = decodeCursor(query.cursor);
      const start =
        after === undefined ? 0 : items.findIndex(m => m.id > after);
      const limit = query.limit ?? 100;
      const page = start < 0 ? [] : items.slice(start, start + limit);
      const hasMore = start >= 0 && start + limit < items.length;
      return ok({
        items: page,
        totalCount: items.length,
        nextCursor: hasMore ? encodeCursor(page[page.length - 1].id) : null,
      });
    },

    createMigration: async ctx => {
      const caller = await ctx.caller();
      const plan = ctx.body(migrationPlanSchema);
      await access.authorize(caller, cutoverMigrationCreatePermission);
      const { migration } = await migrations.applyPlan(plan, caller, ctx.req, {
        mustCreate: true,
      });
      return created(migration);
    },

    getPortfolio: async ctx => {
      // Every migration the caller may read, from the summaries (filters, sort, paging).
      const caller = await ctx.caller();
      return ok(
        await options.portfolio.list(caller, ctx.query(portfolioQuerySchema)),
      );
    },

    draftPlan: async ctx => {
      const caller = await ctx.caller();
      const request = ctx.body(planDraftRequestSchema);
      await access.authorize(caller, cutoverMigrationCreatePermission);
      if (!options.drafts)
        throw new NotFoundError(
          'Plan drafts are not available in this backend',
        );
      return ok(await options.drafts.draft(request, caller, ctx.req));
    },

    applyMigrationPlan: async ctx => {
      const caller = await ctx.caller();
      const id = ctx.migrationId();
      const body =
        ctx.req.body && typeof ctx.req.body === 'object' ? ctx.req.body : {};
      bodyIdMatchesPath(body, id);
      // The id comes from the path: parsed with the plan's schema as if the body named it.
      const plan = parse(migrationPlanSchema, { ...body, id }, 'request');
      const existing = await migrations.find(id);
      if (existing) {
        await access.authorize(
          caller,
          cutoverMigrationUpdatePermission,
          existing,
        );
      } else {
        await access.authorize(caller, cutoverMigrationCreatePermission);
      }
      const { created: isNew, migration } = await migrations.applyPlan(
        plan,
        caller,
        ctx.req,
        { mustCreate: false },
      );
      return { status: isNew ? 201 : 200, body: migration };
    },

    getMigration: async ctx => ok(await full(ctx)),

    patchMigration: async ctx =>
      ok(
        await migrations.patch(
          ctx.migrationId(),
          ctx.body(migrationPatchSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    archiveMigration: async ctx => {
      await migrations.archive(ctx.migrationId(), await ctx.caller(), ctx.req);
      return noContent;
    },

    restoreMigration: async ctx => {
      const caller = await ctx.caller();
      const id = ctx.migrationId();
      // Checked against the archived migration as it was: its old owner decides who may restore it.
      const archived = await migrations.getArchived(id);
      await access.authorize(
        caller,
        cutoverMigrationDeletePermission,
        archived,
      );
      const body = ctx.body(migrationRestoreSchema);
      return ok(await migrations.restore(id, body.reason, caller, ctx.req));
    },

    getControlState: async ctx => {
      const migration = await ctx.migration();
      const query = ctx.query(controlQuerySchema);
      if (query.dataset !== undefined) {
        const fullMigration = await full(ctx);
        if (!fullMigration.datasets.some(d => d.name === query.dataset)) {
          throw new NotFoundError(
            `No dataset "${query.dataset}" in migration "${migration.id}"`,
          );
        }
      }
      return ok(await options.timeline.control(migration, query.dataset));
    },

    ingestMetrics: async ctx =>
      ok(
        await migrations.ingest(
          ctx.migrationId(),
          ctx.body(metricsBatchSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    getDashboard: async ctx =>
      ok(await migrations.dashboard(await ctx.migration())),

    getTrends: async ctx =>
      ok(
        await migrations.trends(
          ctx.migrationId(),
          ctx.query(trendsQuerySchema),
        ),
      ),

    getTimeline: async ctx =>
      ok(await options.timeline.timeline(await ctx.migration())),

    putPhase: async ctx => {
      const caller = await ctx.caller();
      const migration = await ctx.migration();
      const phaseId = ctx.param('phaseId');
      const update = ctx.body(phaseUpdateSchema);
      // Jobs report progress with the ingest permission; changing the plan of a phase needs update.
      const progressOnly = Object.keys(update).every(k =>
        PHASE_PROGRESS_FIELDS.includes(k),
      );
      await access.authorizeAny(
        caller,
        progressOnly
          ? [cutoverMigrationUpdatePermission, cutoverMetricsIngestPermission]
          : [cutoverMigrationUpdatePermission],
        migration,
      );
      return ok(
        await options.timeline.putPhase(
          migration.id,
          phaseId,
          update,
          caller,
          ctx.req,
        ),
      );
    },

    createSubTask: async ctx =>
      created(
        await options.timeline.createSubTask(
          ctx.migrationId(),
          ctx.param('phaseId'),
          ctx.body(subTaskCreateSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    updateSubTask: async ctx =>
      ok(
        await options.timeline.updateSubTask(
          ctx.migrationId(),
          ctx.param('phaseId'),
          ctx.param('subTaskId'),
          ctx.body(subTaskUpdateSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    completeSubTask: async ctx => {
      ctx.body(phaseControlSchema);
      return ok(
        await options.timeline.updateSubTask(
          ctx.migrationId(),
          ctx.param('phaseId'),
          ctx.param('subTaskId'),
          { status: 'COMPLETED' },
          await ctx.caller(),
          ctx.req,
          'phase.subtask.complete',
        ),
      );
    },

    pausePhase: async ctx =>
      ok(
        await options.timeline.setPhasePaused(
          ctx.migrationId(),
          ctx.param('phaseId'),
          true,
          ctx.body(phaseControlSchema).reason,
          await ctx.caller(),
          ctx.req,
        ),
      ),

    resumePhase: async ctx =>
      ok(
        await options.timeline.setPhasePaused(
          ctx.migrationId(),
          ctx.param('phaseId'),
          false,
          ctx.body(phaseControlSchema).reason,
          await ctx.caller(),
          ctx.req,
        ),
      ),

    putMilestone: async ctx =>
      ok(
        await options.timeline.putMilestone(
          ctx.migrationId(),
          ctx.param('milestoneId'),
          ctx.body(milestoneUpdateSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    getChecklist: async ctx =>
      ok(await options.readiness.checklist(await full(ctx))),

    addChecklistItem: async ctx =>
      created(
        await options.readiness.addItem(
          await ctx.migration(),
          ctx.body(checklistItemCreateSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    updateChecklistItem: async ctx =>
      ok(
        await options.readiness.updateItem(
          await full(ctx),
          ctx.param('itemId'),
          ctx.body(checklistItemUpdateSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    getReadiness: async ctx =>
      ok(await options.readiness.readiness(await full(ctx))),

    requestApproval: async ctx =>
      created(
        await options.readiness.requestApproval(
          await ctx.migration(),
          ctx.body(approvalRequestSchema).comments,
          await ctx.caller(),
          ctx.req,
        ),
      ),

    listApprovals: async ctx => {
      const query = ctx.query(pageQuerySchema);
      const history = await options.readiness.history(await full(ctx));
      return ok({ ...history, ...pageOf(history.items, query) });
    },

    decideApproval: async ctx =>
      created(
        await options.readiness.decide(
          await full(ctx),
          ctx.body(approvalDecisionSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    revokeApproval: async ctx =>
      ok(
        await options.readiness.revoke(
          await full(ctx),
          ctx.param('approvalId'),
          ctx.body(approvalRevokeSchema).reason,
          await ctx.caller(),
          ctx.req,
        ),
      ),

    listAlerts: async ctx => {
      const query = ctx.query(alertQuerySchema);
      const { items, stats } = await options.alerts.list(
        await ctx.migration(),
        query,
      );
      return ok({ ...pageOf(items, query), stats });
    },

    raiseAlert: async ctx =>
      created(
        await options.alerts.raise(
          await ctx.migration(),
          ctx.body(alertCreateSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    resolveAlert: async ctx =>
      ok(
        await options.alerts.resolve(
          await ctx.migration(),
          ctx.param('alertId'),
          ctx.body(alertResolveSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    reopenAlert: async ctx =>
      ok(
        await options.alerts.reopen(
          await ctx.migration(),
          ctx.param('alertId'),
          ctx.body(alertReopenSchema).reason,
          await ctx.caller(),
          ctx.req,
        ),
      ),

    assignAlert: async ctx =>
      ok(
        await options.alerts.assign(
          await ctx.migration(),
          ctx.param('alertId'),
          ctx.body(alertAssignSchema).assignedTo,
          await ctx.caller(),
          ctx.req,
        ),
      ),

    addAlertNote: async ctx =>
      ok(
        await options.alerts.addNote(
          await ctx.migration(),
          ctx.param('alertId'),
          ctx.body(alertNoteSchema).text,
          await ctx.caller(),
          ctx.req,
        ),
      ),

    downloadExecutiveReport: download('EXECUTIVE'),
    downloadDetailedReport: download('DETAILED'),
    downloadAuditTrail: download('AUDIT_TRAIL'),

    listStoredReports: paged(m => options.reports.listStoredReports(m)),

    downloadStoredReport: async ctx => {
      const report = await options.reports.getStoredReport(
        await ctx.migration(),
        ctx.param('reportId'),
      );
      ctx.res.setHeader('content-type', report.contentType);
      ctx.res.setHeader(
        'content-disposition',
        `attachment; filename="${report.fileName}"`,
      );
      ctx.res.send(report.content);
      return WRITTEN;
    },

    listReportSchedules: paged(m => options.reports.listSchedules(m)),

    createReportSchedule: async ctx =>
      created(
        await options.reports.createSchedule(
          await ctx.migration(),
          ctx.body(reportScheduleCreateSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    getReportSchedule: async ctx =>
      ok(
        await options.reports.getSchedule(
          await ctx.migration(),
          ctx.param('scheduleId'),
        ),
      ),

    updateReportSchedule: async ctx =>
      ok(
        await options.reports.updateSchedule(
          await ctx.migration(),
          ctx.param('scheduleId'),
          ctx.body(reportSchedulePatchSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    deleteReportSchedule: async ctx => {
      await options.reports.deleteSchedule(
        await ctx.migration(),
        ctx.param('scheduleId'),
        await ctx.caller(),
        ctx.req,
      );
      return noContent;
    },

    listSnapshotSchedules: snapshotSchedules.list,
    createSnapshotSchedule: snapshotSchedules.create,
    getSnapshotSchedule: snapshotSchedules.get,
    updateSnapshotSchedule: snapshotSchedules.update,
    deleteSnapshotSchedule: snapshotSchedules.remove,
    runSnapshotScheduleNow: snapshotSchedules.run,
    listReconciliationSchedules: reconciliationSchedules.list,
    createReconciliationSchedule: reconciliationSchedules.create,
    getReconciliationSchedule: reconciliationSchedules.get,
    updateReconciliationSchedule: reconciliationSchedules.update,
    deleteReconciliationSchedule: reconciliationSchedules.remove,
    runReconciliationScheduleNow: reconciliationSchedules.run,

    listSnapshots: paged(m => options.snapshots.list(m)),

    createSnapshot: async ctx =>
      accepted(
        await options.snapshots.create(
          await full(ctx),
          ctx.body(snapshotCreateSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    getSnapshot: async ctx =>
      ok(
        await options.snapshots.get(
          await ctx.migration(),
          ctx.param('snapshotId'),
        ),
      ),

    deleteSnapshot: async ctx => {
      await options.snapshots.remove(
        await full(ctx),
        ctx.param('snapshotId'),
        await ctx.caller(),
        ctx.req,
      );
      return noContent;
    },

    // A full checksum scan of production tables: as dear as taking a snapshot.
    verifySnapshot: async ctx =>
      ok(
        await options.snapshots.verify(
          await full(ctx),
          ctx.param('snapshotId'),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    listRollbacks: paged(m => options.snapshots.listRollbacks(m)),

    createRollback: async ctx =>
      accepted(
        await options.snapshots.rollback(
          await full(ctx),
          ctx.body(rollbackCreateSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    getRollback: async ctx =>
      ok(
        await options.snapshots.getRollback(
          await ctx.migration(),
          ctx.param('rollbackId'),
        ),
      ),

    getReadSources: async ctx =>
      ok(await options.cutover.readSources(await full(ctx))),

    switchReadSource: async ctx => {
      const body = ctx.body(readSourceSwitchSchema);
      await overridable(ctx, body);
      return ok(
        await options.cutover.switchReadSource(
          await full(ctx),
          ctx.param('dataset'),
          body,
          await ctx.caller(),
          ctx.req,
        ),
      );
    },

    setCutoverState: async ctx => {
      const body = ctx.body(cutoverStateChangeSchema);
      await overridable(ctx, body);
      return ok(
        await options.cutover.setCutoverState(
          await full(ctx),
          ctx.param('dataset'),
          body,
          await ctx.caller(),
          ctx.req,
        ),
      );
    },

    listSwitchHistory: async ctx => {
      const query = ctx.query(switchHistoryQuerySchema);
      return ok(
        pageOf(
          (await options.cutover.history(await ctx.migration(), query.dataset))
            .items,
          query,
        ),
      );
    },

    listFreezeWindows: paged(m => options.freezeWindows.listWindows(m)),

    createFreezeWindow: async ctx =>
      created(
        await options.freezeWindows.createWindow(
          await full(ctx),
          ctx.body(freezeWindowCreateSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),

    activateFreezeWindow: freezeTransition('activate'),
    completeFreezeWindow: freezeTransition('complete'),
    cancelFreezeWindow: freezeTransition('cancel'),

    listReconciliations: async ctx => {
      const query = ctx.query(pageQuerySchema);
      return ok(
        pageOf(
          (await options.reconciliation.list(await ctx.migration())).items,
          query,
        ),
      );
    },

    startReconciliation: async ctx =>
      accepted(
        await options.reconciliation.start(
          await full(ctx),
          ctx.body(reconciliationCreateSchema).datasets,
          await ctx.caller(),
          ctx.req,
        ),
      ),

    getReconciliation: async ctx =>
      ok(
        await options.reconciliation.get(
          await ctx.migration(),
          ctx.param('runId'),
        ),
      ),

    listAuditEvents: async ctx => {
      const query = ctx.query(pageQuerySchema);
      const after = decodeCursor(query.cursor);
      const afterId = after === undefined ? undefined : Number(after);
      if (afterId !== undefined && !Number.isSafeInteger(afterId)) {
        throw new InputError(
          'Invalid query: cursor: not a cursor this API returned',
        );
      }
      const limit = query.limit ?? 100;
      const { items, totalCount } = await store.listAudit(ctx.migrationId(), {
        limit,
        afterId,
      });
      return ok({
        items,
        totalCount,
        nextCursor:
          items.length === limit
            ? encodeCursor(items[items.length - 1].id)
            : null,
      });
    },
  };
}

/** The six handlers of scheduled snapshots or scheduled reconciliations. */
function scheduleHandlers(
  options: RouterOptions,
  operation: ScheduledOperation,
  param: PathParamName,
): Record<
  'list' | 'create' | 'get' | 'update' | 'remove' | 'run',
  OperationHandler
> {
  const schedules = options.operationSchedules;
  return {
    list: paged(m => schedules.list(m, operation)),
    create: async ctx =>
      created(
        await schedules.create(
          await options.migrations.get(ctx.migrationId()),
          operation,
          ctx.body(operationScheduleCreateSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),
    get: async ctx =>
      ok(
        await schedules.get(await ctx.migration(), operation, ctx.param(param)),
      ),
    update: async ctx =>
      ok(
        await schedules.update(
          await ctx.migration(),
          operation,
          ctx.param(param),
          ctx.body(operationSchedulePatchSchema),
          await ctx.caller(),
          ctx.req,
        ),
      ),
    remove: async ctx => {
      await schedules.remove(
        await ctx.migration(),
        operation,
        ctx.param(param),
        await ctx.caller(),
        ctx.req,
      );
      return noContent;
    },
    // The schedule, its last run STARTED with the id of the snapshot or run it started (poll that).
    run: async ctx =>
      ok(
        await schedules.runNow(
          await ctx.migration(),
          operation,
          ctx.param(param),
          await ctx.caller(),
          ctx.req,
        ),
      ),
  };
}
