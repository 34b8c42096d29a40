// Templates reviewed by the organization's Alimtalk vendor, end to end against
// the fake SOLAPI and the fake NHN over real HTTP: a review request registers
// the template there, the poller (and a stale read) follows the vendor's
// answers and comments, a rejected template is changed in place and
// inspected again, the operator cannot decide it, and once approved it is
// sent, its button links filled in per message and, for SOLAPI, named by
// the id SOLAPI gave it.
import { describe, expect, it } from "vitest";
import { pollDueReviews } from "../src/modules/templates/index.ts";
import type { WireSendRequest } from "../src/vendors/solapi/wire.ts";
import { templateReviewers } from "../src/vendors/template-reviewers.ts";
import { createSendingOrg, platformKey } from "./app.ts";
import { engine } from "./db.ts";
import { startPipeline, waitForCompletion } from "./pipeline.ts";
import {
  FAKE_ALIMTALK,
  FAKE_SMS,
  startFakeServer as startNhn,
} from "./support/vendors/nhn/fake-server.ts";
import {
  FAKE_API_KEY,
  FAKE_API_SECRET,
  type FakeSolapiOptions,
  startFakeServer as startSolapi,
} from "./support/vendors/solapi/fake-server.ts";
import { routeAllTo } from "./vendor-e2e.ts";

const TEMPLATE = {
  body: "#{name}님, 주문 #{orderNo}이 접수되었습니다.",
  buttons: [
    { type: "WL", name: "주문 보기", linkMobile: "https://shop.example.com/o/#{orderNo}" },
    { type: "DS", name: "배송 조회" },
  ],
  fallback: { text: "#{name}님 주문 #{orderNo} 접수" },
};

