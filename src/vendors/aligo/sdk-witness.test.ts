// Aligo's own Node client (`aligoapi`) as an independent witness of the wire
// protocol: for the same messages, aligoapi and our adapter talk to the same
// fake Aligo, and the form each sent is compared field by field.
//
// aligoapi posts to fixed hosts (https://apis.aligo.in, kakaoapi.aligo.in)
// with axios. Its axios is pointed at the fake by axios's own proxy option
// (plain-HTTP proxy): the request still goes over a real socket to the fake,
// which reads the proxy-form target's path.
//
// Differences, each justified:
// - aligoapi sends every request as multipart/form-data (it builds a
//   form-data body whatever the content); we send application/x-www-form-
//   urlencoded except for MMS. Aligo's spec shows urlencoded requests (its
//   curl examples use --data-urlencode) and takes multipart for attachments.
// - aligoapi forwards one image, as `image`; we send `image1`..`image3`, which
//   the spec lists for /send/ ("image1 | 첨부이미지 (image 또는 image1)").
// - aligoapi also posts its own routing field `uri` (the full endpoint URL)
//   among the form fields: it builds the form from its request object and
//   does not strip it. It is not an Aligo parameter (not in the spec); the
//   comparison drops it after checking it names the same endpoint.
// - aligoapi asks for a token at /akv10/token/create/{n}/{unit} without the
//   trailing slash the reference writes; we keep the reference's form.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeAligo,
  startFakeServer,
} from "../../../test/support/vendors/aligo/fake-server.ts";
import {
  API_KEY,
  aligoAccount,
  national,
  outbound,
  USER_ID,
} from "../../../test/support/vendors/aligo/testing.ts";
import { testImage } from "../../../test/support/vendors/images.ts";
import { createAligoAdapter } from "./client.ts";

const require = createRequire(import.meta.url);
type Call = (req: unknown, auth: Record<string, string>) => Promise<Record<string, unknown>>;
const aligoapi = require("aligoapi") as Record<
  "send" | "sendMass" | "token" | "alimtalkSend",
  Call
