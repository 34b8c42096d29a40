// Tenant isolation, built from the server's own route table (app.routeTable),
// so a route added later is covered without anyone remembering to: it fails
// until the route is classified here.
//
// - Every /v1 route has the scope API-2.md's table gives it ("Acting in the
//   tree"): read for viewers, send for operators, manage for admins.
// - A caller without that scope gets 403 on it, before anything else.
// - For every route with an id: a sibling organization gets 404 for the
//   resource, a descendant gets 404 for its ancestor's, and an ancestor
//   reaches its descendant's (acting for it with X-Alimi-Org).
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { uploadFile } from "../src/modules/files/service.ts";
import { DEFAULT_IMPORT_LIMITS } from "../src/modules/imports/index.ts";
import { uploadImport } from "../src/modules/imports/service.ts";
import { DEMO_TEMPLATE } from "../src/modules/orgs/bootstrap.ts";
import { registerKakaoChannel, registerSender } from "../src/modules/senders/service.ts";
import { createApprovedTemplate } from "../src/modules/templates/service.ts";
import { createUser } from "../src/modules/users/service.ts";
import { insertVendorAccount } from "../src/modules/vendor-accounts/queries.ts";
import { issueSandboxCredentials } from "../src/modules/vendor-accounts/sandbox.ts";
import { createSendingOrg, createTestApp, type TestOrg } from "./app.ts";
import { engine } from "./db.ts";

type Access = "public" | "any" | "read" | "send" | "manage";

