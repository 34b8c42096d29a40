// MMS through NHN: each image goes to /attachfile/binaryUpload once per
// account, and /sender/mms names them in attachFileIdList; the fake refuses
// what NHN refuses (not jpg/jpeg, over 300 KB, unknown ids, over 800 KB).
import { afterEach, describe, expect, it } from "vitest";
import { testTransport } from "../../../test/support/vendor-calls.ts";
import { jpegBytes, PNG_BYTES, testImage } from "../../../test/support/vendors/images.ts";
import {
  FAKE_ALIMTALK,
  FAKE_SMS,
  type FakeNhnServer,
  startFakeServer,
} from "../../../test/support/vendors/nhn/fake-server.ts";
import type { OutboundMessage, VendorAccount } from "../vendor.ts";
import { nhnAdapter } from "./client.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  accountId = "va_nhn_mms",
): Promise<{ fake: FakeNhnServer; account: VendorAccount }> {
  const fake = await startFakeServer();
  cleanups.push(() => fake.close());
  return { fake, account: accountOf(fake, accountId) };
}

const accountOf = (fake: FakeNhnServer, id: string): VendorAccount => ({
  id,
  vendor: "nhn",
  settings: { smsBaseUrl: fake.url, alimtalkBaseUrl: fake.url, timeoutMs: 2_000 },
  credentials: {
    smsAppKey: FAKE_SMS.appKey,
    smsSecretKey: FAKE_SMS.secretKey,
    alimtalkAppKey: FAKE_ALIMTALK.appKey,
    alimtalkSecretKey: FAKE_ALIMTALK.secretKey,
  },
  webhookSecret: "whsec_nhn_mms",
  webhookUrl: "http://127.0.0.1/webhooks/vendors/va_nhn_mms",
  transport: testTransport,
});

let sequence = 0;
const mms = (images: OutboundMessage["images"], to = "+821012345678"): OutboundMessage => ({
  id: `msg_nhn_mms_${++sequence}`,
  to,
  from: "0212345678",
  type: "mms",
  text: "새 상품 안내입니다",
  subject: "신상품",
  alimtalk: null,
  nativeFallback: null,
  images,
  attempt: 1,
});

const uploads = (fake: FakeNhnServer) =>
  fake.received.filter((r) => r.path.endsWith("/attachfile/binaryUpload"));
const mmsSends = (fake: FakeNhnServer) =>
  fake.received.filter((r) => r.path.endsWith("/sender/mms"));

describe("MMS images through NHN's attachments", () => {
  it("uploads each image (base64, .jpg name, createUser) and sends attachFileIdList", async () => {
    const { fake, account } = await setup();
    const images = [testImage(), testImage({ bytes: 8_192 })];
    const [outcome] = await nhnAdapter.send(account, [mms(images)]);
    expect(outcome?.outcome).toBe("accepted");
    const sent = uploads(fake).map((r) => r.body as Record<string, unknown>);
    expect(sent).toHaveLength(2);
    for (const [i, body] of sent.entries()) {
      expect(body.fileBody).toBe(images[i]!.data.toString("base64"));
      expect(body.fileName).toMatch(/^[^/]{1,41}\.jpg$/);
      expect(body.createUser).toBe("alimi");
    }
    const [send] = mmsSends(fake);
    expect((send!.body as Record<string, unknown>).attachFileIdList).toEqual([1, 2]);
    expect(fake.records[0]?.attachFileIds).toEqual([1, 2]);
  });

  it("uploads an image once per account across messages and batches", async () => {
    const { fake, account } = await setup();
    const image = testImage();
    await nhnAdapter.send(account, [mms([image], "+821011110001"), mms([image], "+821011110002")]);
    await nhnAdapter.send(account, [mms([image], "+821011110003")]);
    expect(uploads(fake)).toHaveLength(1);
    await nhnAdapter.send(accountOf(fake, "va_nhn_other"), [mms([image], "+821011110004")]);
    expect(uploads(fake)).toHaveLength(2);
  });

  it("messages with the same text but other images go in separate requests", async () => {
    const { fake, account } = await setup();
    await nhnAdapter.send(account, [mms([testImage()]), mms([testImage()], "+821022220002")]);
    expect(
      mmsSends(fake).map((r) => (r.body as { attachFileIdList: number[] }).attachFileIdList),
    ).toEqual([[1], [2]]);
  });

  it("an image NHN refuses (over 300 KB) rejects its message with NHN's code", async () => {
    const { fake, account } = await setup();
    const [outcome] = await nhnAdapter.send(account, [
      mms([testImage({ data: jpegBytes(301 * 1024) })]),
    ]);
    expect(outcome).toMatchObject({
      outcome: "rejected",
      error: { code: "CONTENT_REJECTED", rawCode: "-2005" },
    });
    expect(mmsSends(fake)).toHaveLength(0);
  });

  it("the fake takes JPEG only (−2003), as NHN documents", async () => {
    const { account } = await setup();
    const [outcome] = await nhnAdapter.send(account, [mms([testImage({ data: PNG_BYTES })])]);
    expect(outcome).toMatchObject({ outcome: "rejected", error: { rawCode: "-2003" } });
  });

  it("an MMS without images, or with more than 800 KB of them, is refused before NHN", async () => {
    const { fake, account } = await setup();
    const big = () => testImage({ data: jpegBytes(290 * 1024) });
    const [none, heavy] = await nhnAdapter.send(account, [mms([]), mms([big(), big(), big()])]);
    expect(none).toMatchObject({ outcome: "rejected", error: { rawCode: "images.missing" } });
    expect(heavy).toMatchObject({ outcome: "rejected", error: { rawCode: "images.total" } });
    expect(fake.received).toHaveLength(0);
  });

  it("the fake refuses attachFileIdList ids it never issued", async () => {
    const { fake } = await setup();
    const response = await fetch(`${fake.url}/sms/v3.0/appKeys/${FAKE_SMS.appKey}/sender/mms`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-secret-key": FAKE_SMS.secretKey },
      body: JSON.stringify({
        title: "t",
        body: "b",
        sendNo: "0212345678",
        attachFileIdList: [42],
        recipientList: [{ recipientNo: "01012345678" }],
      }),
    });
    const answer = (await response.json()) as {
      header: { isSuccessful: boolean; resultCode: number };
    };
    expect(answer.header).toMatchObject({ isSuccessful: false, resultCode: -2005 });
  });
});
