// MMS through the sandbox: each distinct image travels once per request in
// `images` (base64), and every MMS names its images by our file id in
// `imageIds`. A recording server answers with the sandbox's own wire check
// (checkSendRequest), so what it refuses is what /sandbox/v1 refuses.
import { afterEach, describe, expect, it } from "vitest";
import { testTransport } from "../../../test/support/vendor-calls.ts";
import { type FakeHarness, startFakeHarness } from "../../../test/support/vendors/fake-harness.ts";
import { jpegBytes, testImage } from "../../../test/support/vendors/images.ts";
import type { OutboundMessage, VendorAccount } from "../vendor.ts";
import { planImageRequests, REQUEST_IMAGE_BYTES, sandboxAdapter } from "./client.ts";
import { checkSendRequest, type WireSendRequest } from "./wire.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Answers a send as the sandbox does after its wire check: ACCEPTED or FAILED per message. */
async function sandboxLike(): Promise<FakeHarness> {
  const server = await startFakeHarness((request) => {
    const checked = checkSendRequest(request.body);
    if (!checked.ok) {
      return {
        status: checked.status,
        body: { errorCode: checked.error, errorMessage: checked.message },
      };
    }
    const results = checked.messages.map((m) =>
      m.ok
        ? {
            customId: m.message.customId,
            status: "ACCEPTED",
            messageId: `sbx_${m.message.customId}`,
            duplicate: false,
          }
        : { customId: m.customId, status: "FAILED", errorCode: m.error, errorMessage: m.error },
    );
    return { status: 200, body: { results, accepted: 0, failed: 0 } };
  });
  cleanups.push(server.close);
  return server;
}

const account = (server: FakeHarness): VendorAccount => ({
  id: "vac_sandbox_mms",
  vendor: "sandbox",
  settings: { baseUrl: server.url },
  credentials: { apiKey: "sbx_key" },
  webhookSecret: "whsec_sandbox",
  webhookUrl: "http://127.0.0.1:1/webhooks/vendors/vac_sandbox_mms",
  transport: testTransport,
});

let sequence = 0;
const mms = (
  images: OutboundMessage["images"],
  type: OutboundMessage["type"] = "mms",
): OutboundMessage => ({
  id: `msg_sbx_mms_${++sequence}`,
  to: "+821012345678",
  from: "0212345678",
  type,
  text: "새 상품 안내",
  subject: type === "sms" ? null : "신상품",
  alimtalk: null,
  nativeFallback: null,
  images,
  attempt: 1,
});

describe("MMS images through the sandbox", () => {
  it("carries each image once per request, named by imageIds in order", async () => {
    const server = await sandboxLike();
    const [a, b] = [testImage(), testImage({ bytes: 5_000 })];
    const outcomes = await sandboxAdapter.send(account(server), [mms([a, b]), mms([a]), mms([b])]);
    expect(outcomes.map((o) => o.outcome)).toEqual(["accepted", "accepted", "accepted"]);
    const [request] = server.requests;
    const body = request!.body as WireSendRequest;
    expect(Object.keys(body.images ?? {})).toEqual([a!.fileId, b!.fileId]);
    expect(body.images?.[a!.fileId]).toEqual({
      name: a!.name,
      mime: "image/jpeg",
      data: a!.data.toString("base64"),
    });
    expect(body.messages.map((m) => m.imageIds)).toEqual([
      [a!.fileId, b!.fileId],
      [a!.fileId],
      [b!.fileId],
    ]);
  });

  it("sends no images with SMS/LMS/Alimtalk", async () => {
    const server = await sandboxLike();
    await sandboxAdapter.send(account(server), [mms([testImage()], "lms")]);
    const body = server.requests[0]!.body as WireSendRequest;
    expect(body.images).toBeUndefined();
    expect(body.messages[0]!.imageIds).toEqual([]);
  });

  it("an MMS the sandbox refuses (no image, oversize) fails alone with CONTENT_REJECTED", async () => {
    const server = await sandboxLike();
    const [none, big, fine] = await sandboxAdapter.send(account(server), [
      mms([]),
      mms([testImage({ data: jpegBytes(300 * 1024 + 1) })]),
      mms([testImage()]),
    ]);
    expect(none).toMatchObject({
      outcome: "rejected",
      error: { code: "CONTENT_REJECTED", rawCode: "request.invalid_image" },
    });
    expect(big).toMatchObject({ outcome: "rejected", error: { rawCode: "request.invalid_image" } });
    expect(fine?.outcome).toBe("accepted");
  });

  it("splits a batch whose distinct images exceed the request's image budget", () => {
    const heavy = () => testImage({ data: jpegBytes(300 * 1024) });
    const perRequest = Math.floor(REQUEST_IMAGE_BYTES / (300 * 1024));
    const messages = Array.from({ length: perRequest + 1 }, () => mms([heavy()]));
    expect(planImageRequests(messages).map((r) => r.length)).toEqual([perRequest, 1]);
    const shared = heavy();
    expect(
      planImageRequests(Array.from({ length: 500 }, () => mms([shared]))).map((r) => r.length),
    ).toEqual([500]);
  });
});
