import type { ReadSource } from '../types';
import { resolveReadSource } from '../logic/rollout';
import { ReadSourceCache, ReadSourceCacheOptions } from './ReadSourceCache';

/** Options of {@link ReadSourceClient}. @public */
export interface ReadSourceClientOptions
  extends Omit<ReadSourceCacheOptions, 'onError'> {
  migrationId: string;
  /** Called when the portal could not be asked (for the application's own logging). */
  onError?: (error: Error) => void;
}

/** Who is reading, for gradual rollouts. @public */
export interface ReadSourceCaller {
  /**
   * A stable id of the caller (user, tenant, request source). While a dataset has a rollout, a
   * caller whose key falls in it reads the rollout's source; a caller without a key reads the
   * dataset's switch.
   */
  targetingKey?: string;
}

/**
 * What applications use to decide, per dataset, whether to read from the legacy or the new side.
 * Answers are cached; concurrent callers share one request; when the portal is unreachable the
 * last answer is used for `maxStaleMs`, then every dataset reads LEGACY. It never throws. The
 * rules live in {@link ReadSourceCache}, shared with `@switchyard/openfeature-provider`.
 *
 * ```ts
 * const switches = new ReadSourceClient({ baseUrl, migrationId: 'orders-v2', token });
 * const source = await switches.get('orders', { targetingKey: userId }); // 'LEGACY' | 'DUAL' | 'NEW'
 * ```
 * @public
 */
export class ReadSourceClient {
  private readonly cache: ReadSourceCache;
  private readonly migrationId: string;

  constructor(options: ReadSourceClientOptions) {
    const { migrationId, onError, ...cacheOptions } = options;
    this.migrationId = migrationId;
    this.cache = new ReadSourceCache({
      ...cacheOptions,
      onError: onError && (error => onError(error)),
    });
  }

  /** Where the dataset should be read from now, by this caller. */
  async get(dataset: string, caller?: ReadSourceCaller): Promise<ReadSource> {
    await this.cache.refreshIfDue(this.migrationId);
    return this.peek(dataset, caller);
  }

  /**
   * Every dataset's read source for this caller (rollouts decided by its targeting key); empty when
   * nothing usable is known, so that every dataset reads LEGACY.
   */
  async getAll(caller?: ReadSourceCaller): Promise<Record<string, ReadSource>> {
    const { answer } = await this.cache.get(this.migrationId);
    if (!answer) return {};
    return Object.fromEntries(
      Object.keys(answer.datasets).map(dataset => [
        dataset,
        resolveReadSource(answer, dataset, caller?.targetingKey)!.source,
      ]),
    );
  }

  /** The cached answer without asking the portal; LEGACY when nothing usable is cached. */
  peek(dataset: string, caller?: ReadSourceCaller): ReadSource {
    const { answer } = this.cache.view(this.migrationId);
    if (!answer) return 'LEGACY';
    return (
      resolveReadSource(answer, dataset, caller?.targetingKey)?.source ??
      'LEGACY'
    );
  }
}
