import type {
  MigrationPlan,
  PlanDraft,
} from '@switchyard/plugin-cutover-common';
import { sqlIdentifierSchema } from '@switchyard/plugin-cutover-common';
import YAML from 'yaml';
import type { CatalogTable } from './catalog';

export type { PlanDraft };

/** What a draft is asked for. */
export interface DraftRequest {
  id: string;
  title: string;
  owner: string;
  approvers?: string;
  entityRefs: string[];
  source: string;
  destination: string;
  /** PostgreSQL schema both sides are read in (`public` by default); SQLite has only `main`. */
  schema?: string;
}

/** A foreign key between two datasets of the draft: what an integrity check follows. */
export type DraftRelation = PlanDraft['relations'][number];

const MAX_TIER = 9;
const key = (name: string) => name.toLocaleLowerCase('en-US');

/**
 * Turns the catalogs of a source and a destination schema into a plan for a person to review:
 * tables present on both sides become datasets keyed by the destination's primary key, foreign keys
 * order them into tiers (a table others reference moves first) and become relations for integrity
 * checks, row counts come from the catalogs, and columns present on one side only are named for
 * `ignoreColumns` or `columnMap`. Nothing here touches a database.
 */
export function draftPlan(
  request: DraftRequest,
  source: CatalogTable[],
  destination: CatalogTable[],
  allowed: {
    source: (table: string) => boolean;
    destination: (table: string) => boolean;
  },
): PlanDraft {
  const qualify = (name: string) =>
    request.schema && !['public', 'main'].includes(key(request.schema))
      ? `${request.schema}.${name}`
      : name;
  const excluded: PlanDraft['excluded'] = [];
  const usable = (side: 'source' | 'destination', tables: CatalogTable[]) => {
    const out = new Map<string, CatalogTable>();
    for (const t of tables) {
      const table = qualify(t.name);
      if (!sqlIdentifierSchema.safeParse(table).success) {
        excluded.push({
          side,
          table,
          reason: 'its name is not a plain SQL identifier, which plans require',
        });
      } else if (!allowed[side](table)) {
        excluded.push({
          side,
          table,
          reason: `connection "${request[side]}" does not expose it (cutover.connections rules)`,
        });
      } else {
        out.set(key(t.name), t);
      }
    }
    return out;
  };
  const src = usable('source', source);
  const dst = usable('destination', destination);
  const onlyInSource = [...src.keys()]
    .filter(k => !dst.has(k))
    .map(k => qualify(src.get(k)!.name));
  const onlyInDestination = [...dst.keys()]
    .filter(k => !src.has(k))
    .map(k => qualify(dst.get(k)!.name));

  const unkeyed: PlanDraft['unkeyed'] = [];
  const notes: string[] = [];
  const datasets = new Map<
    string,
    { s: CatalogTable; d: CatalogTable; keyColumns: string[] }
  >();
  for (const [k, d] of dst) {
    const s = src.get(k);
    if (!s) continue;
    const table = qualify(d.name);
    if (d.primaryKey.length === 0) {
      unkeyed.push({
        table,
        reason:
          'no primary key on the destination: rows cannot be matched by key; give the dataset keyColumns by hand (a unique, not-null column set) before reconciling it',
      });
      continue;
    }
    const sourceColumns = new Set(s.columns.map(key));
    const missing = d.primaryKey.filter(c => !sourceColumns.has(key(c)));
    if (missing.length) {
      unkeyed.push({
        table,
        reason: `the destination's primary key (${d.primaryKey.join(
          ', ',
        )}) has column(s) the source lacks (${missing.join(
          ', ',
        )}): map them in columnMap and set keyColumns by hand`,
      });
      continue;
    }
    if (
      s.primaryKey.length &&
      s.primaryKey.map(key).join(',') !== d.primaryKey.map(key).join(',')
    ) {
      notes.push(
        `${table}: the source's primary key (${s.primaryKey.join(
          ', ',
        )}) differs from the destination's (${d.primaryKey.join(
          ', ',
        )}); keyed by the destination's`,
      );
    }
    datasets.set(k, { s, d, keyColumns: d.primaryKey });
  }

  // Relations: the destination's foreign keys between datasets (the source's where the destination has none).
  const relations: DraftRelation[] = [];
  const references = new Map<string, Set<string>>();
  for (const [k, { s, d }] of datasets) {
    const fks = d.foreignKeys.length ? d.foreignKeys : s.foreignKeys;
    for (const fk of fks) {
      const target = key(fk.references);
      if (!datasets.has(target)) {
        if (target !== k)
          notes.push(
            `${qualify(d.name)} references ${
              fk.references
            }, which is not a dataset of this plan`,
          );
        continue;
      }
      relations.push({
        dataset: qualify(datasets.get(k)!.d.name),
        columns: fk.columns,
        references: qualify(datasets.get(target)!.d.name),
        referencedColumns: fk.referencedColumns,
      });
      if (target !== k)
        references.set(k, (references.get(k) ?? new Set()).add(target));
    }
  }

  // Tiers: 1 + the deepest tier a table references; a cycle's edge that closes it is not followed.
  const tiers = new Map<string, number>();
  const visiting = new Set<string>();
  const tierOf = (k: string): number => {
    const known = tiers.get(k);
    if (known !== undefined) return known;
    visiting.add(k);
    let tier = 1;
    for (const target of references.get(k) ?? []) {
      if (visiting.has(target)) {
        notes.push(
          `${qualify(datasets.get(k)!.d.name)} and ${qualify(
            datasets.get(target)!.d.name,
          )} reference each other (a cycle): their order is yours to decide`,
        );
        continue;
      }
      tier = Math.max(tier, tierOf(target) + 1);
    }
    visiting.delete(k);
    if (tier > MAX_TIER) {
      notes.push(
        `${qualify(
          datasets.get(k)!.d.name,
        )} is ${tier} references deep; plans have ${MAX_TIER} tiers, so it shares tier ${MAX_TIER}`,
      );
      tier = MAX_TIER;
    }
    tiers.set(k, tier);
    return tier;
  };

  const columnRemarks = new Map<string, string>();
  const planDatasets = [...datasets.entries()]
    .map(([k, { s, d, keyColumns }]) => {
      const name = qualify(d.name);
      const sCols = new Set(s.columns.map(key));
      const dCols = new Set(d.columns.map(key));
      const sourceOnly = s.columns.filter(c => !dCols.has(key(c)));
      const destinationOnly = d.columns.filter(c => !sCols.has(key(c)));
      const rows = s.rows ?? d.rows;
      const rowsAre = s.rows !== null ? s.rowsAre : d.rowsAre;
      const remarks: string[] = [];
      if (sourceOnly.length || destinationOnly.length) {
        remarks.push(
          `only in source: ${
            sourceOnly.join(', ') || 'none'
          }; only in destination: ${destinationOnly.join(', ') || 'none'}: ` +
            'a renamed column goes into columnMap (source: destination), one left out on purpose stays in ignoreColumns',
        );
      }
      if (rowsAre === 'estimate')
        remarks.push(`totalRecords is the planner's estimate`);
      if (rowsAre === 'unknown')
        remarks.push(
          'row count unknown (no statistics; run ANALYZE or set totalRecords)',
        );
      if (remarks.length) columnRemarks.set(name, remarks.join('\n'));
      return {
        name,
        tier: tierOf(k),
        table: name,
        keyColumns,
        ...(rows !== null ? { totalRecords: rows } : {}),
        ...(sourceOnly.length || destinationOnly.length
          ? { ignoreColumns: [...sourceOnly, ...destinationOnly] }
          : {}),
      };
    })
    .sort((a, b) => a.tier - b.tier || a.name.localeCompare(b.name));

  const checkable = relations
    .filter(
      r =>
        r.columns.length > 0 && r.columns.length === r.referencedColumns.length,
    )
    .slice(0, 200)
    .map(r => ({
      dataset: r.dataset,
      columns: r.columns,
      references: { dataset: r.references, columns: r.referencedColumns },
    }));
  if (relations.length > 200)
    notes.push(
      `${relations.length} relations: the plan keeps the first 200 for integrity checks`,
    );

  const plan: MigrationPlan = {
    id: request.id,
    title: request.title,
    owner: request.owner,
    ...(request.approvers ? { approvers: request.approvers } : {}),
    entityRefs: request.entityRefs,
    source: { connection: request.source },
    destination: { connection: request.destination },
    datasets: planDatasets,
    // The foreign keys between datasets become the plan's integrity relations (orphans checked
    // after each reconciliation), whatever the destination's constraints say later.
    ...(checkable.length ? { integrity: { relations: checkable } } : {}),
    checklist: { template: 'standard' },
  };

  const doc = new YAML.Document(plan);
  doc.commentBefore = [
    ` Drafted from connections "${request.source}" (source) and "${
      request.destination
    }" (destination)${request.schema ? `, schema ${request.schema}` : ''}.`,
    ' Review before applying: keys, tiers, ignored columns, and add phases, milestones and dates.',
    ...(unkeyed.length
      ? [
          ` Left out, no key to reconcile by: ${unkeyed
            .map(u => u.table)
            .join(', ')}`,
        ]
      : []),
    ...(onlyInSource.length
      ? [` Only in the source: ${onlyInSource.join(', ')}`]
      : []),
    ...(onlyInDestination.length
      ? [` Only in the destination: ${onlyInDestination.join(', ')}`]
      : []),
  ].join('\n');
  const items = doc.getIn(['datasets'], true) as YAML.YAMLSeq;
  items.items.forEach((node, i) => {
    const remark = columnRemarks.get(planDatasets[i].name);
    if (remark)
      (node as YAML.Node).commentBefore = remark
        .split('\n')
        .map(l => ` ${l}`)
        .join('\n');
  });

  return {
    plan,
    yaml: doc.toString({ lineWidth: 0 }),
    relations,
    unkeyed,
    excluded,
    onlyInSource,
    onlyInDestination,
    notes: [...new Set(notes)],
  };
}
