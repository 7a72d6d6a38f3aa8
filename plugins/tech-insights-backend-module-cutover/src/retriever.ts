import type {
  FactRetriever,
  FactRetrieverContext,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { CutoverApi, Migration } from '@switchyard/plugin-cutover-common';
import { cutoverClientOnBehalfOf } from '@switchyard/plugin-cutover-node';
import { entityFacts, MigrationSignals } from './facts';

/** The retriever's id: the key of its facts in Tech Insights and in `techInsights.factRetrievers`. @public */
export const CUTOVER_FACT_RETRIEVER_ID = 'switchyardCutoverFactRetriever';

/** What the retriever is made with. @public */
export interface CutoverFactRetrieverOptions {
  /** The time the retriever judges "days in NO_GO" by; the system clock when not given. */
  now?: () => Date;
  /** Migrations read at once (each is four requests to the cutover backend). Default 4. */
  concurrency?: number;
}

async function allMigrations(client: CutoverApi): Promise<Migration[]> {
  const migrations: Migration[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listMigrations({ limit: 100, cursor });
    migrations.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return migrations;
}

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}

/** The entity's last stored facts of this retriever, from the Tech Insights backend itself. */
async function previousFacts(
  ctx: FactRetrieverContext,
  entityRef: string,
): Promise<Record<string, unknown> | undefined> {
  const base = await ctx.discovery.getBaseUrl('tech-insights');
  const { token } = await ctx.auth.getPluginRequestToken({
    onBehalfOf: await ctx.auth.getOwnServiceCredentials(),
    targetPluginId: 'tech-insights',
  });
  const url = `${base}/facts/latest?entity=${encodeURIComponent(
    entityRef,
  )}&ids[]=${CUTOVER_FACT_RETRIEVER_ID}`;
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  const body = (await res.json()) as Record<
    string,
    { facts?: Record<string, unknown> }
  >;
  return body[CUTOVER_FACT_RETRIEVER_ID]?.facts;
}

/**
 * A Tech Insights fact retriever that publishes, for every catalog entity a migration names (the
 * `switchyard.dev/migration` annotation, or the plan's entity refs), the worst of its migrations:
 * readiness recommendation and score, risk, progress, drift, open critical / high alerts, approval
 * state and how many days it has been NO_GO. It reads the cutover API as the Tech Insights service
 * (service-to-service: the token's access restrictions apply, the user policy does not).
 *
 * @public
 */
export function createCutoverFactRetriever(
  options: CutoverFactRetrieverOptions = {},
): FactRetriever {
  const now = options.now ?? (() => new Date());
  return {
    id: CUTOVER_FACT_RETRIEVER_ID,
    version: '0.1.0',
    title: 'Switchyard data migrations',
    description:
      'Readiness, progress, drift, alerts and approvals of the data migrations of an entity (the worst of them)',
    schema: {
      migrationCount: {
        type: 'integer',
        description: 'Migrations (not archived) that name the entity',
      },
      worstRecommendation: {
        type: 'string',
        description:
          'GO, GO_WITH_CAUTION or NO_GO: the worst of its migrations',
      },
      lowestReadinessScore: {
        type: 'integer',
        description: 'Lowest readiness score (0-100)',
      },
      highestRisk: {
        type: 'string',
        description: 'LOW, MEDIUM, HIGH or CRITICAL',
      },
      lowestProgress: {
        type: 'float',
        description: 'Lowest overall progress (percent)',
      },
      worstDriftLevel: {
        type: 'string',
        description:
          'NONE (never reconciled), OK, WARNING, CRITICAL or ROLLBACK: latest reconciliations',
      },
      driftBelowWarningAfterCutover: {
        type: 'boolean',
        description:
          'No dataset already cut over (CUTOVER / COMPLETED) drifts at WARNING or worse',
      },
      openCriticalAlerts: {
        type: 'integer',
        description: 'Open CRITICAL alerts',
      },
      openHighAlerts: { type: 'integer', description: 'Open HIGH alerts' },
      worstApprovalState: {
        type: 'string',
        description:
          'Worst approval state: APPROVED, CONDITIONALLY_APPROVED, PENDING, NONE, STALE, EXPIRED, REJECTED',
      },
      noGoDays: {
        type: 'integer',
        description:
          'Whole days the worst recommendation has been NO_GO (0 when not)',
      },
      noGoSince: {
        type: 'string',
        description: 'ISO time since when it has been NO_GO (absent when not)',
      },
    },
    async handler(ctx): Promise<TechInsightFact[]> {
      const client = cutoverClientOnBehalfOf(
        { discovery: ctx.discovery, auth: ctx.auth },
        await ctx.auth.getOwnServiceCredentials(),
      );
      const migrations = await allMigrations(client);
      const signals = await mapLimited(
        migrations,
        options.concurrency ?? 4,
        async m => {
          try {
            const [readiness, dashboard, alerts, reconciliations] =
              await Promise.all([
                client.getReadiness(m.id),
                client.getDashboard(m.id),
                client.listAlerts(m.id, { limit: 1 }),
                client.listReconciliations(m.id, { limit: 1 }),
              ]);
            const signal: MigrationSignals = {
              id: m.id,
              entityRefs: m.entityRefs,
              readiness,
              dashboard,
              alerts: alerts.stats,
              latestReconciliation: reconciliations.items[0],
            };
            return signal;
          } catch (error) {
            ctx.logger.warn(
              `Skipped migration ${m.id}: ${(error as Error).message}`,
            );
            return undefined;
          }
        },
      );
      const byEntity = new Map<string, MigrationSignals[]>();
      for (const s of signals) {
        for (const ref of s?.entityRefs ?? []) {
          const key = stringifyEntityRef(parseEntityRef(ref));
          byEntity.set(key, [...(byEntity.get(key) ?? []), s!]);
        }
      }
      const at = now();
      const facts: TechInsightFact[] = [];
      for (const [ref, list] of byEntity) {
        let previous: Record<string, unknown> | undefined;
        try {
          previous = await previousFacts(ctx, ref);
        } catch (error) {
          ctx.logger.warn(
            `No previous facts for ${ref} (days in NO_GO restart from now): ${
              (error as Error).message
            }`,
          );
        }
        const { namespace, kind, name } = parseEntityRef(ref);
        facts.push({
          entity: { namespace, kind, name },
          facts: { ...entityFacts(list, at, previous) },
        });
      }
      ctx.logger.info(
        `Published Switchyard facts for ${facts.length} entities from ${migrations.length} migrations`,
      );
      return facts;
    },
  };
}
