// The vendor's own id for an MMS image we uploaded to it, per (vendor account,
// our file id), so a campaign of 100,000 recipients of one image uploads it
// once per account rather than once per message. Used by the vendors that
// keep an upload for reuse (SOLAPI's storage, NHN's attachments); Aligo takes
// the image inside every send request and has nothing to cache.
//
// In-process and bounded: at most `maxEntries` ids (the least recently used
// goes first), each trusted for `ttlMs` after its upload — the vendors do not
// document how long they keep an upload, so an old id is not bet on; an
// expired entry costs one upload more. Concurrent sends of the same image
// share one upload in flight. A failed upload is not cached.
import type { MappedError } from "./http.ts";
import type { OutboundImage } from "./vendor.ts";

export type UploadResult = { ok: true; vendorFileId: string } | { ok: false; failure: MappedError };

export interface VendorFileCache {
  /** The vendor's id for the image, uploading it with `upload` unless known. */
  resolve(
    accountId: string,
    image: OutboundImage,
    upload: (image: OutboundImage) => Promise<UploadResult>,
  ): Promise<UploadResult>;
  /** Forgets an id the vendor no longer knows (an "image not found" answer). */
  forget(accountId: string, fileId: string): void;
  readonly size: number;
}

export const DEFAULT_FILE_CACHE_ENTRIES = 1_000;
export const DEFAULT_FILE_CACHE_TTL_MS = 60 * 60 * 1000;

export function createVendorFileCache(
  options: { maxEntries?: number; ttlMs?: number; now?: () => number } = {},
): VendorFileCache {
  const maxEntries = options.maxEntries ?? DEFAULT_FILE_CACHE_ENTRIES;
  const ttlMs = options.ttlMs ?? DEFAULT_FILE_CACHE_TTL_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { vendorFileId: string; at: number }>();
  const inFlight = new Map<string, Promise<UploadResult>>();
  const keyOf = (accountId: string, fileId: string) => `${accountId}\u0000${fileId}`;

  return {
    get size() {
      return entries.size;
    },
    async resolve(accountId, image, upload) {
      const key = keyOf(accountId, image.fileId);
      const known = entries.get(key);
      if (known !== undefined && now() - known.at < ttlMs) {
        // Map order is the recency order: move the entry to the end.
        entries.delete(key);
        entries.set(key, known);
        return { ok: true, vendorFileId: known.vendorFileId };
      }
      entries.delete(key);
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      const started = upload(image).then((result) => {
        if (result.ok) {
          entries.set(key, { vendorFileId: result.vendorFileId, at: now() });
          while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
        }
        return result;
      });
      inFlight.set(key, started);
      try {
        return await started;
      } finally {
        inFlight.delete(key);
      }
    },
    forget(accountId, fileId) {
      entries.delete(keyOf(accountId, fileId));
    },
  };
}