describe(`templates reviewed by the vendor on ${engine}`, async () => {
  const pipeline = await startPipeline({ pollAfterMs: 60_000, directoryTtlMs: 0 });
  const { app, db, directory } = pipeline;
  const operator = await platformKey(db);
  /** One round of the review poller, as if `minutes` had passed. */
  const poll = (minutes: number) =>
    pollDueReviews(
      {
        db,
        directory,
        reviewers: templateReviewers,
        now: () => new Date(Date.now() + minutes * 60_000),
      },
      { limit: 50 },
    );
  type Headers = Record<string, string>;
  const call = (
    headers: Headers,
    method: "GET" | "POST" | "PATCH",
    url: string,
    payload?: object,
  ) => app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  describe("SOLAPI", async () => {
    const fakeOptions: FakeSolapiOptions = { reportDelayMs: 10 };
    const solapi = await startSolapi(fakeOptions);
    const shop = await createSendingOrg(db, { credits: 1000, name: "SOLAPI shop" });
    const created = await call(shop.auth, "POST", "/v1/vendor-accounts", {
      vendor: "solapi",
      name: "SOLAPI",
      credentials: { apiKey: FAKE_API_KEY, apiSecret: FAKE_API_SECRET },
      settings: { baseUrl: solapi.url, pfId: "KA01PF-SHOP" },
    });
    const account = created.json();
    fakeOptions.webhookUrl = account.webhookUrl;
    await routeAllTo(app, shop.auth, shop.orgId, account.id);
    const template = (code = "TRACK_001") => call(shop.auth, "GET", `/v1/templates/${code}`);
    const action = (verb: string, headers: Headers = shop.auth, payload?: object) =>
      call(headers, "POST", `/v1/templates/TRACK_001/${verb}`, payload);

    it("registers the template with SOLAPI and has it inspected; nothing changes when SOLAPI fails", async () => {
      expect(created.statusCode, created.body).toBe(201);
      expect(
        (await call(shop.auth, "POST", "/v1/templates", { code: "TRACK_001", ...TEMPLATE }))
          .statusCode,
      ).toBe(201);
      solapi.failNext(1, "5xx");
      const down = await action("request-review");
      expect(down.statusCode).toBe(503);
      expect(down.json().error.code).toBe("UNAVAILABLE");
      expect((await template()).json()).toMatchObject({ status: "draft", review: null });

      const requested = await action("request-review");
      expect(requested.statusCode, requested.body).toBe(200);
      expect(requested.json()).toMatchObject({
        status: "inspecting",
        review: {
          reviewer: "vendor",
          vendorAccountId: account.id,
          vendorTemplateId: expect.stringMatching(/^KA01TP/),
          vendorStatus: "INSPECTING",
        },
      });
      const id = requested.json().review.vendorTemplateId as string;
      expect(solapi.templates.byId.get(id)).toMatchObject({
        name: "TRACK_001",
        channelId: "KA01PF-SHOP",
        content: TEMPLATE.body,
        buttons: [
          {
            buttonType: "WL",
            buttonName: "주문 보기",
            linkMo: "https://shop.example.com/o/#{orderNo}",
          },
          { buttonType: "DS", buttonName: "배송 조회" },
        ],
      });
      const audit = await call(shop.auth, "GET", `/v1/audit?targetId=${requested.json().id}`);
      expect(audit.json().data[0]).toMatchObject({
        action: "template.review_requested",
        details: { reviewer: "solapi", vendorTemplateId: id },
      });
    });

    it("is SOLAPI's to decide: the operator cannot, and it is not sent meanwhile", async () => {
      const approve = await action("approve", { ...operator.auth, "x-alimi-org": shop.orgId });
      expect(approve.statusCode).toBe(409);
      expect(approve.json().error).toMatchObject({
        message: expect.stringContaining("reviewed by SOLAPI"),
        details: [{ code: "REVIEWED_BY_VENDOR" }],
      });
      const sent = await call(shop.auth, "POST", "/v1/messages", {
        template: { code: "TRACK_001", variables: { orderNo: "A-1" } },
        recipients: [{ to: "010-1234-5678", variables: { name: "홍길동" } }],
      });
      expect(sent.statusCode).toBe(409);
      expect(sent.json().error.code).toBe("TEMPLATE_NOT_APPROVED");
    });

    it("follows a rejection and its comment; a changed template is inspected again in place", async () => {
      const id = (await template()).json().review.vendorTemplateId as string;
      // Not due yet: the poller leaves it.
      expect(await poll(0)).toBe(0);
      solapi.templates.decide(id, "REJECTED", "버튼명이 내용과 맞지 않습니다.");
      expect(await poll(2)).toBe(1);
      const rejected = (await template()).json();
      expect(rejected).toMatchObject({
        status: "rejected",
        review: { vendorStatus: "REJECTED", reviewedAt: expect.any(String) },
      });
      // Decided: the poller asks no more.
      expect(await poll(10)).toBe(0);
      const comments = await call(shop.auth, "GET", "/v1/templates/TRACK_001/comments");
      expect(comments.json().data).toEqual([
        {
          id: expect.stringMatching(/^tcm_/),
          source: "vendor",
          author: "KAKAO-REVIEWER",
          body: "버튼명이 내용과 맞지 않습니다.",
          status: "REVIEWER",
          createdAt: expect.any(String),
        },
      ]);

      const changed = await call(shop.auth, "PATCH", "/v1/templates/TRACK_001", {
        buttons: [
          { type: "WL", name: "주문 확인", linkMobile: "https://shop.example.com/o/#{orderNo}" },
        ],
      });
      expect(changed.json().status).toBe("draft");
      const before = solapi.requests.length;
      const again = await action("request-review");
      expect(again.json()).toMatchObject({
        status: "inspecting",
        review: { vendorTemplateId: id },
      });
      expect(solapi.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
        `PUT /kakao/v2/templates/${id}`,
        `PUT /kakao/v2/templates/${id}/inspection`,
      ]);
      // The comment is kept once, however often it is read.
      await db.query("update templates set review_next_check_at = now() where code = 'TRACK_001'");
      await poll(2);
      expect(
        (await call(shop.auth, "GET", "/v1/templates/TRACK_001/comments")).json().data,
      ).toHaveLength(1);
    });

    it("is approved when a stale read asks SOLAPI, then sent under SOLAPI's id with its links filled in", async () => {
      const id = (await template()).json().review.vendorTemplateId as string;
      solapi.templates.decide(id, "APPROVED");
      // Read just now: the answer stands.
      expect((await template()).json().status).toBe("inspecting");
      await db.query(
        "update templates set review_checked_at = now() - interval '5 minutes' where code = 'TRACK_001'",
      );
      const approved = (await template()).json();
      expect(approved).toMatchObject({ status: "approved", review: { vendorStatus: "APPROVED" } });

      const sent = await call(shop.auth, "POST", "/v1/messages", {
        template: { code: "TRACK_001", variables: { orderNo: "A-1001" } },
        recipients: [
          { to: "010-1234-5678", variables: { name: "홍길동" } },
          { to: "010-2345-6789", variables: { name: "김철수", orderNo: "B 2002" } },
        ],
      });
      expect(sent.statusCode, sent.body).toBe(202);
      await waitForCompletion(db, sent.json().campaignId);
      const messages = solapi.requests
        .filter((r) => r.path === "/messages/v4/send-many/detail")
        .flatMap((r) => (r.body as WireSendRequest).messages);
      const byTo = new Map(messages.map((m) => [m.to, m]));
      expect(byTo.get("01012345678")).toMatchObject({
        type: "ATA",
        text: "홍길동님, 주문 A-1001이 접수되었습니다.",
        kakaoOptions: {
          pfId: "KA01PF-SHOP",
          templateId: id,
          buttons: [
            {
              buttonType: "WL",
              buttonName: "주문 확인",
              linkMo: "https://shop.example.com/o/A-1001",
            },
          ],
        },
      });
      expect(byTo.get("01023456789")?.kakaoOptions?.buttons?.[0]?.linkMo).toBe(
        "https://shop.example.com/o/B%202002",
      );
    });
    it("puts back a submission that never finished, and asks an unreachable SOLAPI again later", async () => {
      for (const code of ["CRASHED_1", "OUTAGE_1"]) {
        const made = await call(shop.auth, "POST", "/v1/templates", { code, body: "안내입니다." });
        expect(made.statusCode).toBe(201);
      }
      // Claimed for SOLAPI 20 minutes ago, but no answer was ever recorded (the process stopped).
      await db.query(
        `update templates set status = 'requested', review_account_id = $1,
           requested_at = now() - interval '20 minutes',
           review_next_check_at = now() - interval '10 minutes'
         where code = 'CRASHED_1'`,
        [account.id],
      );
      expect(await poll(0)).toBe(1);
      expect((await template("CRASHED_1")).json()).toMatchObject({ status: "draft", review: null });

      const requested = await call(shop.auth, "POST", "/v1/templates/OUTAGE_1/request-review");
      expect(requested.json().status).toBe("inspecting");
      solapi.failNext(1, "5xx");
      expect(await poll(2)).toBe(1);
      const after = await db.query<{ status: string; next: Date }>(
        "select status, review_next_check_at as next from templates where code = 'OUTAGE_1'",
      );
      expect(after.rows[0]!.status).toBe("inspecting");
      // Asked again a minute or more from the failed round, not at once.
      expect(after.rows[0]!.next.getTime()).toBeGreaterThan(Date.now() + 2 * 60_000);
    });
  });

  describe("NHN Cloud", async () => {
    const nhn = await startNhn();
    const shop = await createSendingOrg(db, { credits: 1000, name: "NHN shop" });
    const created = await call(shop.auth, "POST", "/v1/vendor-accounts", {
      vendor: "nhn",
      name: "NHN Cloud",
      credentials: {
        smsAppKey: FAKE_SMS.appKey,
        smsSecretKey: FAKE_SMS.secretKey,
        alimtalkAppKey: FAKE_ALIMTALK.appKey,
        alimtalkSecretKey: FAKE_ALIMTALK.secretKey,
      },
      settings: { smsBaseUrl: nhn.url, alimtalkBaseUrl: nhn.url, senderKey: "nhn-sender-key-01" },
    });
    await routeAllTo(app, shop.auth, shop.orgId, created.json().id);
    const template = (code: string) => call(shop.auth, "GET", `/v1/templates/${code}`);

    it("refuses what NHN would refuse, changing nothing", async () => {
      expect(created.statusCode, created.body).toBe(201);
      const code = "A_CODE_LONGER_THAN_20";
      expect(
        (await call(shop.auth, "POST", "/v1/templates", { code, body: "안내" })).statusCode,
      ).toBe(201);
      const refused = await call(shop.auth, "POST", `/v1/templates/${code}/request-review`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toMatchObject({
        code: "CONFLICT",
        message: expect.stringContaining("NHN Cloud refused the template"),
        details: [{ code: "VENDOR_REFUSED", vendorCode: "templateCode" }],
      });
      expect((await template(code)).json()).toMatchObject({ status: "draft", review: null });
    });

    it("registers it under the sender key, follows NHN to approval, and sends it", async () => {
      expect(
        (await call(shop.auth, "POST", "/v1/templates", { code: "NHN_ORDER", ...TEMPLATE }))
          .statusCode,
      ).toBe(201);
      const requested = await call(shop.auth, "POST", "/v1/templates/NHN_ORDER/request-review");
      expect(requested.json()).toMatchObject({
        status: "requested",
        review: { reviewer: "vendor", vendorTemplateId: "NHN_ORDER", vendorStatus: "TSC01" },
      });
      expect(nhn.templates.byKey.get("nhn-sender-key-01/NHN_ORDER")).toMatchObject({
        templateContent: TEMPLATE.body,
        buttons: [
          { ordering: 1, type: "WL", linkMo: "https://shop.example.com/o/#{orderNo}" },
          { ordering: 2, type: "DS" },
        ],
      });
      nhn.templates.advance("NHN_ORDER", "TSC02");
      await poll(2);
      expect((await template("NHN_ORDER")).json().status).toBe("inspecting");
      nhn.templates.advance("NHN_ORDER", "TSC03", "승인되었습니다.");
      await poll(4);
      expect((await template("NHN_ORDER")).json()).toMatchObject({
        status: "approved",
        review: { vendorStatus: "TSC03" },
      });
      const comments = (await call(shop.auth, "GET", "/v1/templates/NHN_ORDER/comments")).json();
      expect(comments.data).toEqual([
        expect.objectContaining({ source: "vendor", body: "승인되었습니다.", status: "APR" }),
      ]);

      const sent = await call(shop.auth, "POST", "/v1/messages", {
        template: { code: "NHN_ORDER", variables: { orderNo: "N-77" } },
        recipients: [{ to: "010-1234-5678", variables: { name: "홍길동" } }],
      });
      expect(sent.statusCode, sent.body).toBe(202);
      const campaignId = sent.json().campaignId as string;
      for (let i = 0; i < 250; i++) {
        const r = await db.query<{ n: number }>(
          "select count(*)::int as n from messages where campaign_id = $1 and status in ('queued', 'sending')",
          [campaignId],
        );
        if (r.rows[0]?.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const raw = nhn.received.filter((r) => r.path.endsWith("/raw-messages"));
      expect(raw).toHaveLength(1);
      expect(raw[0]!.body).toMatchObject({
        senderKey: "nhn-sender-key-01",
        templateCode: "NHN_ORDER",
        recipientList: [
          {
            content: "홍길동님, 주문 N-77이 접수되었습니다.",
            buttons: [
              expect.objectContaining({ type: "WL", linkMo: "https://shop.example.com/o/N-77" }),
              expect.objectContaining({ type: "DS" }),
            ],
          },
        ],
      });
    });
  });
});