/** API-2.md's table, route by route. A route missing here fails the suite. */
const EXPECTED: Record<string, Access> = {
  "POST /v1/auth/login": "public",
  "POST /v1/auth/accept-invite": "public",
  "POST /v1/auth/reset-password": "public",
  "POST /v1/auth/logout": "any",
  "GET /v1/me": "any",
  "POST /v1/users": "manage",
  "GET /v1/users": "read",
  "PATCH /v1/users/:id": "manage",
  "DELETE /v1/users/:id": "manage",
  "POST /v1/api-keys": "manage",
  "GET /v1/api-keys": "manage",
  "DELETE /v1/api-keys/:id": "manage",
  "POST /v1/messages": "send",
  "POST /v1/messages/estimate": "send",
  "GET /v1/messages/:id": "read",
  "POST /v1/campaigns": "send",
  "GET /v1/campaigns": "read",
  "GET /v1/campaigns/:id": "read",
  "GET /v1/campaigns/:id/messages": "read",
  "GET /v1/campaigns/:id/messages.csv": "read",
  "GET /v1/campaigns/:id/groups": "read",
  "GET /v1/messages": "read",
  "GET /v1/stats/summary": "read",
  "GET /v1/stats/series": "read",
  "POST /v1/campaigns/:id/recipients": "send",
  "POST /v1/campaigns/:id/launch": "send",
  "POST /v1/campaigns/:id/cancel": "send",
  "DELETE /v1/campaigns/:id": "send",
  "POST /v1/files": "send",
  "GET /v1/files/:id": "read",
  "GET /v1/files/:id/content": "read",
  "GET /v1/credits": "read",
  "GET /v1/credits/ledger": "read",
  "POST /v1/credits/transfers": "manage",
  "POST /v1/credits/adjustments": "manage",
  "GET /v1/reports/statements": "read",
  "GET /v1/reports/statements.csv": "read",
  "POST /v1/senders": "manage",
  "GET /v1/senders": "read",
  "POST /v1/senders/:id/verify": "manage",
  "POST /v1/kakao-channels": "manage",
  "GET /v1/kakao-channels": "read",
  "POST /v1/kakao-channels/:id/verify": "manage",
  "POST /v1/templates": "send",
  "GET /v1/templates": "read",
  "GET /v1/templates/:code": "read",
  "PATCH /v1/templates/:code": "send",
  "DELETE /v1/templates/:code": "send",
  "POST /v1/templates/:code/preview": "read",
  "POST /v1/templates/:code/request-review": "send",
  "POST /v1/templates/:code/approve": "manage",
  "POST /v1/templates/:code/reject": "manage",
  "GET /v1/templates/:code/comments": "read",
  "GET /v1/template-reviews": "read",
  "GET /v1/orgs": "read",
  "POST /v1/orgs": "manage",
  "GET /v1/orgs/:id": "read",
  "PATCH /v1/orgs/:id": "manage",
  "GET /v1/orgs/:id/routing": "read",
  "PUT /v1/orgs/:id/routing": "manage",
  "GET /v1/audit": "read",
  "POST /v1/vendor-accounts": "manage",
  "GET /v1/vendor-accounts": "read",
  "GET /v1/vendor-accounts/:id": "read",
  "PATCH /v1/vendor-accounts/:id": "manage",
  "DELETE /v1/vendor-accounts/:id": "manage",
  "POST /v1/vendor-accounts/:id/test": "manage",
  "POST /v1/plans": "manage",
  "GET /v1/plans": "read",
  "PATCH /v1/plans/:id": "manage",
  "PUT /v1/orgs/:id/plan": "manage",
  "GET /v1/orgs/:id/pricing": "read",
  "PUT /v1/orgs/:id/pricing": "manage",
  "PUT /v1/orgs/:id/wallet": "manage",
  "GET /v1/reports/margins": "read",
  "POST /v1/contacts": "send",
  "GET /v1/contacts": "read",
  "GET /v1/contacts/export": "read",
  "GET /v1/contacts/:id": "read",
  "PATCH /v1/contacts/:id": "send",
  "DELETE /v1/contacts/:id": "send",
  "POST /v1/groups": "send",
  "GET /v1/groups": "read",
  "GET /v1/groups/:id": "read",
  "PATCH /v1/groups/:id": "send",
  "DELETE /v1/groups/:id": "send",
  "POST /v1/groups/:id/members": "send",
  "POST /v1/groups/:id/members/remove": "send",
  "POST /v1/groups/:id/members/copy": "send",
  "POST /v1/groups/:id/members/move": "send",
  "POST /v1/opt-outs": "send",
  "GET /v1/opt-outs": "read",
  "DELETE /v1/opt-outs/:phone": "send",
  "POST /v1/imports": "send",
  "GET /v1/imports": "read",
  "GET /v1/imports/:id": "read",
  "GET /v1/imports/:id/rows": "read",
  "POST /v1/imports/:id/commit": "send",
  "DELETE /v1/imports/:id": "send",
  "POST /v1/bot-gateways": "manage",
  "GET /v1/bot-gateways": "read",
  "GET /v1/bot-gateways/:id": "read",
  "PATCH /v1/bot-gateways/:id": "manage",
  "DELETE /v1/bot-gateways/:id": "manage",
  "POST /v1/rooms": "send",
  "GET /v1/rooms": "read",
  "GET /v1/rooms/:id": "read",
  "PATCH /v1/rooms/:id": "send",
  "DELETE /v1/rooms/:id": "send",
  "GET /v1/rooms/:id/posts": "read",
  "GET /v1/orgs/:id/room-limits": "read",
  "PUT /v1/orgs/:id/room-limits": "manage",
  "POST /v1/schedules": "send",
  "POST /v1/schedules/preview": "read",
  "GET /v1/schedules": "read",
  "GET /v1/schedules/:id": "read",
  "PATCH /v1/schedules/:id": "send",
  "DELETE /v1/schedules/:id": "send",
  "POST /v1/schedules/:id/toggle": "send",
  "GET /v1/schedules/:id/runs": "read",
  "GET /v1/schedule-runs": "read",
  "POST /v1/webhook-endpoints": "manage",
  "GET /v1/webhook-endpoints": "read",
  "GET /v1/webhook-endpoints/:id": "read",
  "PATCH /v1/webhook-endpoints/:id": "manage",
  "DELETE /v1/webhook-endpoints/:id": "manage",
  "POST /v1/webhook-endpoints/:id/test": "manage",
  "POST /v1/webhook-endpoints/:id/rotate-secret": "manage",
  "GET /v1/webhook-endpoints/:id/deliveries": "read",
  "POST /v1/webhook-deliveries/:id/replay": "manage",
};

/** Routes on the platform's own resources (plans): every tenant gets 403, whoever asks. */
const PLATFORM_ONLY = new Set(["PATCH /v1/plans/:id"]);

