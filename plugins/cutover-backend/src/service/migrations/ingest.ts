// Ingest of metric samples: validated, de-duplicated, stored with the figures they move.
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type {
  IngestResult,
  MetricSample,
} from '@switchyard/plugin-cutover-common';
import type { Request } from 'express';
import type { StoredSample } from '../../database/CutoverStore';
import type { Caller } from '../access';
import { idempotencyKeyFor } from '../idempotency';
import { type MigrationContext, stripInternal } from './context';

/** Samples dated further than this in the future are refused (clock skew allowance). */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;

export async function ingestSamples(
  ctx: MigrationContext,
  id: string,
  batch: { samples: MetricSample[]; idempotencyKey?: string },
  caller: Caller,
  req: Request,
): Promise<IngestResult> {
  const now = ctx.now();
  const result = await ctx.deps.store.transaction(async store => {
    const migration = await store.getMigration(id);
    if (!migration) throw new NotFoundError(`No migration with id "${id}"`);
    if (migration.status === 'CANCELLED') {
      throw new ConflictError(
        `Migration "${id}" is cancelled; it takes no more samples`,
      );
    }
    // The key is claimed first: a concurrent request with the same key waits for this one's
    // transaction and then answers with its response instead of applying the batch again.
    if (
      batch.idempotencyKey &&
      !(await store.claimIdempotencyKey(
        id,
        idempotencyKeyFor('metrics', batch.idempotencyKey),
        now,
      ))
    ) {
      const seen = await store.getIdempotentResponse(
        id,
        idempotencyKeyFor('metrics', batch.idempotencyKey),
      );
      if (seen) {
        const previous = seen as IngestResult;
        return {
          response: {
            ...previous,
            accepted: 0,
            duplicates: previous.accepted,
          },
          startedNow: false,
          changed: 0,
          migration,
        };
      }
    }
    const known = new Set(migration.datasets.map(d => d.name));
    // Samples of datasets inside an active freeze window are marked: their data should not move.
    const frozen = ctx.hooks.frozenSince
      ? await ctx.hooks.frozenSince(store, id)
      : new Map<string, number>();
    // Samples sent while the migration, or the phase moving their dataset, is paused are taken
    // (the data is moving whatever the control says) and marked, so the page can say so.
    const pausedPhases = (await store.listPhases(id)).filter(p => p.paused);
    const pausedDatasets = new Set(pausedPhases.flatMap(p => p.datasets ?? []));
    const migrationPaused = migration.controlState === 'PAUSE';
    const samples: StoredSample[] = batch.samples.map((s, i) => {
      if (!known.has(s.dataset)) {
        throw new InputError(
          `Invalid request: samples.${i}.dataset: unknown dataset "${s.dataset}" in migration "${id}"; add it to the plan first`,
        );
      }
      const at = s.at ? Date.parse(s.at) : now;
      if (at > now + MAX_FUTURE_SKEW_MS) {
        throw new InputError(
          `Invalid request: samples.${i}.at: ${s.at} is in the future`,
        );
      }
      return {
        dataset: s.dataset,
        at,
        totalRecords: s.totalRecords ?? null,
        importedRecords: s.importedRecords ?? null,
        failedRecords: s.failedRecords ?? null,
        skippedRecords: s.skippedRecords ?? null,
        completeness: s.completeness ?? null,
        validity: s.validity ?? null,
        consistency: s.consistency ?? null,
        accuracy: s.accuracy ?? null,
        errorsCritical: s.errors?.critical ?? null,
        errorsHigh: s.errors?.high ?? null,
        errorsMedium: s.errors?.medium ?? null,
        errorsLow: s.errors?.low ?? null,
        duringFreeze: frozen.has(s.dataset) && at >= frozen.get(s.dataset)!,
        bytesMoved: s.bytesMoved ?? null,
        cpuSeconds: s.cpuSeconds ?? null,
        memoryPeakBytes: s.memoryPeakBytes ?? null,
        cost: s.cost ?? null,
        errorsByType: s.errorsByType ?? null,
        paused: migrationPaused || pausedDatasets.has(s.dataset),
      };
    });
    const pausedCount = samples.filter(s => s.paused).length;
    const written = await store.writeSamples(id, samples, {
      rateWindowMs: ctx.deps.settings.rateWindowMs,
    });
    // The first sample means a job is running: the migration has started. Only one of
    // concurrent first batches makes that transition (and records it).
    const startedNow =
      migration.status === 'PLANNED' &&
      (await store.updateMigration(
        id,
        { status: 'IN_PROGRESS', actualStart: now },
        now,
        'PLANNED',
      ));
    if (startedNow) {
      await ctx.deps.audit.record(
        store,
        caller,
        {
          migrationId: id,
          action: 'migration.start',
          before: { status: 'PLANNED' },
          after: {
            status: 'IN_PROGRESS',
            reason: 'first metric sample received',
          },
        },
        req,
      );
    }
    const response: IngestResult = {
      accepted: written.accepted,
      duplicates: 0,
      datasets: [...new Set(samples.map(s => s.dataset))],
      ...(pausedCount ? { paused: pausedCount } : {}),
    };
    if (batch.idempotencyKey) {
      await store.putIdempotentResponse(
        id,
        idempotencyKeyFor('metrics', batch.idempotencyKey),
        response,
        now,
      );
    }
    return {
      response,
      startedNow,
      changed: written.changedDatasets.length,
      // As it stands after this batch, for the rules evaluated below (no second read).
      migration:
        migration.status === 'PLANNED'
          ? { ...migration, status: 'IN_PROGRESS' as const }
          : migration,
    };
  });
  if (result.startedNow) ctx.deps.signals.notify(id, 'migration');
  // Screens learn of the new figures first; threshold rules (which may raise alerts, with
  // signals of their own) run after.
  if (result.changed) {
    ctx.deps.signals.notify(id, 'progress');
    if (
      batch.samples.some(
        s =>
          (s.completeness ?? s.validity ?? s.consistency ?? s.accuracy) !==
          undefined,
      )
    ) {
      ctx.deps.signals.notify(id, 'quality');
    }
  }
  if (ctx.hooks.onSamplesWritten && result.changed) {
    await ctx.hooks
      .onSamplesWritten(stripInternal(result.migration))
      .catch(() => undefined);
  }
  return result.response;
}
