import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  AUTOMATED_CHECKLIST_ITEMS,
  type Checklist,
  type ChecklistItem,
  type ChecklistItemUpdate,
  type Dashboard,
  type Migration,
} from '@switchyard/plugin-cutover-common';
import type { ChecklistEvaluator } from '@switchyard/plugin-cutover-node';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import type { CutoverStore } from '../../database/CutoverStore';
import type { Caller } from '../access';
import type { ReadinessDeps } from './config';

/**
 * The migration's checklist: seeded from the plan's template, items decided from data (the
 * dashboard's figures and the evaluators that reconciliation, snapshots and modules add), and
 * items people add and set.
 */
export class ChecklistService {
  constructor(private readonly deps: ReadinessDeps) {}

  /** Where evaluators come from, in the order they were added. */
  private readonly evaluatorSources: Array<
    () => readonly ChecklistEvaluator[]
  > = [];

  /**
   * Adds evaluators that decide further items from data (reconciliation, snapshots, modules); read
   * at each use, so a source may grow after it is added (extension points fill up during init).
   */
  addEvaluators(source: () => readonly ChecklistEvaluator[]) {
    this.evaluatorSources.push(source);
  }

  private evaluators(): ChecklistEvaluator[] {
    return this.evaluatorSources.flatMap(source => source());
  }

  /** Whether an evaluator decides this item for this migration (then people can't set it). */
  private async decidedByData(
    migration: Migration,
    itemId: string,
  ): Promise<boolean> {
    for (const e of this.evaluators()) {
      if (
        e.itemId === itemId &&
        (await e.evaluate({ migrationId: migration.id }))
      )
        return true;
    }
    return false;
  }

  private now() {
    return this.deps.clock.now();
  }

  /** Adds the plan's template items to a migration's checklist (called when a plan is applied). */
  async seedChecklist(
    store: CutoverStore,
    migrationId: string,
    template: string | undefined,
  ) {
    const name = template ?? 'standard';
    const items = this.deps.templates[name];
    if (!items) {
      throw new InputError(
        `Invalid request: checklist.template: unknown template "${name}"; known: ${Object.keys(
          this.deps.templates,
        ).join(', ')}`,
      );
    }
    await store.readiness().ensureChecklistItems(migrationId, items);
  }

  /** The checklist with automated items decided from the migration's current figures. */
  async checklist(
    migration: Migration,
    dashboard?: Dashboard,
  ): Promise<Checklist> {
    const d = dashboard ?? (await this.deps.dashboard(migration));
    const stored = await this.deps.store
      .readiness()
      .listChecklistItems(migration.id);
    const automated = this.evaluate(d);
    const present = new Set(stored.map(i => i.id));
    await Promise.all(
      this.evaluators()
        .filter(e => present.has(e.itemId))
        .map(async e => {
          const decision = await e.evaluate({ migrationId: migration.id });
          if (decision) automated[e.itemId] = decision;
        }),
    );
    const items: ChecklistItem[] = stored.map(item => {
      const auto = automated[item.id];
      return {
        id: item.id,
        category: item.category,
        title: item.title,
        description: item.description,
        required: item.required,
        automated: !!auto,
        status: auto ? auto.status : item.status,
        evidence: auto ? auto.evidence : null,
        notes: item.notes,
        updatedBy: auto ? 'switchyard' : item.updatedBy,
        updatedAt: auto ? d.generatedAt : item.updatedAt,
        version: item.version,
        custom: item.custom,
      };
    });
    const categories: Checklist['categories'] = [];
    for (const item of items) {
      let group = categories.find(c => c.category === item.category);
      if (!group) {
        group = { category: item.category, items: [] };
        categories.push(group);
      }
      group.items.push(item);
    }
    return {
      template: migration.checklistTemplate ?? 'standard',
      categories,
      summary: {
        total: items.length,
        passed: items.filter(i => i.status === 'PASS').length,
        failed: items.filter(i => i.status === 'FAIL').length,
        notTested: items.filter(i => i.status === 'NOT_TESTED').length,
        requiredOpen: items.filter(i => i.required && i.status !== 'PASS')
          .length,
      },
    };
  }

