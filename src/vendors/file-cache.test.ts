import { describe, expect, it } from "vitest";
import { testImage } from "../../test/support/vendors/images.ts";
import { createVendorFileCache, type UploadResult } from "./file-cache.ts";

function counter() {
  let uploads = 0;
  const upload = async (): Promise<UploadResult> => ({ ok: true, vendorFileId: `v${++uploads}` });
  return { upload, count: () => uploads };
}

describe("createVendorFileCache", () => {
  it("uploads once per (account, file), and again for another account", async () => {
    const cache = createVendorFileCache();
    const { upload, count } = counter();
    const image = testImage();
    expect(await cache.resolve("vac_a", image, upload)).toEqual({ ok: true, vendorFileId: "v1" });
    expect(await cache.resolve("vac_a", image, upload)).toEqual({ ok: true, vendorFileId: "v1" });
    expect(await cache.resolve("vac_b", image, upload)).toEqual({ ok: true, vendorFileId: "v2" });
    expect(count()).toBe(2);
  });

  it("shares one upload among concurrent sends of the same image", async () => {
    const cache = createVendorFileCache();
    const { upload, count } = counter();
    const image = testImage();
    const all = await Promise.all(
      Array.from({ length: 20 }, () => cache.resolve("vac_a", image, upload)),
    );
    expect(new Set(all.map((r) => (r.ok ? r.vendorFileId : "")))).toEqual(new Set(["v1"]));
    expect(count()).toBe(1);
  });

  it("trusts an id for ttlMs, keeps at most maxEntries (least recently used first out)", async () => {
    let now = 0;
    const cache = createVendorFileCache({ maxEntries: 2, ttlMs: 1_000, now: () => now });
    const { upload, count } = counter();
    const [a, b, c] = [testImage(), testImage(), testImage()];
    await cache.resolve("vac", a, upload);
    await cache.resolve("vac", b, upload);
    await cache.resolve("vac", a, upload); // a is now the most recent
    await cache.resolve("vac", c, upload); // b goes
    expect(cache.size).toBe(2);
    await cache.resolve("vac", a, upload);
    expect(count()).toBe(3);
    await cache.resolve("vac", b, upload);
    expect(count()).toBe(4);
    now = 1_000;
    await cache.resolve("vac", b, upload);
    expect(count()).toBe(5);
  });

  it("does not keep a failed upload, and forgets an id on request", async () => {
    const cache = createVendorFileCache();
    const image = testImage();
    const failing = async (): Promise<UploadResult> => ({
      ok: false,
      failure: { error: { code: "TIMEOUT", rawCode: "timeout", message: "slow" }, retryable: true },
    });
    expect((await cache.resolve("vac", image, failing)).ok).toBe(false);
    const { upload, count } = counter();
    await cache.resolve("vac", image, upload);
    cache.forget("vac", image.fileId);
    await cache.resolve("vac", image, upload);
    expect(count()).toBe(2);
  });
});
