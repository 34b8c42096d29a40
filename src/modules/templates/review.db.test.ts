// The operator's review of templates (an organization that sends through the
// sandbox): a draft is not sent, is requested, approved or rejected with a
// comment by the platform operator alone, and an approved template is never
// changed; every step through HTTP, with its audit entry.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp, platformKey } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";

describe(`template review by the platform operator on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000, name: "Review shop" });
  const branch = await createSendingOrg(db, { name: "Review branch", parentId: shop.orgId });
  const operator = await platformKey(db);
  const asOperator = { ...operator.auth, "x-alimi-org": shop.orgId };

  type Headers = Record<string, string>;
  const call = (
    headers: Headers,
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    payload?: object,
  ) => app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const template = (code: string, headers: Headers = shop.auth) =>
    call(headers, "GET", `/v1/templates/${code}`);
  const action = (code: string, verb: string, headers: Headers = shop.auth, payload?: object) =>
    call(headers, "POST", `/v1/templates/${code}/${verb}`, payload);
  const create = (code: string) =>
    call(shop.auth, "POST", "/v1/templates", {
      code,
      body: "#{name}님, 주문 #{orderNo}이 접수되었습니다.",
      buttons: [
        { type: "WL", name: "주문 보기", linkMobile: "https://shop.example.com/o/#{orderNo}" },
      ],
      fallback: { text: "#{name}님 주문 #{orderNo} 접수" },
    });
  const send = (code: string, path = "/v1/messages") =>
    call(shop.auth, "POST", path, {
      template: { code, variables: { orderNo: "A-1" } },
      // A campaign draft gets its recipients in parts, later.
      ...(path === "/v1/campaigns"
        ? {}
        : { recipients: [{ to: "010-1234-5678", variables: { name: "홍길동" } }] }),
    });
  const campaigns = async () =>
    (await db.query("select 1 from campaigns where org_id = $1", [shop.orgId])).rows.length;
  const audit = async (targetId: string) =>
    (await call(shop.auth, "GET", `/v1/audit?targetId=${targetId}`)).json().data as {
      action: string;
      actor: { orgId: string };
      details: Record<string, unknown>;
    }[];

  it("creates a draft that neither a send nor an estimate nor a campaign draft accepts: 409", async () => {
    const created = await create("ORDER_A");
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      status: "draft",
      review: null,
      variables: ["name", "orderNo"],
    });
    const before = await campaigns();
    for (const path of ["/v1/messages", "/v1/messages/estimate", "/v1/campaigns"]) {
      const res = await send("ORDER_A", path);
      expect({ path, status: res.statusCode }).toEqual({ path, status: 409 });
      expect(res.json().error).toMatchObject({
        code: "TEMPLATE_NOT_APPROVED",
        message: expect.stringContaining("ORDER_A is draft"),
        details: [{ path: "/template/code", code: "TEMPLATE_NOT_APPROVED", status: "draft" }],
      });
    }
    expect(await campaigns()).toBe(before);
  });

  it("changes a draft: the whole template checked again, its variables recomputed", async () => {
    const changed = await call(shop.auth, "PATCH", "/v1/templates/ORDER_A", {
      body: "#{name}님, 주문이 접수되었습니다.",
    });
    expect(changed.statusCode).toBe(200);
    // The button's link keeps #{orderNo}: still a variable of the template.
    expect(changed.json()).toMatchObject({
      status: "draft",
      body: "#{name}님, 주문이 접수되었습니다.",
      variables: ["name", "orderNo"],
    });
    const bad = await call(shop.auth, "PATCH", "/v1/templates/ORDER_A", {
      fallback: { text: "#{coupon} 쿠폰" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      expect.objectContaining({ path: "/fallback/text", code: "UNKNOWN_VARIABLE" }),
    ]);
    expect((await template("ORDER_A")).json().fallback.text).toBe("#{name}님 주문 #{orderNo} 접수");
    const empty = await call(shop.auth, "PATCH", "/v1/templates/ORDER_A", {});
    expect(empty.statusCode).toBe(400);
  });

  it("is requested for the operator's review; then locked, and still not sent", async () => {
    const requested = await action("ORDER_A", "request-review");
    expect(requested.statusCode).toBe(200);
    expect(requested.json()).toMatchObject({
      status: "requested",
      review: {
        reviewer: "operator",
        vendorAccountId: null,
        requestedAt: expect.any(String),
        reviewedAt: null,
      },
    });
    const again = await action("ORDER_A", "request-review");
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({
      code: "CONFLICT",
      details: [{ code: "UNDER_REVIEW", status: "requested" }],
    });
    for (const res of [
      await call(shop.auth, "PATCH", "/v1/templates/ORDER_A", { body: "바뀐 본문" }),
      await call(shop.auth, "DELETE", "/v1/templates/ORDER_A"),
    ]) {
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({
        code: "TEMPLATE_LOCKED",
        message: expect.stringContaining("under review (requested)"),
      });
    }
    const sent = await send("ORDER_A");
    expect(sent.statusCode).toBe(409);
    expect(sent.json().error.message).toContain("ORDER_A is requested");

    // The operator's queue: every organization's templates awaiting its decision.
    const queue = await call(operator.auth, "GET", "/v1/template-reviews");
    expect(queue.statusCode).toBe(200);
    expect(queue.json().data).toEqual([
      expect.objectContaining({ orgId: shop.orgId, code: "ORDER_A", status: "requested" }),
    ]);
    const notYours = await call(shop.auth, "GET", "/v1/template-reviews");
    expect(notYours.statusCode).toBe(403);
  });

  it("is decided by the platform operator alone", async () => {
    // The organization's own admin key, and an ancestor acting for its child: 403.
    const own = await action("ORDER_A", "approve");
    expect(own.statusCode).toBe(403);
    expect(own.json().error.code).toBe("FORBIDDEN");
    await create("ORDER_A_CHILD").then(() => undefined);
    const childTemplate = await call(
      { ...shop.auth, "x-alimi-org": branch.orgId },
      "POST",
      "/v1/templates",
      { code: "BRANCH_1", body: "지점 안내" },
    );
    expect(childTemplate.statusCode).toBe(201);
    await action("BRANCH_1", "request-review", { ...shop.auth, "x-alimi-org": branch.orgId });
    const ancestor = await action("BRANCH_1", "approve", {
      ...shop.auth,
      "x-alimi-org": branch.orgId,
    });
    expect(ancestor.statusCode).toBe(403);
    // The operator acting as itself looks in its own templates: not there.
    expect((await action("ORDER_A", "approve", operator.auth)).statusCode).toBe(404);
    expect((await template("ORDER_A")).json().status).toBe("requested");
  });

  it("approves: the template is sent from then on and never changed again", async () => {
    const approved = await action("ORDER_A", "approve", asOperator);
    expect(approved.statusCode).toBe(200);
    const queue = (await call(operator.auth, "GET", "/v1/template-reviews")).json();
    expect(queue.data.map((t: { code: string }) => t.code)).toEqual(["BRANCH_1"]);
    expect(approved.json()).toMatchObject({
      status: "approved",
      review: { reviewer: "operator", reviewedAt: expect.any(String) },
    });
    const twice = await action("ORDER_A", "approve", asOperator);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.details).toEqual([
      expect.objectContaining({ code: "NOT_UNDER_REVIEW", status: "approved" }),
    ]);
    const changed = await call(shop.auth, "PATCH", "/v1/templates/ORDER_A", { body: "바뀐 본문" });
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error).toMatchObject({
      code: "TEMPLATE_LOCKED",
      message: expect.stringContaining("make a new one"),
      details: [{ code: "TEMPLATE_LOCKED", status: "approved" }],
    });
    expect((await call(shop.auth, "DELETE", "/v1/templates/ORDER_A")).statusCode).toBe(409);
    expect((await action("ORDER_A", "request-review")).statusCode).toBe(409);
    const sent = await send("ORDER_A");
    expect(sent.statusCode, sent.body).toBe(202);
    expect(sent.json()).toMatchObject({ accepted: 1, cost: { held: "15.00" } });

    const id = approved.json().id as string;
    const entries = await audit(id);
    expect(entries.map((e) => e.action)).toEqual([
      "template.approved",
      "template.review_requested",
      "template.updated",
    ]);
    expect(entries[0]!.actor.orgId).toBe(operator.orgId);
    expect(entries[1]).toMatchObject({
      actor: { orgId: shop.orgId },
      details: { code: "ORDER_A", reviewer: "operator" },
    });
  });

  it("rejects with a comment; the template is changed, requested again and approved", async () => {
    expect((await create("ORDER_B")).statusCode).toBe(201);
    expect((await action("ORDER_B", "request-review")).statusCode).toBe(200);
    const blank = await action("ORDER_B", "reject", asOperator, { comment: "   " });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.details).toEqual([
      expect.objectContaining({ path: "/comment", code: "REQUIRED" }),
    ]);
    expect((await action("ORDER_B", "reject", asOperator)).statusCode).toBe(400);
    const reason = "버튼 링크가 본문 내용과 맞지 않습니다.";
    const rejected = await action("ORDER_B", "reject", asOperator, { comment: reason });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json().status).toBe("rejected");
    const comments = await call(shop.auth, "GET", "/v1/templates/ORDER_B/comments");
    expect(comments.statusCode).toBe(200);
    expect(comments.json()).toEqual({
      data: [
        {
          id: expect.stringMatching(/^tcm_/),
          source: "operator",
          author: null,
          body: reason,
          status: "REJECTED",
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    const sent = await send("ORDER_B");
    expect(sent.statusCode).toBe(409);
    expect(sent.json().error.details[0].status).toBe("rejected");

    // Rejected: it may be changed (a draft again) or requested again as it is.
    const changed = await call(shop.auth, "PATCH", "/v1/templates/ORDER_B", {
      buttons: [{ type: "WL", name: "주문 보기", linkMobile: "https://shop.example.com/orders" }],
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ status: "draft", variables: ["name", "orderNo"] });
    expect((await action("ORDER_B", "request-review")).json().status).toBe("requested");
    expect((await action("ORDER_B", "approve", asOperator)).json().status).toBe("approved");
    // The comment stays with the template.
    expect(
      (await call(shop.auth, "GET", "/v1/templates/ORDER_B/comments")).json().data,
    ).toHaveLength(1);
    const entries = await audit(rejected.json().id);
    expect(entries.map((e) => e.action)).toEqual([
      "template.approved",
      "template.review_requested",
      "template.updated",
      "template.rejected",
      "template.review_requested",
    ]);
    expect(entries[3]!.details).toMatchObject({ code: "ORDER_B", comment: reason });
  });

  it("deletes a draft, comments and all; lists by status", async () => {
    expect((await create("ORDER_C")).statusCode).toBe(201);
    const deleted = await call(shop.auth, "DELETE", "/v1/templates/ORDER_C");
    expect(deleted.statusCode).toBe(204);
    expect((await template("ORDER_C")).statusCode).toBe(404);
    expect((await call(shop.auth, "GET", "/v1/templates/ORDER_C/comments")).statusCode).toBe(404);
    expect((await call(shop.auth, "DELETE", "/v1/templates/ORDER_C")).statusCode).toBe(404);

    const approved = (await call(shop.auth, "GET", "/v1/templates?status=approved")).json();
    expect(approved.data.map((t: { code: string }) => t.code)).toEqual([
      "ORDER_A",
      "ORDER_B",
      "WELCOME_001",
    ]);
    const drafts = (await call(shop.auth, "GET", "/v1/templates?status=draft")).json();
    expect(drafts.data.map((t: { code: string }) => t.code)).toEqual(["ORDER_A_CHILD"]);
    expect((await call(shop.auth, "GET", "/v1/templates?status=nope")).statusCode).toBe(400);
  });
});
