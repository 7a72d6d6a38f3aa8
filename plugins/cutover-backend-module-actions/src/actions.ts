import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type {
  CutoverApi,
  ReconciliationRun,
} from '@switchyard/plugin-cutover-common';
import { MIGRATION_STATUSES } from '@switchyard/plugin-cutover-common';
import { cutoverClientOnBehalfOf } from '@switchyard/plugin-cutover-node';

/** What the actions need to reach the cutover backend as their caller. @public */
export interface CutoverActionsDeps {
  discovery: DiscoveryService;
  auth: AuthService;
}

/**
 * Every action calls the cutover backend's HTTP API with a token issued on behalf of the caller,
 * so the answer is exactly what that caller's tabs would show: the same permission decisions,
 * the same conditions (owners, entity refs), the same refusals.
 */
function clientFor(
  deps: CutoverActionsDeps,
  credentials: BackstageCredentials,
): CutoverApi {
  return cutoverClientOnBehalfOf(deps, credentials);
}

const MAX_LIST = 100;

/** The read actions: always registered. @public */
export function registerReadActions(
  registry: ActionsRegistryService,
  deps: CutoverActionsDeps,
) {
  registry.register({
    name: 'list-migrations',
    title: 'List data migrations',
    description:
      'Lists the data migrations the caller may read, with status, owner, catalog entities and planned dates. ' +
      'Filter by owner (a catalog ref such as group:default/orders-team), status or entity ref.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          owner: z
            .string()
            .optional()
            .describe('Owner catalog ref, e.g. group:default/orders-team'),
          status: z
            .enum(MIGRATION_STATUSES)
            .optional()
            .describe('Only migrations in this status'),
          entityRef: z
            .string()
            .optional()
            .describe('Only migrations annotated on this catalog entity'),
          limit: z
            .number()
            .int()
            .min(1)
            .max(MAX_LIST)
            .optional()
            .describe(`At most this many (default 25, max ${MAX_LIST})`),
        }),
      output: z =>
        z.object({
          totalCount: z.number(),
          migrations: z.array(
            z.object({
              id: z.string(),
              title: z.string(),
              status: z.string(),
              owner: z.string(),
              entityRefs: z.array(z.string()),
              plannedStart: z.string().nullable(),
              plannedEnd: z.string().nullable(),
              datasetCount: z.number(),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const page = await clientFor(deps, credentials).listMigrations({
        owner: input.owner,
        status: input.status,
        entityRef: input.entityRef,
        limit: input.limit ?? 25,
      });
      return {
        output: {
          totalCount: page.totalCount,
          migrations: page.items.map(m => ({
            id: m.id,
            title: m.title,
            status: m.status,
            owner: m.owner,
            entityRefs: m.entityRefs,
            plannedStart: m.plannedStart,
            plannedEnd: m.plannedEnd,
            datasetCount: m.datasets.length,
          })),
        },
      };
    },
  });

  registry.register({
    name: 'get-migration-status',
    title: 'Status and ETA of a data migration',
    description:
      "A migration's progress (overall and per dataset), import rate, estimated completion against the planned end, " +
      "control state (RUN / PAUSE / CANCEL) and each dataset's cutover state and read source.",
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          migrationId: z
            .string()
            .min(1)
            .describe('The migration id, e.g. orders-v2'),
        }),
      output: z =>
        z.object({
          id: z.string(),
          title: z.string(),
          status: z.string(),
          controlState: z.string(),
          overallProgress: z.number(),
          importedRecords: z.number(),
          totalRecords: z.number(),
          failedRecords: z.number(),
          importRatePerMinute: z.number(),
          estimatedCompletion: z.string().nullable(),
          plannedEnd: z.string().nullable(),
          behindPlan: z.boolean().nullable(),
          qualityScore: z.number().nullable(),
          datasets: z.array(
            z.object({
              name: z.string(),
              status: z.string(),
              overallProgress: z.number(),
              cutoverState: z.string(),
              readSource: z.string(),
              estimatedCompletion: z.string().nullable(),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const d = await clientFor(deps, credentials).getDashboard(
        input.migrationId,
      );
      const behindPlan =
        d.estimatedCompletion && d.plannedEnd
          ? Date.parse(d.estimatedCompletion) > Date.parse(d.plannedEnd)
          : null;
      return {
        output: {
          id: d.migrationId,
          title: d.title,
          status: d.status,
          controlState: d.controlState,
          overallProgress: d.overallProgress,
          importedRecords: d.importedRecords,
          totalRecords: d.totalRecords,
          failedRecords: d.failedRecords,
          importRatePerMinute: d.importRate,
          estimatedCompletion: d.estimatedCompletion,
          plannedEnd: d.plannedEnd,
          behindPlan,
          qualityScore: d.qualityScore,
          datasets: d.datasets.map(ds => ({
            name: ds.name,
            status: ds.status,
            overallProgress: ds.overallProgress,
            cutoverState: ds.cutoverState,
            readSource: ds.readSource,
            estimatedCompletion: ds.estimatedCompletion,
          })),
        },
      };
    },
  });

  registry.register({
    name: 'get-readiness',
    title: 'Cutover readiness verdict of a data migration',
    description:
      'The GO / NO-GO recommendation with its score, risk level, the blockers that stop the cutover (each naming its cause), ' +
      'warnings and the approval state.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          migrationId: z.string().min(1).describe('The migration id'),
        }),
      output: z =>
        z.object({
          recommendation: z.string(),
          score: z.number(),
          riskLevel: z.string(),
          ready: z.boolean(),
          blockers: z.array(
            z.object({
              severity: z.string(),
              source: z.string(),
              message: z.string(),
            }),
          ),
          warnings: z.array(z.string()),
          approval: z.object({
            status: z.string(),
            required: z.number(),
            granted: z.number(),
          }),
          evaluatedAt: z.string(),
        }),
    },
    action: async ({ input, credentials }) => {
      const r = await clientFor(deps, credentials).getReadiness(
        input.migrationId,
      );
      return {
        output: {
          recommendation: r.recommendation,
          score: r.score,
          riskLevel: r.riskLevel,
          ready: r.ready,
          blockers: r.blockers.map(b => ({
            severity: b.severity,
            source: b.source,
            message: b.message,
          })),
          warnings: r.warnings,
          approval: {
            status: r.approval.status,
            required: r.approval.required,
            granted: r.approval.granted,
          },
          evaluatedAt: r.evaluatedAt,
        },
      };
    },
  });

  registry.register({
    name: 'get-latest-reconciliation',
    title: 'Latest reconciliation of a data migration',
    description:
      'The most recent reconciliation run of a migration: its status and, per dataset, the row counts on both sides, ' +
      'rows missing or differing, the drift ratio and the level it reached (OK, WARNING, CRITICAL, ROLLBACK). ' +
      'Row keys are left out: open the Cutover tab to see sample keys.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          migrationId: z.string().min(1).describe('The migration id'),
        }),
      output: z =>
        z.object({
          run: z
            .object({
              id: z.string(),
              status: z.string(),
              trigger: z.string(),
              createdAt: z.string(),
              finishedAt: z.string().nullable(),
              error: z.string().nullable(),
              datasets: z.array(
                z.object({
                  name: z.string(),
                  status: z.string(),
                  level: z.string().nullable(),
                  driftRatio: z.number().nullable(),
                  sourceCount: z.number().nullable(),
                  destinationCount: z.number().nullable(),
                  missingInDestination: z.number().nullable(),
                  missingInSource: z.number().nullable(),
                  mismatched: z.number().nullable(),
                }),
              ),
            })
            .nullable()
            .describe('null when the migration has never been reconciled'),
        }),
    },
    action: async ({ input, credentials }) => {
      const page = await clientFor(deps, credentials).listReconciliations(
        input.migrationId,
        { limit: 1 },
      );
      const run: ReconciliationRun | undefined = page.items[0];
      return {
        output: {
          run: run
            ? {
                id: run.id,
                status: run.status,
                trigger: run.trigger,
                createdAt: run.createdAt,
                finishedAt: run.finishedAt,
                error: run.error,
                datasets: run.datasets.map(ds => ({
                  name: ds.name,
                  status: ds.status,
                  level: ds.level,
                  driftRatio: ds.driftRatio,
                  sourceCount: ds.sourceCount,
                  destinationCount: ds.destinationCount,
                  missingInDestination: ds.missingInDestination,
                  missingInSource: ds.missingInSource,
                  mismatched: ds.mismatched,
                })),
              }
            : null,
        },
      };
    },
  });
}

/**
 * The write actions, registered only when `cutover.actions.allowWrites` is true: pausing and resuming
 * a migration's jobs (the control state jobs poll). The cutover backend still checks the caller's
 * permission and audits the change as the caller.
 * @public
 */
export function registerWriteActions(
  registry: ActionsRegistryService,
  deps: CutoverActionsDeps,
) {
  registry.register({
    name: 'set-migration-control',
    title: "Pause or resume a data migration's jobs",
    description:
      "Sets a migration's control state: PAUSE asks its jobs to stop writing at their next poll, RUN lets them go on. " +
      'Needs the caller to be allowed to update the migration.',
    attributes: { readOnly: false, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          migrationId: z.string().min(1),
          controlState: z.enum(['RUN', 'PAUSE']),
        }),
      output: z =>
        z.object({
          id: z.string(),
          controlState: z.string(),
          status: z.string(),
        }),
    },
    action: async ({ input, credentials }) => {
      const m = await clientFor(deps, credentials).updateMigration(
        input.migrationId,
        {
          controlState: input.controlState,
        },
      );
      return {
        output: { id: m.id, controlState: m.controlState, status: m.status },
      };
    },
  });
}
