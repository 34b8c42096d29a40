import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { jpegBytes, pngBytes } from "../../../test/images.ts";
import { findFilesForDispatch } from "./queries.ts";

/** A multipart/form-data body with one file part (and any extra text fields). */
function multipart(
  file: { field?: string; name: string; type: string; data: Buffer } | null,
  fields: Record<string, string> = {},
) {
  const boundary = "----alimi-test-boundary";
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="${file.field ?? "file"}"; filename="${file.name}"\r\ncontent-type: ${file.type}\r\n\r\n`,
      ),
      file.data,
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

describe(`files on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000 });
  const other = await createSendingOrg(db, { credits: 1000, name: "Other" });

  const upload = (
    file: Parameters<typeof multipart>[0],
    auth = shop.auth,
    extra: Record<string, string> = {},
  ) => {
    const body = multipart(file);
    return app.inject({
      method: "POST",
      url: "/v1/files",
      payload: body.payload,
      headers: { ...auth, ...body.headers, ...extra },
    });
  };
  const get = (url: string, auth = shop.auth) => app.inject({ method: "GET", url, headers: auth });
  const post = (url: string, payload: object) =>
    app.inject({ method: "POST", url, payload, headers: shop.auth });

  const photo = jpegBytes({ width: 640, height: 480, size: 120_000 });

  it("stores a JPEG with its size read from its header, and serves it back", async () => {
    const res = await upload({ name: "photo.jpg", type: "image/jpeg", data: photo });
    expect(res.statusCode).toBe(201);
    const file = res.json();
    expect(file).toEqual({
      id: expect.stringMatching(/^fil_/),
      name: "photo.jpg",
      mime: "image/jpeg",
      size: 120_000,
      width: 640,
      height: 480,
      createdAt: expect.any(String),
      createdAtLocal: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$/),
    });
    expect(Date.parse(file.createdAtLocal)).toBe(
      Math.floor(Date.parse(file.createdAt) / 1000) * 1000,
    );
    expect((await get(`/v1/files/${file.id}`)).json()).toEqual(file);
    const content = await get(`/v1/files/${file.id}/content`);
    expect(content.statusCode).toBe(200);
    expect(content.headers["content-type"]).toBe("image/jpeg");
    expect(content.rawPayload.equals(photo)).toBe(true);
  });

  it("takes a file of 5 MB", async () => {
    const data = jpegBytes({ width: 4000, height: 3000, size: 5 * 1024 * 1024 });
    const res = await upload({ name: "large.jpg", type: "image/jpeg", data });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ size: 5 * 1024 * 1024, width: 4000, height: 3000 });
  });

  it("trusts the header, not the name or the declared type", async () => {
    const res = await upload({
      name: "logo.jpg",
      type: "image/jpeg",
      data: pngBytes({ width: 32, height: 16 }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ mime: "image/png", width: 32, height: 16 });
  });

  it("hides another organization's file (404)", async () => {
    const mine = (await upload({ name: "a.jpg", type: "image/jpeg", data: photo })).json();
    expect((await get(`/v1/files/${mine.id}`, other.auth)).statusCode).toBe(404);
    expect((await get(`/v1/files/${mine.id}/content`, other.auth)).statusCode).toBe(404);
    expect((await get("/v1/files/fil_nope")).statusCode).toBe(404);
  });

  it.each([
    [
      "a text file",
      { name: "a.txt", type: "text/plain", data: Buffer.from("hello") },
      400,
      "UNSUPPORTED_FILE",
    ],
    [
      "an empty file",
      { name: "a.jpg", type: "image/jpeg", data: Buffer.alloc(0) },
      400,
      "FILE_REQUIRED",
    ],
    [
      "a file over 5 MB",
      {
        name: "big.jpg",
        type: "image/jpeg",
        data: jpegBytes({ width: 9, height: 9, size: 5 * 1024 * 1024 + 1 }),
      },
      413,
      "FILE_TOO_LARGE",
    ],
    ["no file part", null, 400, "REQUIRED"],
    [
      "a file in another field",
      { field: "image", name: "a.jpg", type: "image/jpeg", data: photo },
      400,
      "REQUIRED",
    ],
  ])("refuses %s", async (_, file, status, code) => {
    const res = await upload(file);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.details[0]).toMatchObject({ path: "/file", code });
  });

  it("refuses a JSON body: 415, a wrong content type", async () => {
    const res = await post("/v1/files", { file: "x" });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(res.json().error.details[0]).toMatchObject({ code: "INVALID_CONTENT_TYPE" });
  });

  it("replays an Idempotency-Key with the first file", async () => {
    const file = { name: "k.jpg", type: "image/jpeg", data: photo };
    const first = await upload(file, shop.auth, { "idempotency-key": "upload-1" });
    const again = await upload(file, shop.auth, { "idempotency-key": "upload-1" });
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
  });

  describe("imageIds on a send", async () => {
    const jpeg = (size: number) =>
      upload({
        name: "p.jpg",
        type: "image/jpeg",
        data: jpegBytes({ width: 100, height: 100, size }),
      }).then((r) => r.json().id as string);
    const a = await jpeg(10_000);
    const b = await jpeg(300 * 1024);
    const big = await jpeg(300 * 1024 + 1);
    const png = (
      await upload({ name: "p.png", type: "image/png", data: pngBytes({ width: 1, height: 1 }) })
    ).json().id;
    const theirs = (
      await upload({ name: "t.jpg", type: "image/jpeg", data: photo }, other.auth)
    ).json().id;
    const mms = (imageIds: string[], extra: object = {}) => ({
      text: "봄 신상품 사진입니다",
      imageIds,
      recipients: [{ to: "010-1234-5678" }],
      ...extra,
    });

    it("picks MMS for type auto with images, estimate and send alike", async () => {
      const estimate = await post("/v1/messages/estimate", mms([a, b]));
      expect(estimate.statusCode).toBe(200);
      expect(estimate.json().cost).toMatchObject({
        held: "120.00",
        byType: { mms: "120.00" },
        expected: { total: "120.00" },
      });
      const sent = await post("/v1/messages", mms([a, b]));
      expect(sent.statusCode).toBe(202);
      const { campaignId } = sent.json();
      const list = (await get(`/v1/campaigns/${campaignId}/messages`)).json();
      expect(list.data.map((m: { type: string }) => m.type)).toEqual(["mms"]);

      const images = await findFilesForDispatch(db, [campaignId]);
      expect(images.get(campaignId)?.map((image) => [image.fileId, image.data.length])).toEqual([
        [a, 10_000],
        [b, 300 * 1024],
      ]);
    });

    it.each<[string, () => object, string, string]>([
      ["another organization's file", () => mms([a, theirs]), "/imageIds/1", "FILE_NOT_FOUND"],
      ["a PNG", () => mms([png]), "/imageIds/0", "UNSUPPORTED_IMAGE"],
      ["a JPEG over 300 KB", () => mms([a, b, big]), "/imageIds/2", "IMAGE_TOO_LARGE"],
      ["four images", () => mms([a, b, a, b]), "/imageIds", "TOO_MANY_ITEMS"],
      ["images on an SMS", () => mms([a], { type: "sms" }), "/imageIds", "IMAGES_NOT_ALLOWED"],
      [
        "images on an Alimtalk",
        () => ({
          template: { code: "WELCOME_001", variables: { shop: "Alimi", name: "홍" } },
          imageIds: [a],
          recipients: [{ to: "010-1234-5678" }],
        }),
        "/imageIds",
        "IMAGES_NOT_ALLOWED",
      ],
    ])("refuses %s, estimate and send alike", async (_, body, path, code) => {
      for (const url of ["/v1/messages/estimate", "/v1/messages"]) {
        const res = await post(url, body());
        expect(res.statusCode).toBe(400);
        expect(res.json().error.details).toEqual([expect.objectContaining({ path, code })]);
      }
    });

    it("keeps the image ids in the campaign's content, in order", async () => {
      const { campaignId } = (await post("/v1/messages", mms([b, a]))).json();
      const r = await db.query<{ content: { imageIds: string[] } }>(
        "select content from campaigns where id = $1",
        [campaignId],
      );
      expect(r.rows[0]?.content.imageIds).toEqual([b, a]);
    });
  });
});
