// The adapter's poll, report endpoint and credentials check against the fake Aligo.
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeAligoOptions,
  startFakeServer,
} from "../../../test/support/vendors/aligo/fake-server.ts";
import {
  API_KEY,
  aligoAccount,
  closedPortUrl,
  idsOf,
  national,
  outbound,
  USER_ID,
} from "../../../test/support/vendors/aligo/testing.ts";
import { AppError } from "../../lib/errors.ts";
import type { VendorAccount } from "../vendor.ts";
import { NO_PUSH_REPORTS } from "./callback.ts";
import { createAligoAdapter } from "./client.ts";

// The fake server's clock: every result is dated then (Korean time).
const NOW = Date.parse("2026-03-29T02:54:45+09:00");
const AT = new Date(NOW);

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fake(options: FakeAligoOptions = {}) {
  const server = await startFakeServer({ now: () => NOW, ...options });
  servers.push(server);
  return server;
}

async function sendAndAsk(account: VendorAccount, messages: ReturnType<typeof outbound>[]) {
  const adapter = createAligoAdapter();
  const ids = idsOf(await adapter.send(account, messages));
  const asked = messages.flatMap((m) => {
    const vendorMessageId = ids.get(m.id);
    return vendorMessageId === undefined ? [] : [{ id: m.id, vendorMessageId }];
  });
  return { adapter, ids, asked };
}

describe("poll: SMS/LMS/MMS results from /sms_list/", () => {
  it("reports final results per receiver, nothing for pending or refused ones", async () => {
    const server = await fake({
      behaviours: {
        [national(2)]: "failed",
        [national(3)]: "pending",
        [national(4)]: "refused",
      },
    });
    const account = aligoAccount(server.url);
    const messages = [1, 2, 3, 4].map((i) => outbound(i, "lms"));
    const { adapter, ids, asked } = await sendAndAsk(account, messages);
    const { reports } = await adapter.poll(account, asked);

    expect(reports).toEqual([
      {
        vendorMessageId: ids.get(messages[0]!.id),
        messageId: messages[0]!.id,
        status: "delivered",
        type: "lms",
        fallbackOf: null,
        error: null,
        at: AT,
        raw: expect.objectContaining({ receiver: national(1), sms_state: "발송완료" }),
      },
      {
        vendorMessageId: ids.get(messages[1]!.id),
        messageId: messages[1]!.id,
        status: "failed",
        type: "lms",
        fallbackOf: null,
        error: { code: "INVALID_NUMBER", rawCode: "가입자없음", message: "가입자없음" },
        at: AT,
        raw: expect.objectContaining({ receiver: national(2) }),
      },
    ]);
    expect(server.received("/sms_list/").map((r) => r.form)).toEqual([
      {
        key: API_KEY,
        user_id: USER_ID,
        userid: USER_ID,
        mid: "583009869",
        page: "1",
        page_size: "500",
      },
    ]);
  });

  it("reports late results once Aligo has them", async () => {
    const server = await fake({ behaviours: { [national(1)]: "late" } });
    const account = aligoAccount(server.url);
    const { adapter, asked } = await sendAndAsk(account, [outbound(1, "sms")]);

    expect(await adapter.poll(account, asked)).toEqual({ reports: [] });
    server.release();
    const { reports } = await adapter.poll(account, asked);
    expect(reports.map((r) => [r.vendorMessageId, r.status])).toEqual([
      [asked[0]!.vendorMessageId, "delivered"],
    ]);
  });

  it("follows next_yn through the pages and asks once per mid", async () => {
    const server = await fake({ pageSizeCap: 2 });
    const account = aligoAccount(server.url);
    const messages = [1, 2, 3, 4, 5].map((i) => outbound(i, "sms"));
    const { adapter, asked } = await sendAndAsk(account, messages);
    const { reports } = await adapter.poll(account, asked);

    expect(reports.map((r) => r.messageId)).toEqual(messages.map((m) => m.id));
    expect(server.received("/sms_list/").map((r) => r.form.page)).toEqual(["1", "2", "3"]);
  });

  it("ignores ids it never issued, without asking Aligo", async () => {
    const server = await fake();
    const { reports } = await createAligoAdapter().poll(aligoAccount(server.url), [
      { id: "msg_x", vendorMessageId: "sbx_123" },
      { id: "msg_y", vendorMessageId: "sms:12:not-a-number" },
    ]);
    expect(reports).toEqual([]);
    expect(server.requests).toEqual([]);
  });
});

