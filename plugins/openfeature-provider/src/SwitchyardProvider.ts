import {
  ErrorCode,
  EvaluationContext,
  FlagMetadata,
  JsonValue,
  OpenFeatureEventEmitter,
  Provider,
  ProviderEvents,
  ResolutionDetails,
  ResolutionReason,
  StandardResolutionReasons,
} from '@openfeature/server-sdk';
import {
  changedReadSources,
  ReadSourceCache,
  ReadSourceCacheOptions,
  ReadSourceDecision,
  ReadSources,
  ReadSourceUpdate,
  ReadSourceView,
  ResolvedReadSource,
  resolveReadSource,
} from '@switchyard/plugin-cutover-common';
import { flagKeyOf, parseFlagKey, SwitchyardFlagKey } from './flagKey';

/** Options of {@link SwitchyardProvider}. @public */
export interface SwitchyardProviderOptions extends ReadSourceCacheOptions {
  /**
   * Migrations whose switches are loaded before the provider is ready. Others are loaded on their
   * first evaluation (which waits for that one request) and polled from then on.
   */
  migrations?: string[];
  /**
   * Ask the portal every `cacheTtlMs` for every migration evaluated so far, so that
   * `ConfigurationChanged`, `Stale`, `Error` and `Ready` events fire without evaluations.
   * Default true. Without polling, an evaluation that finds the answer due asks in the background.
   */
  poll?: boolean;
}

type Health = 'READY' | 'STALE' | 'ERROR';

const REASONS: Record<ReadSourceDecision, ResolutionReason> = {
  SWITCH: StandardResolutionReasons.STATIC,
  ROLLOUT: StandardResolutionReasons.TARGETING_MATCH,
  OUTSIDE_ROLLOUT: StandardResolutionReasons.SPLIT,
  NO_TARGETING_KEY: StandardResolutionReasons.DEFAULT,
};

// Flag keys are few and repeated on every evaluation; a bounded memo keeps parsing off the hot path.
const MAX_MEMOISED_KEYS = 10_000;

/**
 * An OpenFeature server provider that serves Switchyard's read switches: flag key
 * `<migrationId>.<dataset>` resolves to `LEGACY`, `DUAL` or `NEW`, deciding gradual rollouts by
 * the evaluation context's `targetingKey`. Answers come from a cache with the same rules as
 * `ReadSourceClient` (`ReadSourceCache` of `@switchyard/plugin-cutover-common`).
 *
 * ```ts
 * await OpenFeature.setProviderAndWait(new SwitchyardProvider({ baseUrl, token, migrations: ['orders-v2'] }));
 * const source = await OpenFeature.getClient().getStringValue('orders-v2.orders', 'LEGACY', { targetingKey: userId });
 * ```
 * @public
 */