/** A body each mutating route with an id accepts, so the answer is about the id, not the body. */
const BODIES: Record<string, Record<string, unknown>> = {
  "PATCH /v1/users/:id": { status: "active" },
  "POST /v1/campaigns/:id/recipients": { recipients: [{ to: "010-9999-0000" }] },
  "POST /v1/campaigns/:id/launch": {},
  "PATCH /v1/orgs/:id": { name: "renamed" },
  "PUT /v1/orgs/:id/routing": {},
  "PUT /v1/orgs/:id/plan": { planId: "pln_none" },
  "PUT /v1/orgs/:id/pricing": { markupPercent: 0 },
  "PUT /v1/orgs/:id/wallet": { mode: "own" },
  "PATCH /v1/contacts/:id": { name: "renamed" },
  "PATCH /v1/groups/:id": { name: "renamed" },
  "POST /v1/groups/:id/members": { contactIds: ["ct_x"] },
  "POST /v1/groups/:id/members/remove": { contactIds: ["ct_x"] },
  "POST /v1/groups/:id/members/copy": { all: true, toGroupId: "grp_x" },
  "POST /v1/groups/:id/members/move": { all: true, toGroupId: "grp_x" },
  "PATCH /v1/plans/:id": { name: "renamed" },
  "PATCH /v1/vendor-accounts/:id": { version: 1, name: "renamed" },
  "PATCH /v1/templates/:code": { body: "바뀐 본문" },
  "POST /v1/templates/:code/preview": {},
  "POST /v1/templates/:code/reject": { comment: "반려" },
  "POST /v1/imports/:id/commit": {},
  "PATCH /v1/bot-gateways/:id": { name: "renamed" },
  "PATCH /v1/rooms/:id": { name: "renamed" },
  "PUT /v1/orgs/:id/room-limits": { minIntervalSeconds: 30, dailyLimit: 50 },
  "PATCH /v1/schedules/:id": { title: "renamed" },
  "PATCH /v1/webhook-endpoints/:id": { description: "renamed" },
};

/** A 1×1 GIF. */
const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

