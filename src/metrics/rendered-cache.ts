// The rendered-record caches, counted: a hit is a read answered from a kept rendering, a miss a
// read that had to load and render the record; writes (which render what they stored) are
// neither. Counters handed to the cache rather than metrics inside it, so the cache stays free
// of metrics. Contacts and firms count together.
import type { CacheCounters, RenderedRecords } from '../http/rendered.js';
import { counter, gauge } from './registry.js';

const hits = counter('contacts_rendered_cache_hits_total', 'Contact and firm reads answered from the rendered-record cache.');
const misses = counter('contacts_rendered_cache_misses_total', 'Contact and firm reads that had to load and render the record.');

/** The caches of the services running in this process (one per resource, more in tests). */
const caches = new Set<WeakRef<RenderedRecords>>();
gauge('contacts_rendered_cache_size', 'Records whose rendering the caches keep.', {
  collect() {
    let size = 0;
    for (const ref of caches) {
      const cache = ref.deref();
      if (cache) size += cache.size;
      else caches.delete(ref);
    }
    this.set(size);
  },
});

export const cacheCounters: CacheCounters = { hit: () => hits.inc(), miss: () => misses.inc() };

/** Counts the cache's size in the gauge; returns it. */
export function measuredCache(cache: RenderedRecords): RenderedRecords {
  caches.add(new WeakRef(cache));
  return cache;
}
