// No secret reaches the log. A whole vendor run — SOLAPI, NHN, Aligo and the
// sandbox, each connected over the API, sending a campaign and settling it
// through webhooks or polling — is logged at trace level into a buffer, and
// every secret the run used is looked for in every line: API keys, vendor
// credentials, webhook signing secrets and path tokens, the platform's own.
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createSecretBox } from "../src/lib/secret-box.ts";
import { createSendingOrg, type TestOrg } from "./app.ts";
import { engine } from "./db.ts";
import { startPipeline, waitForCompletion } from "./pipeline.ts";
import { startFakeServer as startAligo } from "./support/vendors/aligo/fake-server.ts";
import {
  FAKE_ALIMTALK,
  FAKE_SMS,
  type FakeNhnOptions,
  startFakeServer as startNhn,
} from "./support/vendors/nhn/fake-server.ts";
import {
  FAKE_API_KEY,
  FAKE_API_SECRET,
  type FakeSolapiOptions,
  startFakeServer as startSolapi,
} from "./support/vendors/solapi/fake-server.ts";
import { createOrderTemplate, orderSender, routeAllTo } from "./vendor-e2e.ts";

const NHN_SIGNATURE = "nhn-signature-string-for-logs-01";
const ALIGO_KEY = "aligo-api-key-for-logs-0001";
const ALIGO_USER = "aligo-user-for-logs";

