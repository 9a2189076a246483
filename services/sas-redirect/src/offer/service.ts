import { AppError, UpstreamError } from '@hip/shared';
import type { OfferAdapter, OfferQuery, Slot, Structure } from '../adapters/offer.ts';

interface Entry<T> {
  value: T;
  fetchedAt: number;
}

export interface OfferAnswer<T> {
  items: T;
  fetchedAt: string;
  /** live: fetched now; cache: within the cache time; stale: the SAS failed, last known answer. */
  source: 'live' | 'cache' | 'stale';
}

/**
 * The care offer with a short cache: regulators repeat the same search within seconds, and free
 * slots change by the minute. When the SAS fails, the last answer (up to `staleMs`) is served
 * marked stale rather than nothing; beyond that the failure is reported as it is.
 */
export function createOfferService(options: {
  adapter?: OfferAdapter;
  ttlMs: number;
  staleMs: number;
  maxEntries?: number;
  now?: () => number;
}) {
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry<unknown>>();
  const inFlight = new Map<string, Promise<unknown>>();
  const max = options.maxEntries ?? 1_000;

  async function cached<T>(kind: string, query: OfferQuery, load: () => Promise<T>): Promise<OfferAnswer<T>> {
    const key = `${kind}?${Object.entries(query)
      .filter(([, v]) => v)
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join('&')}`;
    const hit = cache.get(key) as Entry<T> | undefined;
    if (hit && now() - hit.fetchedAt < options.ttlMs) {
      return { items: hit.value, fetchedAt: new Date(hit.fetchedAt).toISOString(), source: 'cache' };
    }
    try {
      let pending = inFlight.get(key) as Promise<T> | undefined;
      if (!pending) {
        pending = load().finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      const value = await pending;
      const at = now();
      cache.delete(key);
      cache.set(key, { value, fetchedAt: at });
      if (cache.size > max) cache.delete(cache.keys().next().value as string);
      return { items: value, fetchedAt: new Date(at).toISOString(), source: 'live' };
    } catch (error) {
      if (hit && now() - hit.fetchedAt < options.staleMs) {
        return { items: hit.value, fetchedAt: new Date(hit.fetchedAt).toISOString(), source: 'stale' };
      }
      if (error instanceof UpstreamError) {
        throw new AppError(error.kind === 'timeout' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_FAILED', error.message, {
          cause: error,
        });
      }
      throw error;
    }
  }

  const adapter = () => {
    if (!options.adapter)
      throw new AppError('UNAVAILABLE', 'the care-offer API is not configured (OFFER_API_URL)');
    return options.adapter;
  };

  return {
    slots: (q: OfferQuery) => cached<Slot[]>('slots', q, () => adapter().slots(q)),
    structures: (q: OfferQuery) => cached<Structure[]>('structures', q, () => adapter().structures(q)),
  };
}

export type OfferService = ReturnType<typeof createOfferService>;