describe("poll: Alimtalk results from /akv10/history/detail/", () => {
  it("reports delivered and failed Alimtalk, and Aligo's own fallback as its own report", async () => {
    const server = await fake({
      behaviours: {
        [national(2)]: "failed",
        [national(3)]: "notKakao",
        [national(4)]: "notKakao",
        [national(5)]: "pending",
      },
    });
    const account = aligoAccount(server.url, { nativeFallback: true });
    const messages = [
      outbound(1, "alimtalk"),
      outbound(2, "alimtalk"),
      outbound(3, "alimtalk", {
        nativeFallback: { type: "lms", text: "대체 장문 ".repeat(12), subject: "안내" },
      }),
      outbound(4, "alimtalk", {
        nativeFallback: { type: "sms", text: "대체 단문", subject: null },
      }),
      outbound(5, "alimtalk"),
    ];
    const { adapter, ids, asked } = await sendAndAsk(account, messages);
    const { reports } = await adapter.poll(account, asked);

    const vid = (i: number) => ids.get(messages[i]!.id)!;
    expect(
      reports.map((r) => [r.vendorMessageId, r.messageId, r.type, r.status, r.fallbackOf, r.error]),
    ).toEqual([
      [vid(0), messages[0]!.id, "alimtalk", "delivered", null, null],
      [
        vid(1),
        messages[1]!.id,
        "alimtalk",
        "failed",
        null,
        { code: "TEMPLATE_MISMATCH", rawCode: "U", message: "메시지가 템플릿과 일치하지않음" },
      ],
      [
        vid(2),
        messages[2]!.id,
        "alimtalk",
        "failed",
        null,
        { code: "NOT_KAKAO_USER", rawCode: "3019", message: "카카오톡 미사용자입니다." },
      ],
      [`${vid(2)}:fallback`, null, "lms", "delivered", vid(2), null],
      [
        vid(3),
        messages[3]!.id,
        "alimtalk",
        "failed",
        null,
        { code: "NOT_KAKAO_USER", rawCode: "3019", message: "카카오톡 미사용자입니다." },
      ],
      [`${vid(3)}:fallback`, null, "sms", "delivered", vid(3), null],
    ]);
    expect(reports.every((r) => r.at.getTime() === NOW)).toBe(true);
    // The two failovers and the plain requests are separate sends (failover is per request).
    expect(server.received("/akv10/alimtalk/send/").map((r) => r.form.failover ?? "N")).toEqual([
      "N",
      "Y",
    ]);
    const detail = server.received("/akv10/history/detail/").map((r) => r.form);
    expect(detail.map((f) => f.mid).sort()).toEqual(["336962435", "336962436"]);
    expect(detail[0]).toEqual({
      apikey: API_KEY,
      userid: USER_ID,
      token: expect.stringMatching(/^[0-9a-f]{32}$/),
      mid: detail[0]!.mid,
      page: "1",
      limit: "500",
    });
    // Each fallback's own mid (smid) was read from /sms_list/.
    expect(server.received("/sms_list/")).toHaveLength(2);
  });

  it("answers for the fallback's own id with the fallback's report only", async () => {
    const server = await fake({ behaviours: { [national(1)]: "notKakao" } });
    const account = aligoAccount(server.url, { nativeFallback: true });
    const m = outbound(1, "alimtalk", {
      nativeFallback: { type: "sms", text: "대체", subject: null },
    });
    const { adapter, ids } = await sendAndAsk(account, [m]);
    const alimtalkId = ids.get(m.id)!;
    const { reports } = await adapter.poll(account, [
      { id: "msg_fallback", vendorMessageId: `${alimtalkId}:fallback` },
    ]);
    expect(reports).toEqual([
      {
        vendorMessageId: `${alimtalkId}:fallback`,
        messageId: null,
        status: "delivered",
        type: "sms",
        fallbackOf: alimtalkId,
        error: null,
        at: AT,
        raw: expect.objectContaining({ receiver: national(1), sms_state: "발송완료" }),
      },
    ]);
  });

  it("reports a failed Alimtalk without a fallback report when Aligo sent none", async () => {
    const server = await fake({ behaviours: { [national(1)]: "notKakao" } });
    const account = aligoAccount(server.url);
    const { adapter, asked } = await sendAndAsk(account, [outbound(1, "alimtalk")]);
    const { reports } = await adapter.poll(account, asked);
    expect(reports.map((r) => [r.status, r.fallbackOf])).toEqual([["failed", null]]);
    expect(server.received("/sms_list/")).toEqual([]);
  });

  it("follows totalPage through the detail pages", async () => {
    const server = await fake({ pageSizeCap: 2 });
    const account = aligoAccount(server.url);
    const messages = [1, 2, 3].map((i) => outbound(i, "alimtalk"));
    const { adapter, asked } = await sendAndAsk(account, messages);
    const { reports } = await adapter.poll(account, asked);
    expect(reports.map((r) => r.messageId)).toEqual(messages.map((m) => m.id));
    expect(server.received("/akv10/history/detail/").map((r) => r.form.page)).toEqual(["1", "2"]);
  });

  it("asks without a token when the account turns tokens off", async () => {
    const server = await fake({ requireToken: false });
    const account = aligoAccount(server.url, { kakaoUseToken: false });
    const { adapter, asked } = await sendAndAsk(account, [outbound(1, "alimtalk")]);
    const { reports } = await adapter.poll(account, asked);
    expect(reports).toHaveLength(1);
    expect(server.received("/akv10/history/detail/")[0]!.form.token).toBeUndefined();
    expect(server.tokensIssued()).toBe(0);
  });
});