describe(`secrets in logs, on ${engine}`, async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const secretKey = randomBytes(32);
  const pipeline = await startPipeline({
    logger: pino({ level: "trace" }, sink),
    secretKey,
    pollAfterMs: 500,
    expireAfterMs: 20_000,
  });
  const { app, db } = pipeline;

  const solapiOptions: FakeSolapiOptions = { reportDelayMs: 20 };
  const solapi = await startSolapi(solapiOptions);
  const nhnOptions: FakeNhnOptions = {};
  const nhn = await startNhn(nhnOptions);
  const aligo = await startAligo({ apiKey: ALIGO_KEY, userId: ALIGO_USER });

  const connect = async (org: TestOrg, payload: Record<string, unknown>) => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/vendor-accounts",
      headers: org.auth,
      payload,
    });
    expect(res.statusCode).toBe(201);
    const account = res.json() as { id: string; webhookUrl: string | null };
    await routeAllTo(app, org.auth, org.orgId, account.id);
    return account;
  };
  const orgFor = async (name: string) => {
    const org = await createSendingOrg(db, { name, credits: 1000 });
    await createOrderTemplate(db, org.orgId);
    return org;
  };
  const recipients = [
    { to: "010-1234-5678", name: "홍길동" },
    { to: "010-2345-6789", name: "김철수" },
  ];

  it("a SOLAPI, NHN, Aligo and sandbox run logs none of the secrets it used", async () => {
    const viaSolapi = await orgFor("SOLAPI shop");
    const solapiAccount = await connect(viaSolapi, {
      vendor: "solapi",
      name: "SOLAPI",
      credentials: { apiKey: FAKE_API_KEY, apiSecret: FAKE_API_SECRET },
      settings: { baseUrl: solapi.url, pfId: "KA01PF01", templateIds: { ORDER_001: "KA01TP01" } },
    });
    solapiOptions.webhookUrl = solapiAccount.webhookUrl ?? undefined;

    const viaNhn = await orgFor("NHN shop");
    const nhnAccount = await connect(viaNhn, {
      vendor: "nhn",
      name: "NHN",
      credentials: {
        smsAppKey: FAKE_SMS.appKey,
        smsSecretKey: FAKE_SMS.secretKey,
        alimtalkAppKey: FAKE_ALIMTALK.appKey,
        alimtalkSecretKey: FAKE_ALIMTALK.secretKey,
        webhookSignatureKey: NHN_SIGNATURE,
      },
      settings: { smsBaseUrl: nhn.url, alimtalkBaseUrl: nhn.url, senderKey: "nhn-sender-01" },
    });
    nhnOptions.webhook = { url: nhnAccount.webhookUrl ?? "", signature: NHN_SIGNATURE };

    const viaAligo = await orgFor("Aligo shop");
    await connect(viaAligo, {
      vendor: "aligo",
      name: "Aligo",
      credentials: { apiKey: ALIGO_KEY, userId: ALIGO_USER },
      settings: { smsBaseUrl: aligo.url, kakaoBaseUrl: aligo.url, senderKey: "aligo-sender-01" },
    });
    const viaSandbox = await orgFor("Sandbox shop");

    const campaigns = {
      solapi: await orderSender(app, viaSolapi.auth)(recipients),
      nhn: await orderSender(app, viaNhn.auth)(recipients),
      aligo: await orderSender(app, viaAligo.auth)(recipients),
      sandbox: await orderSender(app, viaSandbox.auth)(recipients),
    };
    // NHN reports when told to; the others on their own (webhooks or polls).
    for (;;) {
      const r = await db.query<{ n: number }>(
        "select count(*)::int as n from messages where campaign_id = $1 and status in ('queued', 'sending')",
        [campaigns.nhn],
      );
      if (r.rows[0]?.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    nhn.complete();
    expect(await nhn.postReports()).toEqual([200]);
    for (const id of Object.values(campaigns)) await waitForCompletion(db, id, 30_000);
    expect(solapi.posts.length).toBeGreaterThan(0);
    expect(solapi.posts.every((p) => p.status === 200)).toBe(true);

    // Failed attempts carry secrets too: a wrong key, a wrong path token, query secrets.
    const wrongKey = `ak_${randomBytes(16).toString("hex")}`;
    const refused = await app.inject({
      method: "GET",
      url: "/v1/credits",
      headers: { authorization: `Bearer ${wrongKey}` },
    });
    expect(refused.statusCode).toBe(401);
    const wrongToken = randomBytes(18).toString("base64url");
    const querySecret = randomBytes(12).toString("hex");
    const forged = await fetch(
      `${pipeline.url}/webhooks/vendors/${solapiAccount.id}/${wrongToken}?token=${querySecret}&key=${querySecret}`,
      { method: "POST", headers: { "content-type": "application/json" }, body: "[]" },
    );
    expect(forged.status).toBe(401);
    // A token sent to a path no route matches (a URL pasted with a slash too many).
    const misrouted = await fetch(
      `${pipeline.url}/webhooks/vendors/${solapiAccount.id}/${wrongToken}/`,
      { method: "POST", headers: { "content-type": "application/json" }, body: "[]" },
    );
    expect(misrouted.status).toBe(404);
    const lost = await fetch(`${pipeline.url}/nowhere?signature=${querySecret}`, {
      headers: { authorization: `Bearer ${viaSandbox.apiKey}`, cookie: `session=${querySecret}` },
    });
    expect(lost.status).toBe(404);

    // Every secret the run used: the keys, and every account's stored secrets.
    const box = createSecretBox(secretKey);
    const accounts = await db.query<{ credentials: string; webhookSecret: string }>(
      `select credentials_enc as credentials, webhook_secret_enc as "webhookSecret" from vendor_accounts`,
    );
    const secrets = new Set<string>([
      ...[viaSolapi, viaNhn, viaAligo, viaSandbox].map((o) => o.apiKey),
      wrongKey,
      wrongToken,
      querySecret,
      NHN_SIGNATURE,
    ]);
    for (const a of accounts.rows) {
      secrets.add(box.open(a.webhookSecret));
      for (const value of Object.values(JSON.parse(box.open(a.credentials)) as object)) {
        secrets.add(String(value));
      }
    }
    expect(accounts.rows).toHaveLength(4);
    const solapiToken = solapiAccount.webhookUrl?.split("/").at(-1) ?? "";
    expect(secrets).toContain(solapiToken);

    // The log is there, and has the requests that carried the secrets.
    (await import("node:fs")).writeFileSync("/tmp/http-log-lines.txt", lines.join("\n"));
    expect(lines.length).toBeGreaterThan(20);
    const urls = lines.map((l) => JSON.parse(l)?.req?.url).filter(Boolean);
    expect(urls).toContain(`/webhooks/vendors/${solapiAccount.id}/[redacted]`);
    const leaks = lines.flatMap((line) =>
      [...secrets].filter((s) => line.includes(s)).map((s) => ({ secret: s, line })),
    );
    expect(leaks).toEqual([]);
    await Promise.all([solapi.close(), nhn.close(), aligo.close()]);
  });
});
