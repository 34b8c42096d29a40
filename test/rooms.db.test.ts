// Bot gateways and rooms through the API, and schedule runs' room posts
// through runRoomPosts: the sandbox gateway, money held and captured or
// released, rooms that are gone, reruns, and an http gateway whose server
// verifies the Standard Webhooks signature with the reference library.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { MICRO_PER_CREDIT } from "../src/domain/money.ts";
import { createEgress } from "../src/lib/egress.ts";
import { newId } from "../src/lib/ids.ts";
import { auditWallets } from "../src/modules/doctor/queries.ts";
import { type RoomRunContent, type RoomRunDeps, runRoomPosts } from "../src/modules/rooms/run.ts";
import { createSendingOrg, createTestApp, type TestOrg } from "./app.ts";
import { engine } from "./db.ts";
import { jpegBytes } from "./images.ts";
import { TEST_ALLOWED_HOSTS } from "./support/vendor-calls.ts";

describe(`rooms and bot gateways on ${engine}`, async () => {
  const { app, db, box } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 1000, name: "Shop" });
  const other = await createSendingOrg(db, { credits: 1000, name: "Other" });
  const egress = createEgress({ allowedHosts: TEST_ALLOWED_HOSTS, allowHint: "test hosts" });
  afterAll(() => egress.close());

  const call = (
    method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT",
    url: string,
    org: TestOrg,
    payload?: object,
  ) => app.inject({ method, url, headers: org.auth, ...(payload ? { payload } : {}) });

  async function sandboxGateway(org: TestOrg = shop): Promise<string> {
    const res = await call("POST", "/v1/bot-gateways", org, { name: "샌드박스", kind: "sandbox" });
    expect(res.statusCode).toBe(201);
    return res.json().id;
  }
  async function room(
    gatewayId: string,
    externalId: string,
    org: TestOrg = shop,
    mode: "live" | "test" = "live",
  ): Promise<string> {
    const res = await call("POST", "/v1/rooms", org, {
      name: `방 ${externalId}`,
      gatewayId,
      externalId,
      mode,
    });
    expect(res.statusCode).toBe(201);
    return res.json().id;
  }
  async function image(org: TestOrg = shop): Promise<string> {
    const r = await db.query<{ id: string }>(
      `insert into files (id, org_id, name, mime, size, width, height, data)
       values ($1, $2, 'p.jpg', 'image/jpeg', octet_length($3::bytea), 10, 10, $3::bytea) returning id`,
      [newId("fil"), org.orgId, jpegBytes({ width: 10, height: 10, size: 2000 })],
    );
    return r.rows[0]!.id;
  }
  const wallet = async (orgId: string) => {
    const r = await db.query<{ balance: bigint; held: bigint }>(
      "select balance, held from wallets where org_id = $1",
      [orgId],
    );
    return { balance: BigInt(r.rows[0]!.balance), held: BigInt(r.rows[0]!.held) };
  };
  const credits = (n: number) => BigInt(n) * MICRO_PER_CREDIT;

  /** A clock that sleeping moves on, so slots 30 s apart pass at once. */
  function runDeps(extra: Partial<RoomRunDeps> = {}): RoomRunDeps & { clock: { now: Date } } {
    const clock = { now: new Date("2026-12-02T10:00:00+09:00") };
    return {
      db,
      now: () => clock.now,
      sleep: async (ms) => {
        clock.now = new Date(clock.now.getTime() + ms);
      },
      publicUrl: () => "http://alimi.test",
      box,
      egress,
      clock,
      ...extra,
    };
  }
  const content = (over: Partial<RoomRunContent> = {}): RoomRunContent => ({
    text: "이번 주 공지입니다",
    imageIds: [],
    order: "text_first",
    intervalSeconds: 3,
    ...over,
  });
  const window = (deps: { clock: { now: Date } }, minutes = 60) =>
    new Date(deps.clock.now.getTime() + minutes * 60_000);

  describe("gateways", () => {
    it("creates a sandbox gateway, reads and lists it", async () => {
      const id = await sandboxGateway();
      const one = await call("GET", `/v1/bot-gateways/${id}`, shop);
      expect(one.json()).toMatchObject({ id, kind: "sandbox", url: null, orgId: shop.orgId });
      const list = await call("GET", "/v1/bot-gateways", shop);
      expect(list.json().data.map((g: { id: string }) => g.id)).toContain(id);
    });

    it("generates an http gateway's secret and shows it once", async () => {
      const res = await call("POST", "/v1/bot-gateways", shop, {
        name: "봇",
        kind: "http",
        url: "http://127.0.0.1:9/hook",
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      const read = await call("GET", `/v1/bot-gateways/${res.json().id}`, shop);
      expect(read.json()).not.toHaveProperty("secret");
      const stored = await db.query<{ secret_enc: string }>(
        "select secret_enc from bot_gateways where id = $1",
        [res.json().id],
      );
      expect(stored.rows[0]!.secret_enc).not.toContain(res.json().secret.slice(6));
      expect(box.open(stored.rows[0]!.secret_enc)).toBe(res.json().secret);
    });

    it("never echoes a secret the caller gave", async () => {
      const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
      const res = await call("POST", "/v1/bot-gateways", shop, {
        name: "봇",
        kind: "http",
        url: "http://localhost:9/hook",
        secret,
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).not.toHaveProperty("secret");
    });

    it.each<[string, object, string, string]>([
      ["an http gateway without a url", { kind: "http" }, "/url", "REQUIRED"],
      [
        "a private address",
        { kind: "http", url: "https://10.1.2.3/hook" },
        "/url",
        "EGRESS_REFUSED",
      ],
      [
        "plain http to a public host",
        { kind: "http", url: "http://203.0.113.9/hook" },
        "/url",
        "EGRESS_REFUSED",
      ],
      ["not a URL", { kind: "http", url: "gateway" }, "/url", "INVALID_URL"],
      [
        "a secret of the wrong form",
        { kind: "http", url: "http://127.0.0.1:9/", secret: "hunter2" },
        "/secret",
        "INVALID_SECRET",
      ],
      [
        "a url on a sandbox gateway",
        { kind: "sandbox", url: "http://127.0.0.1:9/" },
        "/url",
        "NOT_ALLOWED",
      ],
    ])("refuses %s, storing nothing", async (_, body, path, code) => {
      const before = await db.query<{ n: number }>("select count(*)::int as n from bot_gateways");
      const res = await call("POST", "/v1/bot-gateways", shop, { name: "x", ...body });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details).toEqual([expect.objectContaining({ path, code })]);
      const after = await db.query<{ n: number }>("select count(*)::int as n from bot_gateways");
      expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    });

    it("refuses an unknown field", async () => {
      const res = await call("POST", "/v1/bot-gateways", shop, {
        name: "x",
        kind: "sandbox",
        token: "y",
      });
      expect(res.statusCode).toBe(400);
    });

    it("renames a gateway and rotates an http gateway's secret", async () => {
      const made = await call("POST", "/v1/bot-gateways", shop, {
        name: "봇",
        kind: "http",
        url: "http://127.0.0.1:9/hook",
      });
      const id = made.json().id;
      const res = await call("PATCH", `/v1/bot-gateways/${id}`, shop, {
        name: "새 봇",
        rotateSecret: true,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().name).toBe("새 봇");
      expect(res.json().secret).toMatch(/^whsec_/);
      expect(res.json().secret).not.toBe(made.json().secret);
      const sandbox = await sandboxGateway();
      const refused = await call("PATCH", `/v1/bot-gateways/${sandbox}`, shop, {
        url: "http://127.0.0.1:9/",
      });
      expect(refused.json().error.details[0]).toMatchObject({ path: "/url", code: "NOT_ALLOWED" });
    });

    it("hides a gateway from another organization: 404", async () => {
      const id = await sandboxGateway();
      expect((await call("GET", `/v1/bot-gateways/${id}`, other)).statusCode).toBe(404);
      expect((await call("DELETE", `/v1/bot-gateways/${id}`, other)).statusCode).toBe(404);
      expect((await call("GET", "/v1/bot-gateways", other)).json().data).toEqual([]);
    });

    it("refuses to remove a gateway while rooms use it (409), then removes it", async () => {
      const gw = await sandboxGateway();
      const r = await room(gw, "del-1");
      const refused = await call("DELETE", `/v1/bot-gateways/${gw}`, shop);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.details[0]).toMatchObject({ code: "GATEWAY_IN_USE", rooms: 1 });
      expect((await call("DELETE", `/v1/rooms/${r}`, shop)).statusCode).toBe(204);
      expect((await call("DELETE", `/v1/bot-gateways/${gw}`, shop)).statusCode).toBe(204);
      expect((await call("GET", `/v1/bot-gateways/${gw}`, shop)).statusCode).toBe(404);
    });
  });

  describe("rooms", () => {
    it("creates, reads, lists, changes and deletes a room", async () => {
      const gw = await sandboxGateway();
      const made = await call("POST", "/v1/rooms", shop, {
        name: "공지방",
        gatewayId: gw,
        externalId: "chat-1",
      });
      expect(made.statusCode).toBe(201);
      const id = made.json().id;
      expect(made.json()).toMatchObject({
        id: expect.stringMatching(/^room_/),
        mode: "live",
        gatewayId: gw,
      });
      expect((await call("GET", `/v1/rooms/${id}`, shop)).json().name).toBe("공지방");
      const listed = await call("GET", `/v1/rooms?gatewayId=${gw}`, shop);
      expect(listed.json().data.map((r: { id: string }) => r.id)).toEqual([id]);
      const changed = await call("PATCH", `/v1/rooms/${id}`, shop, {
        mode: "test",
        name: "테스트방",
      });
      expect(changed.json()).toMatchObject({
        mode: "test",
        name: "테스트방",
        externalId: "chat-1",
      });
      expect((await call("DELETE", `/v1/rooms/${id}`, shop)).statusCode).toBe(204);
      expect((await call("GET", `/v1/rooms/${id}`, shop)).statusCode).toBe(404);
      expect((await call("GET", `/v1/rooms/${id}/posts`, shop)).statusCode).toBe(404);
    });

    it("refuses a gateway of another organization, with its path", async () => {
      const theirs = await sandboxGateway(other);
      const res = await call("POST", "/v1/rooms", shop, {
        name: "x",
        gatewayId: theirs,
        externalId: "c",
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details).toEqual([
        expect.objectContaining({ path: "/gatewayId", code: "GATEWAY_NOT_FOUND" }),
      ]);
    });

    it("refuses a second room for the same chat on a gateway: 409", async () => {
      const gw = await sandboxGateway();
      await room(gw, "same-chat");
      const res = await call("POST", "/v1/rooms", shop, {
        name: "y",
        gatewayId: gw,
        externalId: "same-chat",
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.details[0]).toMatchObject({
        path: "/externalId",
        code: "DUPLICATE_ROOM",
      });
    });

    it("refuses a bad mode and an empty external id with their paths", async () => {
      const gw = await sandboxGateway();
      const res = await call("POST", "/v1/rooms", shop, {
        name: "x",
        gatewayId: gw,
        externalId: "",
        mode: "prod",
      });
      expect(res.statusCode).toBe(400);
      const paths = res.json().error.details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(expect.arrayContaining(["/externalId", "/mode"]));
    });

    it("hides a room from another organization: 404", async () => {
      const id = await room(await sandboxGateway(), "hidden");
      for (const method of ["GET", "PATCH", "DELETE"] as const) {
        const res = await call(
          method,
          `/v1/rooms/${id}`,
          other,
          method === "PATCH" ? { name: "z" } : undefined,
        );
        expect({ method, status: res.statusCode }).toEqual({ method, status: 404 });
      }
      expect((await call("GET", `/v1/rooms/${id}/posts`, other)).statusCode).toBe(404);
    });

    it("lets a branch use its headquarters' gateway, and moves a room down the tree", async () => {
      const branch = await createSendingOrg(db, { name: "지점", parentId: shop.orgId });
      const gw = await sandboxGateway(shop);
      const made = await call("POST", "/v1/rooms", branch, {
        name: "지점방",
        gatewayId: gw,
        externalId: "b-1",
      });
      expect(made.statusCode).toBe(201);
      const own = await room(gw, "moving");
      const moved = await call("PATCH", `/v1/rooms/${own}`, shop, { orgId: branch.orgId });
      expect(moved.json().orgId).toBe(branch.orgId);
      const refused = await call("PATCH", `/v1/rooms/${made.json().id}`, branch, {
        orgId: other.orgId,
      });
      expect(refused.json().error.details[0]).toMatchObject({
        path: "/orgId",
        code: "ORG_NOT_FOUND",
      });
    });
  });

  describe("room limits", () => {
    it("refuses limits looser than the platform's, with their paths", async () => {
      const res = await call("PUT", `/v1/orgs/${shop.orgId}/room-limits`, shop, {
        minIntervalSeconds: 10,
        dailyLimit: 80,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details).toEqual([
        expect.objectContaining({ path: "/minIntervalSeconds", code: "LIMIT_TOO_LOOSE" }),
        expect.objectContaining({ path: "/dailyLimit", code: "LIMIT_TOO_LOOSE" }),
      ]);
    });

    it("applies an ancestor's stricter limits to a descendant", async () => {
      const hq = await createSendingOrg(db, { name: "본사" });
      const branch = await createSendingOrg(db, { name: "지점", parentId: hq.orgId });
      const set = await call("PUT", `/v1/orgs/${hq.orgId}/room-limits`, hq, {
        minIntervalSeconds: 120,
        dailyLimit: 40,
      });
      expect(set.json()).toEqual({
        orgId: hq.orgId,
        own: { minIntervalSeconds: 120, dailyLimit: 40 },
        effective: { minIntervalSeconds: 120, dailyLimit: 40 },
      });
      await call("PUT", `/v1/orgs/${branch.orgId}/room-limits`, branch, {
        minIntervalSeconds: 60,
        dailyLimit: 10,
      });
      const read = await call("GET", `/v1/orgs/${branch.orgId}/room-limits`, branch);
      expect(read.json().effective).toEqual({ minIntervalSeconds: 120, dailyLimit: 10 });
      expect(
        (
          await call("PUT", `/v1/orgs/${hq.orgId}/room-limits`, branch, {
            minIntervalSeconds: 30,
            dailyLimit: 50,
          })
        ).statusCode,
      ).toBe(404);

      // A run to the branch's room: posts 120 s apart.
      const gw = await sandboxGateway(hq);
      const r = await room(gw, "strict", branch);
      const deps = runDeps();
      const start = deps.clock.now.getTime();
      const posts = await runRoomPosts(deps, {
        orgId: branch.orgId,
        runId: newId("run"),
        roomIds: [r],
        content: content({ imageIds: [await image(branch)] }),
        windowEndsAt: window(deps),
      });
      expect(posts.map((p) => p.status)).toEqual(["posted", "posted"]);
      const slots = await db.query<{ slot_at: Date }>(
        "select slot_at from room_posts where room_id = $1 order by seq",
        [r],
      );
      expect(slots.rows.map((s) => new Date(s.slot_at).getTime() - start)).toEqual([0, 120_000]);
    });
  });

  describe("runs through the sandbox gateway", () => {
    it("posts text then images, holding then capturing the bot price of each post", async () => {
      const org = await createSendingOrg(db, { credits: 100, name: "Money" });
      const r = await room(await sandboxGateway(org), "money-ok", org);
      const images = [await image(org), await image(org)];
      const deps = runDeps();
      // The app's clock: the image links expire an hour after they are made.
      deps.clock.now = new Date();
      const runId = newId("run");
      const results = await runRoomPosts(deps, {
        orgId: org.orgId,
        runId,
        roomIds: [r],
        content: content({ imageIds: images }),
        windowEndsAt: window(deps),
      });
      expect(results.map((p) => [p.kind, p.fileId ?? null, p.status])).toEqual([
        ["text", null, "posted"],
        ["image", images[0], "posted"],
        ["image", images[1], "posted"],
      ]);
      expect(results[1]!.response).toMatchObject({
        recorded: true,
        post: { kind: "image", imageUrl: expect.stringMatching(/^http:\/\/alimi\.test\/f\//) },
      });
      expect(await wallet(org.orgId)).toEqual({ balance: credits(70), held: 0n });
      const ledger = (await call("GET", "/v1/credits/ledger", org)).json().data as {
        kind: string;
        amount: string;
      }[];
      const moves = ledger.filter((e) => e.kind === "hold" || e.kind === "capture");
      expect(moves.map((e) => [e.kind, e.amount]).sort()).toEqual([
        ["capture", "10.00"],
        ["capture", "10.00"],
        ["capture", "10.00"],
        ["hold", "10.00"],
        ["hold", "10.00"],
        ["hold", "10.00"],
      ]);
      const posts = (await call("GET", `/v1/rooms/${r}/posts`, org)).json().data;
      expect(posts).toHaveLength(3);
      expect(posts[0]).toMatchObject({ status: "posted", held: "10.00", charged: "10.00", runId });

      // The image link serves the file's bytes to anyone holding it, and nothing once altered.
      const url = new URL((results[1]!.response as { post: { imageUrl: string } }).post.imageUrl);
      const fetched = await app.inject({ method: "GET", url: `${url.pathname}${url.search}` });
      expect(fetched.statusCode).toBe(200);
      expect(fetched.headers["content-type"]).toBe("image/jpeg");
      expect(fetched.rawPayload.length).toBe(2000);
      const altered = await app.inject({
        method: "GET",
        url: `${url.pathname}${url.search.slice(0, -3)}xyz`,
      });
      expect(altered.statusCode).toBe(404);
      const otherFile = await app.inject({ method: "GET", url: `/f/${images[1]}${url.search}` });
      expect(otherFile.statusCode).toBe(404);
    });

    it("fails the posts of a fail- room, releasing their holds", async () => {
      const org = await createSendingOrg(db, { credits: 100, name: "Fails" });
      const r = await room(await sandboxGateway(org), "fail-always", org);
      const deps = runDeps();
      const results = await runRoomPosts(deps, {
        orgId: org.orgId,
        runId: newId("run"),
        roomIds: [r],
        content: content({ order: "text_only" }),
        windowEndsAt: window(deps),
      });
      expect(results).toEqual([
        expect.objectContaining({
          status: "failed",
          error: expect.objectContaining({ code: "GATEWAY_REFUSED" }),
        }),
      ]);
      expect(await wallet(org.orgId)).toEqual({ balance: credits(100), held: 0n });
      const kinds = (await call("GET", "/v1/credits/ledger", org))
        .json()
        .data.map((e: { kind: string }) => e.kind);
      expect(kinds.slice(0, 2)).toEqual(["release", "hold"]);
    });

    it("fails a post the wallet cannot pay for with INSUFFICIENT_CREDITS, and takes no slot", async () => {
      const org = await createSendingOrg(db, { credits: 15, name: "Poor" });
      const r = await room(await sandboxGateway(org), "poor", org);
      const deps = runDeps();
      const results = await runRoomPosts(deps, {
        orgId: org.orgId,
        runId: newId("run"),
        roomIds: [r],
        content: content({ imageIds: [await image(org)] }),
        windowEndsAt: window(deps),
      });
      expect(results.map((p) => [p.status, p.error?.code ?? null])).toEqual([
        ["posted", null],
        ["failed", "INSUFFICIENT_CREDITS"],
      ]);
      expect(await wallet(org.orgId)).toEqual({ balance: credits(5), held: 0n });
      const slots = await db.query<{ n: number }>(
        "select count(slot_at)::int as n from room_posts where room_id = $1",
        [r],
      );
      expect(slots.rows[0]!.n).toBe(1);
    });

    it("gives a deleted room nothing, and a room moved to another organization nothing", async () => {
      const org = await createSendingOrg(db, { credits: 100, name: "Gone" });
      const branch = await createSendingOrg(db, {
        credits: 100,
        name: "Gone 지점",
        parentId: org.orgId,
      });
      const gw = await sandboxGateway(org);
      const deleted = await room(gw, "deleted", org);
      const moved = await room(gw, "moved", org);
      await call("DELETE", `/v1/rooms/${deleted}`, org);
      await call("PATCH", `/v1/rooms/${moved}`, org, { orgId: branch.orgId });
      const deps = runDeps();
      const results = await runRoomPosts(deps, {
        orgId: org.orgId,
        runId: newId("run"),
        roomIds: [deleted, moved],
        content: content(),
        windowEndsAt: window(deps),
      });
      expect(results.map((p) => [p.roomId, p.status, p.error?.code])).toEqual([
        [deleted, "skipped", "ROOM_NOT_FOUND"],
        [moved, "skipped", "ROOM_NOT_FOUND"],
      ]);
      const posts = await db.query<{ n: number }>(
        "select count(*)::int as n from room_posts where room_id = any($1::text[])",
        [[deleted, moved]],
      );
      expect(posts.rows[0]!.n).toBe(0);
      expect(await wallet(org.orgId)).toEqual({ balance: credits(100), held: 0n });
    });

    it("skips a post whose room was deleted while it waited for its slot, releasing its hold", async () => {
      const org = await createSendingOrg(db, { credits: 100, name: "Midway" });
      const r = await room(await sandboxGateway(org), "midway", org);
      const deps = runDeps();
      let slept = 0;
      const sleep = async (ms: number) => {
        slept++;
        await call("DELETE", `/v1/rooms/${r}`, org);
        deps.clock.now = new Date(deps.clock.now.getTime() + ms);
      };
      const results = await runRoomPosts(
        { ...deps, sleep },
        {
          orgId: org.orgId,
          runId: newId("run"),
          roomIds: [r],
          content: content({ imageIds: [await image(org)] }),
          windowEndsAt: window(deps),
        },
      );
      expect(slept).toBe(1);
      expect(results.map((p) => p.status)).toEqual(["posted", "skipped"]);
      expect(await wallet(org.orgId)).toEqual({ balance: credits(90), held: 0n });
    });

    it("posts nothing twice when the same run is run again", async () => {
      const org = await createSendingOrg(db, { credits: 100, name: "Rerun" });
      const r = await room(await sandboxGateway(org), "rerun", org);
      const runId = newId("run");
      const input = (deps: { clock: { now: Date } }) => ({
        orgId: org.orgId,
        runId,
        roomIds: [r, r],
        content: content(),
        windowEndsAt: window(deps),
      });
      const deps = runDeps();
      const first = await runRoomPosts(deps, input(deps));
      const again = await runRoomPosts(deps, input(deps));
      expect(first).toHaveLength(1);
      expect(again).toEqual(first);
      const rows = await db.query<{ n: number }>(
        "select count(*)::int as n from room_posts where run_id = $1",
        [runId],
      );
      expect(rows.rows[0]!.n).toBe(1);
      expect(await wallet(org.orgId)).toEqual({ balance: credits(90), held: 0n });
    });

    it("sends a post a crashed run left reserved once, when the run is run again", async () => {
      const org = await createSendingOrg(db, { credits: 100, name: "Crash" });
      const r = await room(await sandboxGateway(org), "crash", org);
      const runId = newId("run");
      const deps = runDeps();
      const input = {
        orgId: org.orgId,
        runId,
        roomIds: [r],
        content: content({ imageIds: [await image(org)] }),
        windowEndsAt: window(deps),
      };
      // The process dies while the second post waits for its slot: it stays reserved, its price held.
      const crashing = runRoomPosts(
        {
          ...deps,
          sleep: async () => {
            throw new Error("killed");
          },
        },
        input,
      );
      await expect(crashing).rejects.toThrow("killed");
      expect(await wallet(org.orgId)).toEqual({ balance: credits(90), held: credits(10) });
      // The reserved post's hold is accounted for: the wallet agrees with what holds it.
      const audit = (await auditWallets(db)).find((w) => w.orgId === org.orgId);
      expect(audit).toMatchObject({ held: credits(10), unsettledHolds: credits(10) });

      const again = await runRoomPosts(deps, input);
      expect(again.map((p) => [p.kind, p.status])).toEqual([
        ["text", "posted"],
        ["image", "posted"],
      ]);
      const rows = await db.query<{ status: string }>(
        "select status from room_posts where run_id = $1 order by seq",
        [runId],
      );
      expect(rows.rows.map((row) => row.status)).toEqual(["posted", "posted"]);
      expect(await wallet(org.orgId)).toEqual({ balance: credits(80), held: 0n });
    });

    it("records a test room's posts without charging them", async () => {
      const org = await createSendingOrg(db, { credits: 100, name: "Test mode" });
      const r = await room(await sandboxGateway(org), "test-room", org, "test");
      const deps = runDeps();
      const results = await runRoomPosts(deps, {
        orgId: org.orgId,
        runId: newId("run"),
        roomIds: [r],
        content: content(),
        windowEndsAt: window(deps),
      });
      expect(results[0]).toMatchObject({
        status: "posted",
        response: { recorded: true, test: true },
      });
      expect(await wallet(org.orgId)).toEqual({ balance: credits(100), held: 0n });
    });

    it("logs rate_limited a post whose slot falls after the run's window, moving no money", async () => {
      const org = await createSendingOrg(db, { credits: 100, name: "Window" });
      const r = await room(await sandboxGateway(org), "window", org);
      const deps = runDeps();
      const results = await runRoomPosts(deps, {
        orgId: org.orgId,
        runId: newId("run"),
        roomIds: [r],
        content: content({ imageIds: [await image(org)] }),
        windowEndsAt: new Date(deps.clock.now.getTime() + 20_000),
      });
      expect(results.map((p) => [p.status, p.error?.code ?? null])).toEqual([
        ["posted", null],
        ["rate_limited", "RATE_LIMITED"],
      ]);
      expect(await wallet(org.orgId)).toEqual({ balance: credits(90), held: 0n });
    });

    it("books the ancestors' margins on a branch's posts", async () => {
      const hq = await createSendingOrg(db, { credits: 100, name: "Margin 본사" });
      const branch = await createSendingOrg(db, {
        credits: 100,
        name: "Margin 지점",
        parentId: hq.orgId,
      });
      const marked = await call("PUT", `/v1/orgs/${branch.orgId}/pricing`, hq, {
        markupPercent: 50,
      });
      expect(marked.statusCode).toBe(200);
      const r = await room(await sandboxGateway(hq), "margin", branch);
      const deps = runDeps();
      await runRoomPosts(deps, {
        orgId: branch.orgId,
        runId: newId("run"),
        roomIds: [r],
        content: content(),
        windowEndsAt: window(deps),
      });
      expect(await wallet(branch.orgId)).toEqual({ balance: credits(85), held: 0n });
      expect(await wallet(hq.orgId)).toEqual({ balance: credits(105), held: 0n });
      const kinds = (await call("GET", "/v1/credits/ledger", hq))
        .json()
        .data.map((e: { kind: string }) => e.kind);
      expect(kinds).toContain("margin");
    });
  });

  describe("an http gateway", async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    let answer: { status: number; body: string } = { status: 200, body: '{"ok":true,"id":"gw-1"}' };
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alimi`;

    const made = await call("POST", "/v1/bot-gateways", shop, {
      name: "HTTP 봇",
      kind: "http",
      url,
    });
    const secret = made.json().secret as string;
    const r = await room(made.json().id, "kakao-room-1");
    const realClock = () => runDeps({ now: () => new Date(), sleep: async () => {} });

    it("POSTs signed posts that verify with the Standard Webhooks library, and charges them", async () => {
      const before = await wallet(shop.orgId);
      const deps = realClock();
      const results = await runRoomPosts(deps, {
        orgId: shop.orgId,
        runId: newId("run"),
        roomIds: [r],
        content: content({ imageIds: [await image()], order: "images_first" }),
        windowEndsAt: new Date(Date.now() + 3_600_000),
      });
      expect(results.map((p) => [p.kind, p.status])).toEqual([
        ["image", "posted"],
        ["text", "posted"],
      ]);
      expect(results[0]!.response).toEqual({ status: 200, body: { ok: true, id: "gw-1" } });
      const verified = received.map((m) =>
        new Webhook(secret).verify(m.body, m.headers as Record<string, string>),
      );
      expect(verified).toEqual([
        expect.objectContaining({
          roomId: r,
          externalId: "kakao-room-1",
          kind: "image",
          imageUrl: expect.any(String),
        }),
        expect.objectContaining({ roomId: r, kind: "text", text: "이번 주 공지입니다" }),
      ]);
      expect(received.map((m) => m.headers["webhook-id"])).toEqual(results.map((p) => p.postId));
      // Signed with another secret, the same request does not verify.
      expect(() =>
        new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").verify(
          received[0]!.body,
          received[0]!.headers as Record<string, string>,
        ),
      ).toThrow();
      expect(await wallet(shop.orgId)).toEqual({ balance: before.balance - credits(20), held: 0n });
    });

    it("fails a post the gateway answers with an error, keeping its status and body", async () => {
      answer = { status: 503, body: '{"ok":false,"error":"bot offline"}' };
      const before = await wallet(shop.orgId);
      const deps = realClock();
      const results = await runRoomPosts(deps, {
        orgId: shop.orgId,
        runId: newId("run"),
        roomIds: [r],
        content: content({ order: "text_only" }),
        windowEndsAt: new Date(Date.now() + 3_600_000),
      });
      expect(results[0]).toMatchObject({
        status: "failed",
        error: { code: "GATEWAY_ERROR" },
        response: { status: 503, body: { ok: false, error: "bot offline" } },
      });
      expect(await wallet(shop.orgId)).toEqual(before);
      answer = { status: 200, body: '{"ok":true}' };
    });
  });
});
