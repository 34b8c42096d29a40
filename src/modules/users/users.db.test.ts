// People and keys as the console and integrators meet them: sign-in with a
// session cookie and its CSRF token, roles that bound what a user may do and
// hand out, invitations, throttled sign-ins, and API keys managed through the
// API with scopes, expiry and an IP allowlist.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { createUser } from "./service.ts";

describe(`users, sessions and API keys on ${engine}`, async () => {
  const { app, db, clock } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000, name: "People" });
  const PASSWORD = "correct horse battery";

  async function signIn(email: string, password = PASSWORD) {
    const res = await app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { email, password },
    });
    const cookie = res.cookies.find((c) => c.name === "alimi_session");
    return { res, cookie: cookie ? `alimi_session=${cookie.value}` : "" };
  }
  async function session(email: string) {
    const { res, cookie } = await signIn(email);
    expect(res.statusCode).toBe(200);
    const me = await app.inject({ method: "GET", url: "/v1/me", headers: { cookie } });
    return { cookie, csrf: me.json().csrfToken as string, me: me.json() };
  }
  const owner = await createUser(db, {
    orgId: shop.orgId,
    caller: null,
    email: "Owner@Shop.example",
    name: "사장님",
    role: "owner",
    password: PASSWORD,
    now: clock.now,
  });

  it("signs in with a session cookie; changes need the CSRF token; logout ends it", async () => {
    const { res, cookie } = await signIn("owner@shop.example");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { id: owner.id, email: "owner@shop.example", role: "owner" },
      org: { id: shop.orgId },
    });
    const set = res.cookies.find((c) => c.name === "alimi_session")!;
    expect(set).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });

    const me = await app.inject({ method: "GET", url: "/v1/me", headers: { cookie } });
    expect(me.json()).toMatchObject({
      user: { id: owner.id },
      role: "owner",
      org: { id: shop.orgId },
    });
    const csrf = me.json().csrfToken as string;
    expect(csrf).toMatch(/^[\w-]{43}$/);

    const estimate = { type: "sms", text: "안내", recipients: [{ to: "010-1234-5678" }] };
    const without = await app.inject({
      method: "POST",
      url: "/v1/messages/estimate",
      headers: { cookie },
      payload: estimate,
    });
    expect(without.statusCode).toBe(403);
    const withToken = await app.inject({
      method: "POST",
      url: "/v1/messages/estimate",
      headers: { cookie, "x-alimi-csrf": csrf },
      payload: estimate,
    });
    expect(withToken.statusCode).toBe(200);

    const out = await app.inject({
      method: "POST",
      url: "/v1/auth/logout",
      headers: { cookie, "x-alimi-csrf": csrf },
    });
    expect(out.statusCode).toBe(204);
    expect(
      (await app.inject({ method: "GET", url: "/v1/me", headers: { cookie } })).statusCode,
    ).toBe(401);
  });

  it("answers a wrong password and an unknown email alike, and refuses the eleventh try", async () => {
    await createUser(db, {
      orgId: shop.orgId,
      caller: null,
      email: "tries@shop.example",
      name: "Tries",
      role: "viewer",
      password: PASSWORD,
      now: clock.now,
    });
    const unknown = await signIn("nobody@shop.example");
    const wrong = await signIn("tries@shop.example", "wrong password!!");
    expect(unknown.res.statusCode).toBe(401);
    expect(wrong.res.json().error.message).toBe(unknown.res.json().error.message);
    for (let i = 0; i < 9; i++) await signIn("tries@shop.example", "wrong password!!");
    const locked = await signIn("tries@shop.example");
    expect(locked.res.statusCode).toBe(429);
    expect(locked.res.json().error.code).toBe("RATE_LIMITED");
    expect(Number(locked.res.headers["retry-after"])).toBeGreaterThan(800);
    // Fifteen minutes later the window has passed.
    clock.now = new Date(clock.now.getTime() + 16 * 60_000);
    expect((await signIn("tries@shop.example")).res.statusCode).toBe(200);
    clock.now = new Date();
  });

  it("lets each role do what API-2.md says, and hand out no more than it has", async () => {
    const admin = await session("owner@shop.example");
    const add = (role: string, email: string, as = admin) =>
      app.inject({
        method: "POST",
        url: "/v1/users",
        headers: { cookie: as.cookie, "x-alimi-csrf": as.csrf },
        payload: { email, name: email, role, password: PASSWORD },
      });
    expect((await add("viewer", "viewer@shop.example")).statusCode).toBe(201);
    expect((await add("operator", "operator@shop.example")).statusCode).toBe(201);
    expect((await add("admin", "admin@shop.example")).statusCode).toBe(201);
    expect((await add("admin", "ADMIN@shop.example")).json().error.details[0].code).toBe(
      "EMAIL_TAKEN",
    );

    const viewer = await session("viewer@shop.example");
    const operator = await session("operator@shop.example");
    const adminUser = await session("admin@shop.example");
    const send = (as: { cookie: string; csrf: string }) =>
      app.inject({
        method: "POST",
        url: "/v1/messages",
        headers: { cookie: as.cookie, "x-alimi-csrf": as.csrf },
        payload: { type: "sms", text: "안내", recipients: [{ to: "010-2222-3333" }] },
      });
    expect(
      (
        await app.inject({
          method: "GET",
          url: "/v1/campaigns",
          headers: { cookie: viewer.cookie },
        })
      ).statusCode,
    ).toBe(200);
    expect((await send(viewer)).statusCode).toBe(403);
    expect((await send(operator)).statusCode).toBe(202);
    expect((await add("viewer", "x@shop.example", operator)).statusCode).toBe(403);
    const tooHigh = await add("owner", "boss@shop.example", adminUser);
    expect(tooHigh.statusCode).toBe(403);
    expect(tooHigh.json().error.details[0].code).toBe("ROLE_TOO_HIGH");

    // Disabling a user ends its sessions at once.
    const users = (
      await app.inject({ method: "GET", url: "/v1/users", headers: { cookie: admin.cookie } })
    ).json().data as { id: string; email: string }[];
    const op = users.find((u) => u.email === "operator@shop.example")!;
    const disabled = await app.inject({
      method: "PATCH",
      url: `/v1/users/${op.id}`,
      headers: { cookie: adminUser.cookie, "x-alimi-csrf": adminUser.csrf },
      payload: { status: "disabled" },
    });
    expect(disabled.json().status).toBe("disabled");
    expect((await send(operator)).statusCode).toBe(401);
    // The last owner cannot be demoted.
    const demote = await app.inject({
      method: "PATCH",
      url: `/v1/users/${owner.id}`,
      headers: { cookie: admin.cookie, "x-alimi-csrf": admin.csrf },
      payload: { role: "admin" },
    });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().error.details[0].code).toBe("LAST_OWNER");
  });

  it("invites a user who chooses a password once", async () => {
    const invited = await app.inject({
      method: "POST",
      url: "/v1/users",
      headers: shop.auth,
      payload: { email: "new@shop.example", name: "신입", role: "operator" },
    });
    expect(invited.statusCode).toBe(201);
    const { inviteToken, status } = invited.json();
    expect(status).toBe("invited");
    expect((await signIn("new@shop.example")).res.statusCode).toBe(401);
    const accept = (password: string) =>
      app.inject({
        method: "POST",
        url: "/v1/auth/accept-invite",
        payload: { token: inviteToken, password },
      });
    expect((await accept("short")).json().error.details[0].code).toBe("PASSWORD_TOO_SHORT");
    const accepted = await accept(PASSWORD);
    expect(accepted.json()).toMatchObject({ status: "active", role: "operator" });
    expect((await accept(PASSWORD)).json().error.details[0].code).toBe("TOKEN_INVALID");
    expect((await signIn("new@shop.example")).res.statusCode).toBe(200);
  });

  it("manages API keys: scopes no higher than the maker's, expiry, allowed IPs, revocation at once", async () => {
    const create = (auth: Record<string, string>, payload: Record<string, unknown>) =>
      app.inject({ method: "POST", url: "/v1/api-keys", headers: auth, payload });
    const reader = await create(shop.auth, { name: "reports", scopes: ["read"] });
    expect(reader.statusCode).toBe(201);
    const readKey = { authorization: `Bearer ${reader.json().key}` };
    expect(
      (await app.inject({ method: "GET", url: "/v1/campaigns", headers: readKey })).statusCode,
    ).toBe(200);
    expect((await create(readKey, { name: "escalate", scopes: ["manage"] })).statusCode).toBe(403);

    const listed = (
      await app.inject({ method: "GET", url: "/v1/api-keys", headers: shop.auth })
    ).json();
    const entry = listed.data.find((k: { id: string }) => k.id === reader.json().id);
    expect(entry).toMatchObject({ name: "reports", scopes: ["read"] });
    expect(JSON.stringify(listed)).not.toContain(reader.json().key);

    const bad = await create(shop.auth, {
      name: "x",
      scopes: ["read"],
      allowedIps: ["10.0.0.0/8", "nope"],
    });
    expect(bad.json().error.details).toEqual([expect.objectContaining({ path: "/allowedIps/1" })]);
    const office = await create(shop.auth, {
      name: "office",
      scopes: ["read"],
      allowedIps: ["203.0.113.0/24"],
    });
    const officeKey = { authorization: `Bearer ${office.json().key}` };
    const from = (remoteAddress: string) =>
      app.inject({ method: "GET", url: "/v1/credits", headers: officeKey, remoteAddress });
    expect((await from("203.0.113.7")).statusCode).toBe(200);
    expect((await from("198.51.100.1")).statusCode).toBe(403);

    const soon = await create(shop.auth, {
      name: "temp",
      scopes: ["read"],
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    const soonKey = { authorization: `Bearer ${soon.json().key}` };
    expect(
      (await app.inject({ method: "GET", url: "/v1/credits", headers: soonKey })).statusCode,
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(
      (await app.inject({ method: "GET", url: "/v1/credits", headers: soonKey })).statusCode,
    ).toBe(401);

    const revoked = await app.inject({
      method: "DELETE",
      url: `/v1/api-keys/${reader.json().id}`,
      headers: shop.auth,
    });
    expect(revoked.statusCode).toBe(204);
    expect(
      (await app.inject({ method: "GET", url: "/v1/campaigns", headers: readKey })).statusCode,
    ).toBe(401);
  });
});
