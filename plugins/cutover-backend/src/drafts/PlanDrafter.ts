import { AuditorService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type {
  ParsedMigrationPlan,
  PlanDraftRequest,
} from '@switchyard/plugin-cutover-common';
import { migrationPlanSchema } from '@switchyard/plugin-cutover-common';
import { Request } from 'express';
import { ConnectionRules } from '../governance/ConnectionRules';
import { PlanGovernance } from '../governance/PlanGovernance';
import type { Caller } from '../service/access';
import { CutoverConnections } from '../snapshots/connections';
import { readSchemaCatalog } from './catalog';
import { draftPlan, PlanDraft } from './draftPlan';

/** A migration id made of the two connection names, when the request names none. */
function defaultId(source: string, destination: string): string {
  return `${source}-to-${destination}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/**
 * Drafts plans from the databases behind two configured connections, for the person who asked:
 * the same governance as applying a plan (the owner must be theirs to name, the connections the
 * owner's to use, the destination writable; only tables the connections expose are read). Reads
 * the catalogs only; it never applies a plan.
 */
export class PlanDrafter {
  constructor(
    private readonly deps: {
      connections: CutoverConnections;
      rules: ConnectionRules;
      governance: PlanGovernance;
      auditor?: AuditorService;
    },
  ) {}

  async draft(
    request: PlanDraftRequest,
    caller: Caller,
    req?: Request,
  ): Promise<PlanDraft> {
    const id = request.id ?? defaultId(request.source, request.destination);
    if (!id)
      throw new InputError(
        'Invalid request: id: give the migration an id (a lowercase slug)',
      );
    const skeleton = {
      id,
      title: request.title ?? `${request.source} to ${request.destination}`,
      owner: request.owner,
      approvers: request.approvers,
      entityRefs: request.entityRefs ?? [],
      source: { connection: request.source },
      destination: { connection: request.destination },
      datasets: [],
      phases: [],
      milestones: [],
    } as unknown as ParsedMigrationPlan;
    // Who may name this owner, approvers and these connections: exactly as when the plan is applied.
    await this.deps.governance.check(skeleton, undefined, caller);
    for (const side of ['source', 'destination'] as const) {
      const name = request[side];
      if (!this.deps.connections.isSupported(name)) {
        throw new InputError(
          `Invalid request: ${side}: connection "${name}" has no database the built-in drafts can read (cutover.connections.${name} needs client pg or better-sqlite3)`,
        );
      }
    }
    const auditorEvent = await this.deps.auditor?.createEvent({
      eventId: 'plan-draft',
      severityLevel: 'low',
      request: req,
      meta: {
        source: request.source,
        destination: request.destination,
        schema: request.schema,
        owner: request.owner,
      },
    });
    try {
      const [source, destination] = await Promise.all([
        readSchemaCatalog(
          this.deps.connections.get(request.source),
          request.schema,
        ),
        readSchemaCatalog(
          this.deps.connections.get(request.destination),
          request.schema,
        ),
      ]);
      const declaration = (name: string) => this.deps.rules.declaration(name)!;
      const draft = draftPlan(
        {
          ...(skeleton as any),
          schema: request.schema,
          source: request.source,
          destination: request.destination,
        },
        source,
        destination,
        {
          source: table =>
            this.deps.rules.allowsTable(declaration(request.source), table),
          destination: table =>
            this.deps.rules.allowsTable(
              declaration(request.destination),
              table,
            ),
        },
      );
      // The draft must be a plan the API accepts as it stands.
      migrationPlanSchema.parse(draft.plan);
      await auditorEvent?.success({
        meta: { datasets: draft.plan.datasets?.length ?? 0 },
      });
      return draft;
    } catch (error) {
      await auditorEvent?.fail({ error: error as Error });
      throw error;
    }
  }
}
