// SOLAPI's official Node SDK (`solapi`, v6) as an independent witness of the
// wire protocol: for the same messages, the SDK and our adapter talk to the
// same fake SOLAPI, and what each sent is compared — endpoint, the HMAC
// Authorization header, field names, nesting and types. The SDK also decodes
// the fake's answers with its own response schemas, so a fake answer of the
// wrong shape fails here too.
//
// The SDK has no base-URL option (DefaultService.baseUrl is a per-instance
// field set inside SolapiMessageService's constructor), so its fetch calls to
// https://api.solapi.com are redirected to the fake's address; the requests
// still travel over HTTP to the fake server.
//
// Differences, each justified:
// - The SDK adds `agent: { sdkVersion, osPlatform }` to send requests: SDK
//   telemetry, optional in the API reference (sendSimpleMessage.md lists
//   `agent` as optional). We send none.
// - The SDK sends `link` in the storage upload only when given; for MMS it is
//   unused ("link: 친구톡의 경우 필수", the SDK's uploadFile comment).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SolapiMessageService } from "solapi";
import { afterEach, describe, expect, it, vi } from "vitest";
import { testTransport } from "../../../test/support/vendor-calls.ts";
import { testImage } from "../../../test/support/vendors/images.ts";
import {
  FAKE_API_KEY,
  FAKE_API_SECRET,
  type FakeSolapi,
  type RecordedRequest,
  startFakeServer,
} from "../../../test/support/vendors/solapi/fake-server.ts";
import type { OutboundMessage, VendorAccount } from "../vendor.ts";
import { parseAuthorization } from "./auth.ts";
import { solapiAdapter } from "./client.ts";
import { BALANCE_PATH, LIST_PATH, SEND_PATH, STORAGE_PATH } from "./wire.ts";

const PF_ID = "KA01PF190227072057634pRBhbpAw1w1";
const TEMPLATE_ID = "KA01TP2301260109382045fWJtLZUIab";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fake SOLAPI, and the SDK pointed at it. */
async function setup(): Promise<{ fake: FakeSolapi; sdk: SolapiMessageService }> {
  const fake = await startFakeServer();
  cleanups.push(fake.close);
  const real = globalThis.fetch;
  vi.stubGlobal("fetch", (input: string | URL | Request, init?: RequestInit) =>
    real(String(input).replace(/^https:\/\/api\.solapi\.com/, fake.url), init),
  );
  cleanups.push(() => {
    vi.unstubAllGlobals();
  });
  return { fake, sdk: new SolapiMessageService(FAKE_API_KEY, FAKE_API_SECRET) };
}

const account = (fake: FakeSolapi): VendorAccount => ({
  id: `vac_witness_${fake.url}`,
  vendor: "solapi",
  settings: { baseUrl: fake.url, pfId: PF_ID, templateIds: { WELCOME_001: TEMPLATE_ID } },
  credentials: { apiKey: FAKE_API_KEY, apiSecret: FAKE_API_SECRET },
  webhookSecret: "whsec",
  webhookUrl: "http://127.0.0.1:1/webhooks/vendors/vac_witness",
  transport: testTransport,
});

const base = (id: string, overrides: Partial<OutboundMessage>): OutboundMessage => ({
  id,
  to: "+821012345678",
  from: "0212345678",
  type: "sms",
  text: "주문이 접수되었습니다.",
  subject: null,
  alimtalk: null,
  nativeFallback: null,
  images: [],
  attempt: 1,
  ...overrides,
});

/** Each request since `from`, by the adapter or the SDK. */
const since = (fake: FakeSolapi, from: number) => fake.requests.slice(from);

