/**
 * A bounded in-memory LRU of REST GET responses by ETag, for conditional requests: the next GET of
 * the same URL sends `If-None-Match`, and a 304 answer (free against the rate limit when the request
 * is authorized) is served from here.
 *
 * ETags are token-specific (research/github-api.md §3.2, github/docs#34689): installation tokens
 * rotate (Probot caches them ~59 minutes), so an entry only produces 304s while the token that read
 * it is alive. Entries hold response bodies, so the size bound is what keeps memory flat.
 */

export interface CachedResponse {
  etag: string;
  data: unknown;
}

export interface EtagCache {
  get(key: string): CachedResponse | undefined;
  set(key: string, value: CachedResponse): void;
  readonly size: number;
}

export const DEFAULT_ETAG_CACHE_SIZE = 500;

export function createEtagCache(maxEntries = DEFAULT_ETAG_CACHE_SIZE): EtagCache {
  // A Map iterates in insertion order: re-inserting on use makes the first key the least recently used.
  const map = new Map<string, CachedResponse>();
  return {
    get(key) {
      const hit = map.get(key);
      if (hit) {
        map.delete(key);
        map.set(key, hit);
      }
      return hit;
    },
    set(key, value) {
      map.delete(key);
      map.set(key, value);
      while (map.size > maxEntries) map.delete(map.keys().next().value as string);
    },
    get size() {
      return map.size;
    },
  };
}

/** The cache key of a GET: the route template and its parameters (sorted), without headers. */
export function cacheKey(route: string, params: Record<string, unknown>): string {
  const keys = Object.keys(params).filter((k) => k !== 'headers').sort();
  return `${route}?${keys.map((k) => `${k}=${String(params[k])}`).join('&')}`;
}