export class SwitchyardProvider implements Provider {
  readonly metadata = { name: 'switchyard' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();

  private readonly cache: ReadSourceCache;
  private readonly keys = new Map<string, SwitchyardFlagKey | null>();
  private readonly prepared = new WeakMap<
    ReadSources,
    Map<string, Partial<Record<ReadSourceDecision, ResolutionDetails<string>>>>
  >();
  private readonly preload: string[];
  private readonly poll: boolean;
  private readonly pollEveryMs: number;
  private timer?: ReturnType<typeof setInterval>;
  private health?: Health;

  constructor(options: SwitchyardProviderOptions) {
    const { migrations = [], poll = true, ...cacheOptions } = options;
    this.cache = new ReadSourceCache(cacheOptions);
    this.preload = migrations;
    this.poll = poll;
    this.pollEveryMs = options.cacheTtlMs ?? 10_000;
    this.cache.subscribe(update => this.onUpdate(update));
  }

  /**
   * Loads the configured migrations and starts polling. Rejects when one of them can't be loaded
   * (the SDK then reports the provider in error); polling goes on and `Ready` fires once the
   * portal answers.
   */
  async initialize(): Promise<void> {
    if (this.poll && !this.timer) {
      this.timer = setInterval(() => this.refreshAll(), this.pollEveryMs);
      this.timer.unref?.();
    }
    await Promise.all(this.preload.map(m => this.cache.refresh(m)));
    this.health = this.currentHealth();
    const missing = this.preload
      .map(m => ({ m, view: this.cache.view(m) }))
      .filter(({ view }) => view.state === 'NONE');
    if (missing.length > 0) {
      throw new Error(
        `Read switches unavailable for ${missing
          .map(({ m, view }) => `${m} (${view.failure?.message})`)
          .join(', ')}`,
      );
    }
  }

  /** Stops polling. */
  async onClose(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    const key = this.flagKey(flagKey);
    if (!key) {
      return Promise.resolve(
        failed(
          defaultValue,
          ErrorCode.FLAG_NOT_FOUND,
          `"${flagKey}" is not a Switchyard flag key: expected <migrationId>.<dataset>`,
        ),
      );
    }
    const view = this.cache.view(key.migrationId);
    if (view.state === 'NONE' && !view.everAnswered && !view.failure) {
      // Never asked (or being asked for the first time): this one evaluation waits for the answer.
      return this.cache
        .refreshIfDue(key.migrationId)
        .then(() =>
          this.answer(
            key,
            defaultValue,
            context,
            this.cache.view(key.migrationId),
          ),
        );
    }
    if (!this.poll && this.cache.isDue(key.migrationId)) {
      this.cache.refreshIfDue(key.migrationId);
    }
    return Promise.resolve(this.answer(key, defaultValue, context, view));
  }

  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(typeMismatch(flagKey, defaultValue, 'boolean'));
  }

  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
  ): Promise<ResolutionDetails<number>> {
    return Promise.resolve(typeMismatch(flagKey, defaultValue, 'number'));
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
  ): Promise<ResolutionDetails<T>> {
    return Promise.resolve(typeMismatch(flagKey, defaultValue, 'object'));
  }

  private answer(
    key: SwitchyardFlagKey,
    defaultValue: string,
    context: EvaluationContext,
    view: ReadSourceView,
  ): ResolutionDetails<string> {
    const { migrationId, dataset } = key;
    if (view.answer) {
      const resolved = resolveReadSource(
        view.answer,
        dataset,
        context.targetingKey,
      );
      if (!resolved) {
        return failed(
          defaultValue,
          ErrorCode.FLAG_NOT_FOUND,
          `Migration ${migrationId} has no dataset "${dataset}"`,
        );
      }
      return this.details(view, dataset, resolved);
    }
    const failure = view.failure;
    const why = failure ? failure.message : 'not asked yet';
    switch (failure?.kind) {
      case 'NOT_FOUND':
        return failed(
          defaultValue,
          ErrorCode.FLAG_NOT_FOUND,
          `No migration ${migrationId}: ${why}`,
        );
      case 'UNAUTHORIZED':
        return failed(
          defaultValue,
          ErrorCode.GENERAL,
          `Read switches of ${migrationId} refused (the token needs cutover.migration.read): ${why}`,
        );
      case 'INVALID_ANSWER':
        return failed(
          defaultValue,
          ErrorCode.PARSE_ERROR,
          `Read switches of ${migrationId}: ${why}`,
        );
      default:
        return view.everAnswered
          ? failed(
              defaultValue,
              ErrorCode.GENERAL,
              `Read switches of ${migrationId} unavailable for longer than the outage allowance: ${why}`,
            )
          : failed(
              defaultValue,
              ErrorCode.PROVIDER_NOT_READY,
              `Read switches of ${migrationId} not loaded yet: ${why}`,
            );
    }
  }

  /**
   * The resolution of one decision on one answer. Built once and shared (frozen): evaluations
   * from cache allocate nothing else, which keeps them well under a microsecond.
   */
  private details(
    view: ReadSourceView,
    dataset: string,
    resolved: ResolvedReadSource,
  ): ResolutionDetails<string> {
    const answer = view.answer!;
    let byDataset = this.prepared.get(answer);
    if (!byDataset) {
      byDataset = new Map();
      this.prepared.set(answer, byDataset);
    }
    const stale = view.state === 'STALE';
    const key = stale ? `${dataset}\u0000STALE` : dataset;
    let byDecision = byDataset.get(key);
    if (!byDecision) {
      byDecision = {};
      byDataset.set(key, byDecision);
    }
    let details = byDecision[resolved.decision];
    if (!details) {
      const flagMetadata: FlagMetadata = {
        migrationId: answer.migrationId,
        dataset,
        baseline: resolved.baseline,
        updatedAt: answer.updatedAt,
      };
      if (resolved.rollout) {
        flagMetadata.rolloutSource = resolved.rollout.source;
        flagMetadata.rolloutPercent = resolved.rollout.percent;
      }
      details = Object.freeze({
        value: resolved.source,
        variant: resolved.source,
        reason: stale
          ? StandardResolutionReasons.STALE
          : REASONS[resolved.decision],
        flagMetadata: Object.freeze(flagMetadata),
      });
      byDecision[resolved.decision] = details;
    }
    return details;
  }

  private flagKey(flagKey: string): SwitchyardFlagKey | undefined {
    let key = this.keys.get(flagKey);
    if (key === undefined) {
      if (this.keys.size >= MAX_MEMOISED_KEYS) this.keys.clear();
      key = parseFlagKey(flagKey) ?? null;
      this.keys.set(flagKey, key);
    }
    return key ?? undefined;
  }

  private refreshAll() {
    for (const migrationId of this.cache.migrationIds()) {
      this.cache.refresh(migrationId);
    }
  }

  private onUpdate({ migrationId, previous, view }: ReadSourceUpdate) {
    // Until initialize() settles, the SDK reports the outcome itself.
    if (this.health === undefined) return;
    const health = this.currentHealth();
    if (health !== this.health) {
      this.health = health;
      const metadata = { migrationId };
      if (health === 'READY') {
        this.events.emit(ProviderEvents.Ready, {
          message: `Read switches of ${migrationId} answered`,
          metadata,
        });
      } else {
        const message = `Read switches of ${migrationId}: ${view.failure?.message}`;
        this.events.emit(
          health === 'STALE' ? ProviderEvents.Stale : ProviderEvents.Error,
          { message, metadata },
        );
      }
    }
    if (previous && view.state === 'FRESH') {
      const changed = changedReadSources(previous, view.answer!);
      if (changed.length > 0) {
        this.events.emit(ProviderEvents.ConfigurationChanged, {
          flagsChanged: changed.map(d => flagKeyOf(migrationId, d)),
          message: `Read switches of ${migrationId} changed: ${changed.join(
            ', ',
          )}`,
          metadata: { migrationId },
        });
      }
    }
  }

  /**
   * ERROR when some migration has nothing usable because the portal can't be asked, STALE when
   * some is served from an answer kept through a failure, READY otherwise. Only the configured
   * migrations and those the portal has answered for count: a 404, or a migration asked about
   * only while the portal was down, is that flag's error, not the provider's.
   */
  private currentHealth(): Health {
    let health: Health = 'READY';
    for (const migrationId of this.cache.migrationIds()) {
      const view = this.cache.view(migrationId);
      if (!view.failure || view.failure.kind === 'NOT_FOUND') continue;
      if (!view.everAnswered && !this.preload.includes(migrationId)) continue;
      if (view.state === 'NONE') return 'ERROR';
      health = 'STALE';
    }
    return health;
  }
}

function failed<T>(
  defaultValue: T,
  errorCode: ErrorCode,
  errorMessage: string,
): ResolutionDetails<T> {
  return {
    value: defaultValue,
    reason: StandardResolutionReasons.ERROR,
    errorCode,
    errorMessage,
  };
}

function typeMismatch<T>(
  flagKey: string,
  defaultValue: T,
  type: string,
): ResolutionDetails<T> {
  return failed(
    defaultValue,
    ErrorCode.TYPE_MISMATCH,
    `Switchyard flags are strings (LEGACY, DUAL or NEW); "${flagKey}" was evaluated as ${type}`,
  );
}
