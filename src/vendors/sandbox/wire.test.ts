import { describe, expect, it } from "vitest";
import { jpegBytes, PNG_BYTES } from "../../../test/support/vendors/images.ts";
import { checkSendRequest, checkStatusRequest } from "./wire.ts";

const SMS = { customId: "msg_1", to: "+821012345678", from: "0212345678", type: "sms", text: "hi" };
const envelope = (messages: unknown) => ({ messages });
const named = { webhookUrl: "http://127.0.0.1:1/webhooks/vendors/vac_1", signingSecret: "s" };

describe("checkSendRequest, the envelope", () => {
  it.each<[string, unknown, number, string]>([
    ["not an object", [], 400, "request.invalid"],
    ["a webhookUrl that is null", { ...envelope([]), webhookUrl: null }, 400, "request.invalid"],
    [
      "a webhookUrl that is not http",
      { ...envelope([]), webhookUrl: "ftp://x/y" },
      400,
      "request.invalid",
    ],
    [
      "a webhookUrl that is not a URL",
      { ...envelope([]), webhookUrl: "here" },
      400,
      "request.invalid",
    ],
    ["an empty signingSecret", { ...envelope([]), signingSecret: "" }, 400, "request.invalid"],
    ["messages not an array", envelope({}), 400, "request.invalid"],
    ["1,001 messages", envelope(Array(1001).fill(SMS)), 413, "request.too_many_messages"],
  ])("refuses %s", (_name, body, status, error) => {
    expect(checkSendRequest(body)).toMatchObject({ ok: false, status, error });
  });

  it("accepts 1,000 messages and an empty batch", () => {
    expect(checkSendRequest(envelope(Array(1000).fill(SMS))).ok).toBe(true);
    expect(checkSendRequest(envelope([]))).toMatchObject({ ok: true, messages: [] });
  });

  it("needs no report target, and passes on one that is named for the server to judge", () => {
    expect(checkSendRequest(envelope([]))).toMatchObject({
      ok: true,
      webhookUrl: null,
      signingSecret: null,
    });
    expect(checkSendRequest({ ...named, ...envelope([]) })).toMatchObject({ ok: true, ...named });
  });
});

describe("checkSendRequest, each message", () => {
  const checkOne = (message: unknown) => {
    const checked = checkSendRequest(envelope([message]));
    if (!checked.ok) throw new Error("envelope refused");
    return checked.messages[0];
  };

  it("fills the optional fields", () => {
    expect(checkOne(SMS)).toEqual({
      ok: true,
      message: {
        ...SMS,
        subject: null,
        templateCode: null,
        buttons: [],
        fallback: null,
        imageIds: [],
      },
    });
  });

  it("keeps an Alimtalk message's template and fallback", () => {
    const alimtalk = {
      ...SMS,
      type: "alimtalk",
      templateCode: "T1",
      buttons: [{ type: "WL", name: "Go" }],
      fallback: { type: "lms", text: "long", subject: "S" },
    };
    expect(checkOne(alimtalk)).toEqual({
      ok: true,
      message: { ...alimtalk, subject: null, imageIds: [] },
    });
  });

  it.each<[string, unknown, string | null, string]>([
    ["not an object", "x", null, "request.invalid_message"],
    ["no customId", { ...SMS, customId: undefined }, null, "request.invalid_message"],
    [
      "a customId over 100 characters",
      { ...SMS, customId: "m".repeat(101) },
      "m".repeat(101),
      "request.invalid_message",
    ],
    ["no recipient", { ...SMS, to: undefined }, "msg_1", "request.invalid_number"],
    ["an unknown type", { ...SMS, type: "fax" }, "msg_1", "request.invalid_message"],
    ["no text", { ...SMS, text: "" }, "msg_1", "request.invalid_message"],
    ["a numeric subject", { ...SMS, subject: 3 }, "msg_1", "request.invalid_message"],
    ["buttons not an array", { ...SMS, buttons: {} }, "msg_1", "request.invalid_message"],
    [
      "Alimtalk without a template",
      { ...SMS, type: "alimtalk" },
      "msg_1",
      "request.template_required",
    ],
    [
      "a fallback of type mms",
      { ...SMS, fallback: { type: "mms", text: "x" } },
      "msg_1",
      "request.invalid_message",
    ],
    [
      "a fallback without text",
      { ...SMS, fallback: { type: "sms" } },
      "msg_1",
      "request.invalid_message",
    ],
  ])("fails only the message with %s", (_name, message, customId, error) => {
    expect(checkOne(message)).toEqual({ ok: false, customId, error });
  });
});

describe("checkSendRequest, MMS images", () => {
  const image = (data: Buffer, mime = "image/jpeg") => ({
    name: "a.jpg",
    mime,
    data: data.toString("base64"),
  });
  const MMS = { ...SMS, type: "mms", subject: "S" };
  const checkWith = (message: unknown, images: unknown) => {
    const checked = checkSendRequest({ ...envelope([message]), images });
    if (!checked.ok) throw new Error("envelope refused");
    return checked.messages[0];
  };

  it("takes an MMS naming 1 to 3 JPEG images of the request", () => {
    const images = { fil_a: image(jpegBytes()), fil_b: image(jpegBytes(300 * 1024)) };
    expect(checkWith({ ...MMS, imageIds: ["fil_a", "fil_b"] }, images)).toMatchObject({
      ok: true,
      message: { imageIds: ["fil_a", "fil_b"] },
    });
  });

  it.each<[string, unknown, unknown]>([
    ["no image", { ...MMS }, {}],
    ["an image the request does not carry", { ...MMS, imageIds: ["fil_x"] }, {}],
    ["four images", { ...MMS, imageIds: ["a", "a", "a", "a"] }, { a: image(jpegBytes()) }],
    ["an image over 300 KB", { ...MMS, imageIds: ["a"] }, { a: image(jpegBytes(300 * 1024 + 1)) }],
    ["a PNG", { ...MMS, imageIds: ["a"] }, { a: image(PNG_BYTES) }],
    [
      "a mime other than image/jpeg",
      { ...MMS, imageIds: ["a"] },
      { a: image(jpegBytes(), "image/gif") },
    ],
    ["images on an SMS", { ...SMS, imageIds: ["a"] }, { a: image(jpegBytes()) }],
  ])("fails the message with %s", (_name, message, images) => {
    expect(checkWith(message, images)).toEqual({
      ok: false,
      customId: "msg_1",
      error: "request.invalid_image",
    });
  });

  it("refuses images that are not an object keyed by file id", () => {
    expect(checkSendRequest({ ...envelope([]), images: [] })).toMatchObject({
      ok: false,
      error: "request.invalid",
    });
  });
});

describe("checkStatusRequest", () => {
  it.each<[unknown, boolean]>([
    [{ messageIds: ["sbx_1", "sbx_2"] }, true],
    [{ messageIds: [] }, true],
    [{ messageIds: [1] }, false],
    [{ ids: [] }, false],
    [null, false],
    [{ messageIds: Array(1001).fill("sbx_1") }, false],
  ])("%j → ok %s", (body, ok) => {
    expect(checkStatusRequest(body).ok).toBe(ok);
  });
});