>;
// The axios aligoapi requires (one copy in node_modules).
const axios = require(require.resolve("axios", { paths: [require.resolve("aligoapi")] })) as {
  defaults: { proxy?: unknown };
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<FakeAligo> {
  const fake = await startFakeServer();
  cleanups.push(fake.close);
  const port = Number(new URL(fake.url).port);
  const before = axios.defaults.proxy;
  axios.defaults.proxy = { protocol: "http:", host: "127.0.0.1", port };
  cleanups.push(() => {
    axios.defaults.proxy = before;
  });
  return fake;
}

/** aligoapi's request object for a JSON body (its formParse reads headers and body). */
const jsonRequest = (body: Record<string, string>) => ({ headers: {}, body });
const SMS_AUTH = { key: API_KEY, user_id: USER_ID };

/** aligoapi's form without its own `uri` field, after checking that it names `endpoint`. */
function withoutUri(form: Record<string, string>, endpoint: string): Record<string, string> {
  const { uri, ...rest } = form;
  expect(uri).toBe(endpoint);
  return rest;
}
const KAKAO_AUTH = { apikey: API_KEY, userid: USER_ID };

describe("aligoapi and our adapter send the same forms", () => {
  it("SMS/LMS through /send_mass/", async () => {
    const fake = await setup();
    const messages = [
      outbound(1, "lms", { subject: "안내", text: "긴 안내 ".repeat(20) }),
      outbound(2, "lms", { subject: "안내", text: "다른 긴 안내 ".repeat(15) }),
    ];
    await createAligoAdapter().send(aligoAccount(fake.url), messages);
    const answer = await aligoapi.sendMass(
      jsonRequest({
        sender: messages[0]!.from,
        cnt: "2",
        msg_type: "LMS",
        title: "안내",
        rec_1: national(1),
        msg_1: messages[0]!.text,
        rec_2: national(2),
        msg_2: messages[1]!.text,
      }),
      SMS_AUTH,
    );
    expect(answer.result_code).toBe("1");
    const [ours, theirs] = fake.received("/send_mass/");
    expect(ours!.form).toEqual(withoutUri(theirs!.form, "https://apis.aligo.in/send_mass/"));
    expect(theirs!.contentType).toMatch(/^multipart\/form-data/);
  });

  it("MMS through /send/: the same fields, the image as image1 (ours) and image (aligoapi)", async () => {
    const fake = await setup();
    const image = testImage({ bytes: 4_000 });
    const message = outbound(3, "mms", {
      subject: "신상품",
      text: "새 상품 안내",
      images: [image],
    });
    await createAligoAdapter().send(aligoAccount(fake.url), [message]);
    // aligoapi forwards a multipart request it receives (its Express-proxy
    // design): a relay server hands it our multipart form with the file.
    const relay = createServer((req, res) => {
      aligoapi.send(req, SMS_AUTH).then(
        (answer) => res.end(JSON.stringify(answer)),
        (err) => res.writeHead(500).end(String(err)),
      );
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => relay.close(() => resolve())));
    const form = new FormData();
    for (const [k, v] of Object.entries({
      sender: message.from,
      receiver: national(3),
      msg: message.text,
      msg_type: "MMS",
      title: "신상품",
    })) {
      form.set(k, v);
    }
    form.set("image", new Blob([image.data], { type: "image/jpeg" }), image.name);
    const relayed = await fetch(`http://127.0.0.1:${(relay.address() as AddressInfo).port}/`, {
      method: "POST",
      body: form,
    });
    expect(((await relayed.json()) as { result_code: string }).result_code).toBe("1");
    const [ours, theirs] = fake.received("/send/");
    expect(ours!.form).toEqual(withoutUri(theirs!.form, "https://apis.aligo.in/send/"));
    expect(ours!.files.image1!.data.equals(theirs!.files.image!.data)).toBe(true);
    expect([ours!.files.image1!.name, ours!.files.image1!.type]).toEqual([
      theirs!.files.image!.name,
      theirs!.files.image!.type,
    ]);
  });

  it("Alimtalk with failover=Y: fsubject_1 with fmessage_1, the rest alike", async () => {
    const fake = await setup();
    const message = outbound(4, "alimtalk", {
      from: "0212345678",
      subject: "가입 안내",
      nativeFallback: { type: "sms", text: "가입을 환영합니다", subject: null },
    });
    await createAligoAdapter().send(aligoAccount(fake.url, { nativeFallback: true }), [message]);
    const [ours] = fake.received("/akv10/alimtalk/send/");
    const issued = await aligoapi.token(jsonRequest({ type: "s", time: "30" }), KAKAO_AUTH);
    expect(issued.code).toBe(0);
    // The fields aligoapi's example documents as required, plus failover's pair.
    const answer = await aligoapi.alimtalkSend(
      jsonRequest({
        senderkey: ours!.form.senderkey!,
        tpl_code: ours!.form.tpl_code!,
        sender: "0212345678",
        receiver_1: national(4),
        subject_1: "가입 안내",
        message_1: message.text,
        failover: "Y",
        fsubject_1: "가입 안내",
        fmessage_1: "가입을 환영합니다",
      }),
      { ...KAKAO_AUTH, token: issued.token as string },
    );
    expect(answer.code).toBe(0);
    const [, theirs] = fake.received("/akv10/alimtalk/send/");
    const { token: ourToken, ...oursRest } = ours!.form;
    const { token: theirToken, ...theirsRest } = withoutUri(
      theirs!.form,
      "https://kakaoapi.aligo.in/akv10/alimtalk/send/",
    );
    expect([typeof ourToken, typeof theirToken]).toEqual(["string", "string"]);
    expect(oursRest).toEqual(theirsRest);
  });
});
