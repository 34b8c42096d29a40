// Link keys to their links, for the redirect: links never change once
// written, so a found link is kept (the most recently used, up to `max`);
// a key not in memory is read from the database once, however many
// requests ask for it meanwhile.
import type { Queryable } from "../../db/client.ts";
import { findLinkByKey, type ResolvedLink } from "./queries.ts";

export interface LinkResolver {
  resolve(key: string): Promise<ResolvedLink | null>;
  /** Links in memory. */
  readonly size: number;
}

const DEFAULT_MAX = 50_000;

export function createLinkResolver(options: { db: Queryable; max?: number }): LinkResolver {
  const max = options.max ?? DEFAULT_MAX;
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  const cache = new Map<string, ResolvedLink>();
  const reading = new Map<string, Promise<ResolvedLink | null>>();

  function keep(link: ResolvedLink) {
    cache.set(link.key, link);
    if (cache.size > max) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
  }

  return {
    get size() {
      return cache.size;
    },
    resolve(key) {
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key);
        cache.set(key, hit);
        return Promise.resolve(hit);
      }
      let read = reading.get(key);
      if (!read) {
        read = findLinkByKey(options.db, key).then(
          (link) => {
            reading.delete(key);
            if (link) keep(link);
            return link;
          },
          (err: unknown) => {
            reading.delete(key);
            throw err;
          },
        );
        reading.set(key, read);
      }
      return read;
    },
  };
}