describe("poll: when Aligo cannot be asked", () => {
  it("throws a retryable UNAVAILABLE on a 5xx and when nothing listens", async () => {
    const server = await fake();
    const account = aligoAccount(server.url);
    const { adapter, asked } = await sendAndAsk(account, [outbound(1, "sms")]);
    server.failNext(1, "5xx");
    await expect(adapter.poll(account, asked)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      retryable: true,
      message: "Aligo poll failed: Aligo answered HTTP 503",
    });
    const closed = aligoAccount(await closedPortUrl());
    const poll = adapter.poll(closed, asked);
    await expect(poll).rejects.toBeInstanceOf(AppError);
    await expect(poll).rejects.toMatchObject({ code: "UNAVAILABLE", retryable: true });
  });

  it("throws a permanent UNAVAILABLE when Aligo refuses the credentials", async () => {
    const server = await fake({ apiKey: "another-key" });
    const poll = createAligoAdapter().poll(aligoAccount(server.url), [
      { id: "m1", vendorMessageId: `sms:583009869:${national(1)}` },
    ]);
    await expect(poll).rejects.toMatchObject({
      code: "UNAVAILABLE",
      retryable: false,
      message: "Aligo poll failed: 인증오류입니다.",
    });
  });
});

describe("parseReports", () => {
  it("refuses every request: Aligo is polled", () => {
    const parsed = createAligoAdapter().parseReports(aligoAccount("http://127.0.0.1:9"), {
      headers: { "content-type": "application/json" },
      rawBody: Buffer.from("[]"),
      pathToken: null,
    });
    expect(parsed).toEqual({ ok: false, status: 400, message: NO_PUSH_REPORTS });
    expect(NO_PUSH_REPORTS).toContain("polled");
  });
});

describe("checkCredentials", () => {
  it("asks /remain/, and says it connected in its own words", async () => {
    const server = await fake();
    expect(await createAligoAdapter().checkCredentials(aligoAccount(server.url))).toEqual({
      ok: true,
      message: "connected to Aligo (HTTP 200, result_code 1)",
    });
    expect(server.received().map((r) => [r.path, r.form])).toEqual([
      ["/remain/", { key: API_KEY, user_id: USER_ID, userid: USER_ID }],
    ]);
  });

  it("fails on refused credentials without repeating them", async () => {
    const server = await fake({ userId: "someone-else" });
    const result = await createAligoAdapter().checkCredentials(aligoAccount(server.url));
    expect(result).toEqual({ ok: false, message: "Aligo refused the credentials (HTTP 200)" });
    expect(result.message).not.toContain(API_KEY);
    expect(result.message).not.toContain("인증오류");
  });

  it("fails when Aligo cannot be reached, and without credentials", async () => {
    const unreachable = await createAligoAdapter().checkCredentials(
      aligoAccount(await closedPortUrl()),
    );
    expect(unreachable.ok).toBe(false);
    expect(unreachable.message).toMatch(/^cannot reach Aligo: /);
    expect(
      await createAligoAdapter().checkCredentials(aligoAccount("http://127.0.0.1:9", {}, {})),
    ).toEqual({ ok: false, message: "the Aligo account needs the credentials apiKey and userId" });
  });
});