/** The shape of a value: field names, nesting and types, not the values. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, shapeOf(v)]),
    );
  }
  return value === null ? "null" : typeof value;
}

function expectSameAuthorization(ours: RecordedRequest, theirs: RecordedRequest) {
  const [a, b] = [ours, theirs].map((r) => parseAuthorization(r.headers.authorization));
  expect(a).not.toBeNull();
  expect(b).not.toBeNull();
  // Same scheme, same parts in the same order, dates in the same ISO form; both verified by the fake.
  const form = (h: string | undefined) => h?.replace(/=[^,]+/g, "=…");
  expect(form(ours.headers.authorization)).toBe(form(theirs.headers.authorization));
  expect(a!.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(b!.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
  expect([ours.auth.ok, theirs.auth.ok]).toEqual([true, true]);
  // A GET has no body: we send no content type there; the SDK sends
  // application/json on every request. SOLAPI reads no body on GET.
  if (ours.method === "POST")
    expect(ours.headers["content-type"]).toBe(theirs.headers["content-type"]);
}

describe("the official solapi SDK and our adapter send the same requests", () => {
  it("SMS, LMS and Alimtalk (buttons, with and without fallback) in send-many/detail", async () => {
    const { fake, sdk } = await setup();
    const messages = [
      base("msg_w1", {}),
      base("msg_w2", { type: "lms", subject: "안내", text: "긴 안내문입니다. ".repeat(10) }),
      base("msg_w3", {
        type: "alimtalk",
        text: "홍길동님, 가입을 환영합니다.",
        alimtalk: {
          templateCode: "WELCOME_001",
          buttons: [
            {
              type: "WL",
              name: "주문 확인",
              linkMobile: "https://m.example",
              linkPc: "https://example",
            },
            { type: "AL", name: "앱 열기", schemeAndroid: "app://a", schemeIos: "app://i" },
          ],
        },
      }),
      base("msg_w4", {
        type: "alimtalk",
        text: "홍길동님, 가입을 환영합니다.",
        alimtalk: { templateCode: "WELCOME_001", buttons: [] },
        nativeFallback: { type: "sms", text: "홍길동님, 가입을 환영합니다.", subject: null },
      }),
    ];
    const start = fake.requests.length;
    await solapiAdapter.send(account(fake), messages);
    await sdk.send(
      [
        {
          to: "01012345678",
          from: "0212345678",
          type: "SMS",
          text: messages[0]!.text,
          customFields: { alimiMessageId: "msg_w1" },
        },
        {
          to: "01012345678",
          from: "0212345678",
          type: "LMS",
          subject: "안내",
          text: messages[1]!.text,
          customFields: { alimiMessageId: "msg_w2" },
        },
        {
          to: "01012345678",
          from: "0212345678",
          type: "ATA",
          text: messages[2]!.text,
          customFields: { alimiMessageId: "msg_w3" },
          kakaoOptions: {
            pfId: PF_ID,
            templateId: TEMPLATE_ID,
            disableSms: true,
            buttons: [
              {
                buttonType: "WL",
                buttonName: "주문 확인",
                linkMo: "https://m.example",
                linkPc: "https://example",
              },
              { buttonType: "AL", buttonName: "앱 열기", linkAnd: "app://a", linkIos: "app://i" },
            ],
          },
        },
        {
          to: "01012345678",
          from: "0212345678",
          type: "ATA",
          text: messages[3]!.text,
          customFields: { alimiMessageId: "msg_w4" },
          kakaoOptions: { pfId: PF_ID, templateId: TEMPLATE_ID, disableSms: false },
        },
      ],
      { allowDuplicates: true, showMessageList: true },
    );
    const [ours, theirs] = since(fake, start);
    expect([ours!.method, ours!.path]).toEqual(["POST", SEND_PATH]);
    expect([theirs!.method, theirs!.path]).toEqual(["POST", SEND_PATH]);
    expectSameAuthorization(ours!, theirs!);
    const { agent, ...sdkBody } = theirs!.body as Record<string, unknown>;
    expect(agent).toBeDefined(); // SDK telemetry, see the top of this file
    // Same values, not only the same shape: the messages are the same.
    expect(ours!.body).toEqual(sdkBody);
  });

  it("MMS: the storage upload and the message's imageId", async () => {
    const { fake, sdk } = await setup();
    const image = testImage({ bytes: 3_000 });
    const dir = mkdtempSync(join(tmpdir(), "alimi-solapi-"));
    const path = join(dir, image.name);
    writeFileSync(path, image.data);
    const start = fake.requests.length;
    await solapiAdapter.send(account(fake), [
      base("msg_w5", { type: "mms", subject: "신상품", text: "새 상품", images: [image] }),
    ]);
    const uploaded = await sdk.uploadFile(path, "MMS", image.name);
    await sdk.send(
      {
        to: "01012345678",
        from: "0212345678",
        type: "MMS",
        subject: "신상품",
        text: "새 상품",
        imageId: uploaded.fileId,
        customFields: { alimiMessageId: "msg_w5" },
      },
      { allowDuplicates: true, showMessageList: true },
    );
    const [ourUpload, ourSend, sdkUpload, sdkSend] = since(fake, start);
    expect([ourUpload!.path, sdkUpload!.path]).toEqual([STORAGE_PATH, STORAGE_PATH]);
    expectSameAuthorization(ourUpload!, sdkUpload!);
    expect(ourUpload!.body).toEqual(sdkUpload!.body);
    const ourMessage = (ourSend!.body as { messages: Record<string, unknown>[] }).messages[0]!;
    const sdkMessage = (sdkSend!.body as { messages: Record<string, unknown>[] }).messages[0]!;
    expect(shapeOf(ourMessage)).toEqual(shapeOf(sdkMessage));
    expect({ ...ourMessage, imageId: "x" }).toEqual({ ...sdkMessage, imageId: "x" });
    expect(fake.uploads.get(ourMessage.imageId as string)?.type).toBe("MMS");
  });

  it("the message list by ids (poll) and the balance (checkCredentials)", async () => {
    const { fake, sdk } = await setup();
    const [accepted] = await solapiAdapter.send(account(fake), [base("msg_w6", {})]);
    const id = accepted!.outcome === "accepted" ? accepted!.vendorMessageId : "";
    await fake.settled();
    const start = fake.requests.length;
    await solapiAdapter.poll(account(fake), [{ id: "msg_w6", vendorMessageId: id }]);
    const listed = await sdk.getMessages({ messageIds: [id], limit: 100 });
    expect(Object.keys(listed.messageList ?? {})).toEqual([id]);
    await solapiAdapter.checkCredentials(account(fake));
    const balance = await sdk.getBalance();
    expect(balance.balance).toBeTypeOf("number");
    const [ourList, sdkList, ourBalance, sdkBalance] = since(fake, start);
    expect([ourList!.method, ourList!.path, sdkList!.method, sdkList!.path]).toEqual([
      "GET",
      LIST_PATH,
      "GET",
      LIST_PATH,
    ]);
    expectSameAuthorization(ourList!, sdkList!);
    const sorted = (q: URLSearchParams) => [...q].sort();
    expect(sorted(ourList!.query)).toEqual(sorted(sdkList!.query));
    expect([ourBalance!.path, sdkBalance!.path]).toEqual([BALANCE_PATH, BALANCE_PATH]);
    expectSameAuthorization(ourBalance!, sdkBalance!);
  });
});
