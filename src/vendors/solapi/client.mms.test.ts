// MMS through SOLAPI: the image goes to the storage API (type MMS, base64)
// once per account and the message names it by `imageId`; the fake refuses
// what SOLAPI refuses (a missing image, an oversize or non-image file).
import { afterEach, describe, expect, it } from "vitest";
import { testTransport } from "../../../test/support/vendor-calls.ts";
import { jpegBytes, PNG_BYTES, testImage } from "../../../test/support/vendors/images.ts";
import {
  FAKE_API_KEY,
  FAKE_API_SECRET,
  type FakeSolapi,
  startFakeServer,
} from "../../../test/support/vendors/solapi/fake-server.ts";
import type { OutboundMessage, VendorAccount } from "../vendor.ts";
import { authorizationHeader } from "./auth.ts";
import { solapiAdapter } from "./client.ts";
import { SEND_PATH, STORAGE_PATH } from "./wire.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(): Promise<FakeSolapi> {
  const server = await startFakeServer();
  cleanups.push(server.close);
  return server;
}

const account = (server: FakeSolapi, id = "vac_solapi_mms"): VendorAccount => ({
  id,
  vendor: "solapi",
  settings: { baseUrl: server.url },
  credentials: { apiKey: FAKE_API_KEY, apiSecret: FAKE_API_SECRET },
  webhookSecret: "whsec_mms",
  webhookUrl: "http://127.0.0.1:1/webhooks/vendors/vac_solapi_mms",
  transport: testTransport,
});

let sequence = 0;
const mms = (to: string, images: OutboundMessage["images"]): OutboundMessage => ({
  id: `msg_mms_${++sequence}`,
  to,
  from: "0212345678",
  type: "mms",
  text: "새 상품 안내입니다.",
  subject: "신상품",
  alimtalk: null,
  nativeFallback: null,
  images,
  attempt: 1,
});

const uploadsTo = (server: FakeSolapi) =>
  server.requests.filter((r) => r.path === STORAGE_PATH && r.method === "POST");

describe("MMS images through SOLAPI's storage", () => {
  it("uploads the JPEG as base64 type MMS and sends its fileId as imageId", async () => {
    const server = await fake();
    const image = testImage({ bytes: 4_096 });
    const [outcome] = await solapiAdapter.send(account(server), [mms("+821012345678", [image])]);
    expect(outcome?.outcome).toBe("accepted");
    const [upload] = uploadsTo(server);
    expect(upload?.body).toEqual({
      file: image.data.toString("base64"),
      type: "MMS",
      name: image.name,
    });
    const fileId = [...server.uploads.keys()][0]!;
    expect(server.uploads.get(fileId)?.data.equals(image.data)).toBe(true);
    const send = server.requests.find((r) => r.path === SEND_PATH)!;
    const [wire] = (send.body as { messages: Record<string, unknown>[] }).messages;
    expect(wire).toMatchObject({ type: "MMS", imageId: fileId, subject: "신상품" });
  });

  it("uploads an image once per account, however many messages and batches carry it", async () => {
    const server = await fake();
    const image = testImage();
    const batch = Array.from({ length: 50 }, (_, i) =>
      mms(`+82101000${String(i).padStart(4, "0")}`, [image]),
    );
    await solapiAdapter.send(account(server), batch);
    await solapiAdapter.send(account(server), [mms("+821099990000", [image])]);
    expect(uploadsTo(server)).toHaveLength(1);
    // Another account is another SOLAPI storage: its own upload.
    await solapiAdapter.send(account(server, "vac_solapi_other"), [mms("+821099990001", [image])]);
    expect(uploadsTo(server)).toHaveLength(2);
  });

  it("an image over SOLAPI's 200 KB storage cap rejects its message before SOLAPI, not the batch", async () => {
    const server = await fake();
    const big = testImage({ data: jpegBytes(250 * 1024) });
    const [refused, fine] = await solapiAdapter.send(account(server), [
      mms("+821012340001", [big]),
      mms("+821012340002", [testImage()]),
    ]);
    expect(refused).toMatchObject({ outcome: "rejected", error: { rawCode: "images.size" } });
    expect(fine?.outcome).toBe("accepted");
    expect(uploadsTo(server)).toHaveLength(1);
  });

  it("the fake storage refuses an MMS image over 200 KB as SOLAPI does", async () => {
    const server = await fake();
    const upload = await fetch(`${server.url}${STORAGE_PATH}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: authorizationHeader({ apiKey: FAKE_API_KEY, apiSecret: FAKE_API_SECRET }),
      },
      body: JSON.stringify({
        file: jpegBytes(201 * 1024).toString("base64"),
        type: "MMS",
        name: "a.jpg",
      }),
    });
    expect(upload.status).toBe(400);
    expect(((await upload.json()) as { errorCode: string }).errorCode).toBe("ValidationError");
  });

  it("the fake storage refuses a file that is not an image", async () => {
    const server = await fake();
    const [outcome] = await solapiAdapter.send(account(server), [
      mms("+821012340003", [testImage({ data: Buffer.from("not an image at all") })]),
    ]);
    expect(outcome).toMatchObject({ outcome: "rejected", error: { rawCode: "ValidationError" } });
    const png = await solapiAdapter.send(account(server), [
      mms("+821012340004", [testImage({ data: PNG_BYTES })]),
    ]);
    // SOLAPI takes PNG for MMS (reference §6.2); our API sends JPEG only.
    expect(png[0]?.outcome).toBe("accepted");
  });

  it("more than one image: rejected before SOLAPI, which carries one imageId per message", async () => {
    const server = await fake();
    const [outcome] = await solapiAdapter.send(account(server), [
      mms("+821012340005", [testImage(), testImage()]),
    ]);
    expect(outcome).toMatchObject({ outcome: "rejected", error: { rawCode: "images.count" } });
    expect(server.requests).toHaveLength(0);
  });

  it("an MMS without its image is refused by SOLAPI (1023)", async () => {
    const server = await fake();
    const [outcome] = await solapiAdapter.send(account(server), [mms("+821012340006", [])]);
    expect(outcome).toMatchObject({ outcome: "rejected", error: { rawCode: "1023" } });
  });

  it("an imageId SOLAPI no longer has is forgotten and the message retried with a fresh upload", async () => {
    const server = await fake();
    const image = testImage();
    await solapiAdapter.send(account(server), [mms("+821012340007", [image])]);
    server.uploads.clear();
    const [lost] = await solapiAdapter.send(account(server), [mms("+821012340008", [image])]);
    expect(lost).toMatchObject({ outcome: "retry", error: { rawCode: "1023" } });
    const [again] = await solapiAdapter.send(account(server), [mms("+821012340008", [image])]);
    expect(again?.outcome).toBe("accepted");
    expect(uploadsTo(server)).toHaveLength(2);
  });
});