describe(`tenant isolation over every route on ${engine}`, async () => {
  const { app, db, box } = await createTestApp();
  await app.ready();
  const routes = app.routeTable.map((r) => ({ ...r, key: `${r.method} ${r.url}` }));

  const hq = await createSendingOrg(db, { credits: 1000, name: "A 본사" });
  const child = await createSendingOrg(db, { credits: 1000, name: "A 지점", parentId: hq.orgId });
  const sibling = await createSendingOrg(db, { credits: 1000, name: "B 본사" });

  /** One of each kind of resource with an id, owned by `org`. */
  async function resourcesOf(org: TestOrg, tag: string) {
    const sent = await app.inject({
      method: "POST",
      url: "/v1/messages",
      headers: org.auth,
      payload: { type: "sms", text: "격리", recipients: [{ to: "010-8000-0001" }] },
    });
    const campaignId = sent.json().campaignId as string;
    const draft = await app.inject({
      method: "POST",
      url: "/v1/campaigns",
      headers: org.auth,
      payload: { type: "sms", text: "초안" },
    });
    const message = await db.query<{ id: string }>(
      "select id from messages where campaign_id = $1",
      [campaignId],
    );
    const file = await uploadFile(db, {
      orgId: org.orgId,
      name: "a.gif",
      data: GIF,
      idempotency: null,
    });
    const sender = await registerSender(db, {
      orgId: org.orgId,
      number: "031-555-0101",
      verified: false,
    });
    const channel = await registerKakaoChannel(db, {
      orgId: org.orgId,
      name: `채널 ${tag}`,
      senderKey: `sk-${tag}-${randomBytes(4).toString("hex")}`,
      pfId: null,
      verified: false,
    });
    const code = `ONLY_${tag}`;
    await createApprovedTemplate(db, org.orgId, { ...DEMO_TEMPLATE, code });
    const vac = `vac_${randomBytes(6).toString("hex")}`;
    await insertVendorAccount(db, {
      id: vac,
      orgId: org.orgId,
      vendor: "sandbox",
      name: `own ${tag}`,
      settings: {},
      credentialsEnc: box.seal(JSON.stringify(issueSandboxCredentials(vac))),
      webhookSecretEnc: box.seal(randomBytes(24).toString("base64url")),
    });
    const user = await createUser(db, {
      orgId: org.orgId,
      caller: null,
      email: `user-${tag}@isolation.example`,
      name: tag,
      role: "viewer",
      password: "long enough password",
      now: new Date(),
    });
    const phone = tag === "HQ" ? "010-8111-0001" : "010-8111-0002";
    const contact = await app.inject({
      method: "POST",
      url: "/v1/contacts",
      headers: org.auth,
      payload: { phone },
    });
    const group = await app.inject({
      method: "POST",
      url: "/v1/groups",
      headers: org.auth,
      payload: { name: `그룹 ${tag}` },
    });
    await app.inject({
      method: "POST",
      url: "/v1/opt-outs",
      headers: org.auth,
      payload: { phone },
    });
    const staged = await uploadImport(db, {
      orgId: org.orgId,
      fileName: "contacts.csv",
      data: Buffer.from(`휴대폰,이름\n${phone},${tag}\n`),
      groupId: null,
      mapping: null,
      idempotencyKey: undefined,
      limits: DEFAULT_IMPORT_LIMITS,
      now: new Date(),
    });
    const plan = await db.query<{ id: string }>("select id from plans where is_default");
    const gateway = await app.inject({
      method: "POST",
      url: "/v1/bot-gateways",
      headers: org.auth,
      payload: { name: `봇 ${tag}`, kind: "sandbox" },
    });
    const room = await app.inject({
      method: "POST",
      url: "/v1/rooms",
      headers: org.auth,
      payload: { name: `방 ${tag}`, gatewayId: gateway.json().id, externalId: `chat-${tag}` },
    });
    const schedule = await app.inject({
      method: "POST",
      url: "/v1/schedules",
      headers: org.auth,
      payload: {
        title: `일정 ${tag}`,
        repeat: { kind: "daily", time: "09:00" },
        target: {
          kind: "message",
          message: { type: "sms", text: "격리", recipients: [{ to: "010-8222-0001" }] },
        },
      },
    });
    const endpoint = await app.inject({
      method: "POST",
      url: "/v1/webhook-endpoints",
      headers: org.auth,
      payload: { url: "https://93.184.216.34/hooks", events: ["*"] },
    });
    const delivery = await app.inject({
      method: "POST",
      url: `/v1/webhook-endpoints/${endpoint.json().id}/test`,
      headers: org.auth,
    });
    const key = await app.inject({
      method: "POST",
      url: "/v1/api-keys",
      headers: org.auth,
      payload: { name: `k ${tag}`, scopes: ["read"] },
    });
    return {
      campaigns: draft.json().id as string,
      campaignSent: campaignId,
      messages: message.rows[0]!.id,
      files: file.body.id,
      senders: sender.id,
      "kakao-channels": channel.id,
      templates: code,
      orgs: org.orgId,
      "vendor-accounts": vac,
      users: user.id,
      "api-keys": key.json().id as string,
      plans: plan.rows[0]!.id,
      contacts: contact.json().id as string,
      groups: group.json().id as string,
      "opt-outs": phone,
      imports: staged.body.id,
      "bot-gateways": gateway.json().id as string,
      rooms: room.json().id as string,
      schedules: schedule.json().id as string,
      "webhook-endpoints": endpoint.json().id as string,
      "webhook-deliveries": delivery.json().id as string,
    };
  }
  const owned = { hq: await resourcesOf(hq, "HQ"), child: await resourcesOf(child, "CHILD") };

  /** The route's URL with the resource of `owner` in place of its id. */
  function urlFor(url: string, ids: Record<string, string>): string {
    const kind = url.split("/")[2]!;
    const id =
      kind === "campaigns" && /\/(cancel|messages)$/.test(url) ? ids.campaignSent : ids[kind];
    if (!id) throw new Error(`no resource of kind "${kind}" for ${url}: add one to resourcesOf`);
    return url.replace(/:(id|code|phone)/, id);
  }
  const call = (
    route: { method: string; url: string; key: string },
    url: string,
    headers: Record<string, string>,
  ) =>
    app.inject({
      method: route.method as "GET",
      url,
      headers,
      ...(BODIES[route.key] ? { payload: BODIES[route.key] } : {}),
    });

  it("classifies every mounted route, with the scope API-2.md gives it", () => {
    const mounted = routes.map((r) => r.key).sort();
    expect(mounted).toEqual(Object.keys(EXPECTED).sort());
    for (const r of routes) {
      const access: Access = r.public ? "public" : (r.scope ?? "any");
      expect({ route: r.key, access }).toEqual({ route: r.key, access: EXPECTED[r.key] });
    }
  });

  it("answers 403 to a key without the route's scope, before reading anything", async () => {
    const lacking: Record<"read" | "send" | "manage", string[]> = {
      read: ["send", "manage"],
      send: ["read", "manage"],
      manage: ["read", "send"],
    };
    const keys: Record<string, Record<string, string>> = {};
    for (const [scope, scopes] of Object.entries(lacking)) {
      const made = await app.inject({
        method: "POST",
        url: "/v1/api-keys",
        headers: hq.auth,
        payload: { name: `without ${scope}`, scopes },
      });
      keys[scope] = { authorization: `Bearer ${made.json().key}` };
    }
    for (const r of routes) {
      if (r.public || r.scope === null) continue;
      const url = r.url.replace(/:(id|code|phone)/, "x_1");
      const res = await app.inject({ method: r.method as "GET", url, headers: keys[r.scope]! });
      expect({ route: r.key, status: res.statusCode }).toEqual({ route: r.key, status: 403 });
    }
  });

  it("answers 403 to a signed-in user whose role lacks the route's scope", async () => {
    const sessions: Record<string, Record<string, string>> = {};
    for (const role of ["viewer", "operator"] as const) {
      const email = `${role}-roles@isolation.example`;
      const password = "long enough password";
      await createUser(db, {
        orgId: hq.orgId,
        caller: null,
        email,
        name: role,
        role,
        password,
        now: new Date(),
      });
      const login = await app.inject({
        method: "POST",
        url: "/v1/auth/login",
        payload: { email, password },
      });
      const cookie = `alimi_session=${login.cookies.find((c) => c.name === "alimi_session")!.value}`;
      const me = await app.inject({ method: "GET", url: "/v1/me", headers: { cookie } });
      sessions[role] = { cookie, "x-alimi-csrf": me.json().csrfToken };
    }
    // API-2.md: viewer reads; operator also sends; admin and owner also manage.
    const refused: Record<string, string[]> = { viewer: ["send", "manage"], operator: ["manage"] };
    let checked = 0;
    for (const r of routes) {
      if (r.public || r.scope === null) continue;
      for (const [role, scopes] of Object.entries(refused)) {
        if (!scopes.includes(r.scope)) continue;
        const url = r.url.replace(/:(id|code|phone)/, "x_1");
        const res = await app.inject({ method: r.method as "GET", url, headers: sessions[role]! });
        expect({ route: r.key, role, status: res.statusCode }).toEqual({
          route: r.key,
          role,
          status: 403,
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  const withId = routes.filter((r) => /:(id|code|phone)/.test(r.url) && !r.public);

  it("hides an organization's resources from its siblings and its descendants: 404", async () => {
    for (const r of withId) {
      const url = urlFor(r.url, owned.hq);
      for (const [who, caller] of [
        ["sibling", sibling.auth],
        ["descendant", child.auth],
      ] as const) {
        const res = await call(r, url, caller);
        expect({ route: r.key, who, status: res.statusCode }).toEqual({
          route: r.key,
          who,
          status: PLATFORM_ONLY.has(r.key) ? 403 : 404,
        });
      }
    }
  });

  it("lets an ancestor reach its descendant's resources, acting for it", async () => {
    for (const r of withId) {
      if (r.method !== "GET" || PLATFORM_ONLY.has(r.key)) continue;
      const res = await call(r, urlFor(r.url, owned.child), {
        ...hq.auth,
        "x-alimi-org": child.orgId,
      });
      expect({ route: r.key, status: res.statusCode }).toEqual({ route: r.key, status: 200 });
    }
  });
});