  /** Decisions on the items data can decide, with what they were decided from. */
  private evaluate(
    d: Dashboard,
  ): Record<string, { status: ChecklistItem['status']; evidence: string }> {
    const out: Record<
      string,
      { status: ChecklistItem['status']; evidence: string }
    > = {};
    const reported = d.datasets.some(x => x.lastSampleAt !== null);
    const tier1 = d.datasets.filter(x => x.tier === 1);
    const open = tier1.filter(x => x.status !== 'COMPLETED');
    if (!tier1.length) {
      out.DQ001 = {
        status: 'PASS',
        evidence: 'the plan has no tier 1 datasets',
      };
    } else if (open.length) {
      out.DQ001 = {
        status: 'FAIL',
        evidence: open
          .map(x => `${x.name} at ${x.overallProgress.toFixed(1)}%`)
          .join(', '),
      };
    } else {
      out.DQ001 = {
        status: 'PASS',
        evidence: `all ${tier1.length} tier 1 datasets imported`,
      };
    }
    if (d.qualityScore === null) {
      out.DQ002 = {
        status: 'NOT_TESTED',
        evidence: 'no quality figures reported yet',
      };
    } else {
      out.DQ002 = {
        status: d.qualityScore >= this.deps.qualityThreshold ? 'PASS' : 'FAIL',
        evidence: `quality score ${d.qualityScore} (threshold ${this.deps.qualityThreshold})`,
      };
    }
    if (!reported) {
      out.DQ003 = { status: 'NOT_TESTED', evidence: 'no samples reported yet' };
    } else {
      out.DQ003 = {
        status: d.errors.critical === 0 ? 'PASS' : 'FAIL',
        evidence: `${d.errors.critical} critical validation errors reported`,
      };
    }
    for (const id of Object.keys(out)) {
      if (!AUTOMATED_CHECKLIST_ITEMS.includes(id)) delete out[id];
    }
    return out;
  }

  async addItem(
    migration: Migration,
    body: {
      id?: string;
      category: string;
      title: string;
      description?: string;
      required: boolean;
    },
    caller: Caller,
    req: Request,
  ): Promise<ChecklistItem> {
    const id = body.id ?? `CUSTOM-${randomUUID().slice(0, 8).toUpperCase()}`;
    await this.deps.store.transaction(async store => {
      const added = await store.readiness().addChecklistItem(
        migration.id,
        {
          id,
          category: body.category,
          title: body.title,
          description: body.description ?? null,
          required: body.required,
        },
        caller.actor,
        this.now(),
      );
      if (!added)
        throw new ConflictError(`Checklist item "${id}" already exists`);
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: 'checklist.add-item',
          target: `checklist:${id}`,
          after: body,
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'checklist');
    const list = await this.checklist(migration);
    return list.categories.flatMap(c => c.items).find(i => i.id === id)!;
  }

  async updateItem(
    migration: Migration,
    itemId: string,
    body: ChecklistItemUpdate,
    caller: Caller,
    req: Request,
  ): Promise<ChecklistItem> {
    if (
      body.status &&
      (AUTOMATED_CHECKLIST_ITEMS.includes(itemId) ||
        (await this.decidedByData(migration, itemId)))
    ) {
      throw new ConflictError(
        `Checklist item ${itemId} is decided from the migration's data; its status cannot be set by hand (notes can)`,
      );
    }
    await this.deps.store.transaction(async store => {
      const items = await store.readiness().listChecklistItems(migration.id);
      const before = items.find(i => i.id === itemId);
      if (!before)
        throw new NotFoundError(
          `No checklist item "${itemId}" in migration "${migration.id}"`,
        );
      const written = await store
        .readiness()
        .updateChecklistItem(
          migration.id,
          itemId,
          { status: body.status, notes: body.notes },
          caller.actor,
          this.now(),
          body.version,
        );
      if (!written) {
        throw new ConflictError(
          `Checklist item ${itemId} was changed by someone else (now version ${before.version}); reload and try again`,
        );
      }
      await this.deps.audit.record(
        store,
        caller,
        {
          migrationId: migration.id,
          action: 'checklist.update',
          target: `checklist:${itemId}`,
          before: { status: before.status, notes: before.notes },
          after: {
            status: body.status ?? before.status,
            notes: body.notes === undefined ? before.notes : body.notes,
          },
        },
        req,
      );
    });
    this.deps.signals.notify(migration.id, 'checklist');
    const list = await this.checklist(migration);
    return list.categories.flatMap(c => c.items).find(i => i.id === itemId)!;
  }
}
