import { describe, expect, it } from "vitest";
import { createTestApp, platformKey } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { MICRO_PER_CREDIT } from "../../domain/money.ts";
import { createOrg } from "../orgs/service.ts";

describe(`caller numbers on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const platform = await platformKey(db);
  const { org, apiKey } = await createOrg(db, {
    name: "Shop",
    credits: 1000n * MICRO_PER_CREDIT,
  });
  const auth = { authorization: `Bearer ${apiKey}` };

  const post = (url: string, payload: object, headers = auth) =>
    app.inject({ method: "POST", url, headers, payload });
  const list = async (headers = auth) =>
    (await app.inject({ method: "GET", url: "/v1/senders", headers })).json();
  const sms = (extra: object = {}) => ({
    type: "sms",
    text: "주문이 접수되었습니다.",
    recipients: [{ to: "010-1234-5678" }],
    ...extra,
  });

  let senderId = "";

  it("a customer registers a number → 201 pending, shown formatted", async () => {
    const res = await post("/v1/senders", { number: "0315551234" });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^snd_/),
      number: "031-555-1234",
      status: "pending",
      isDefault: false,
      createdAt: expect.any(String),
      verifiedAt: null,
    });
    senderId = body.id;
  });

  it("GET /v1/senders lists it", async () => {
    expect(await list()).toEqual({
      data: [
        {
          id: senderId,
          number: "031-555-1234",
          status: "pending",
          isDefault: false,
          createdAt: expect.any(String),
          verifiedAt: null,
        },
      ],
      nextCursor: null,
    });
  });

  it("a pending number cannot be used as from", async () => {
    const res = await post("/v1/messages", sms({ from: "031-555-1234" }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      expect.objectContaining({ path: "/from", code: "SENDER_NOT_VERIFIED" }),
    ]);
  });

  it("a customer cannot verify its own number (403)", async () => {
    const res = await post(`/v1/senders/${senderId}/verify`, {});
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("FORBIDDEN");
    expect((await list()).data[0]).toMatchObject({ status: "pending", isDefault: false });
  });

  it("another organization's key cannot see it to verify (404)", async () => {
    const other = await createOrg(db, { name: "Other" });
    const res = await post(
      `/v1/senders/${senderId}/verify`,
      {},
      {
        authorization: `Bearer ${other.apiKey}`,
      },
    );
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe("NOT_FOUND");
  });

  it("the platform operator verifies it → verified, and as the first verified number, default", async () => {
    const res = await post(`/v1/senders/${senderId}/verify`, {}, platform.auth);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id: senderId,
      number: "031-555-1234",
      status: "verified",
      isDefault: true,
      createdAt: expect.any(String),
      verifiedAt: expect.any(String),
    });
    expect((await list()).data).toEqual([
      expect.objectContaining({ id: senderId, status: "verified", isDefault: true }),
    ]);
    // The operator's own list is its own numbers, not its customers'.
    expect((await list(platform.auth)).data).toEqual([]);
  });

  it("the organization sends from the verified number (202); an unregistered one → 400", async () => {
    const ok = await post("/v1/messages", sms({ from: "031-555-1234" }));
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toMatchObject({ accepted: 1, cost: { held: "15.00" } });

    // Without from, the default number is used.
    const byDefault = await post("/v1/messages", sms());
    expect(byDefault.statusCode).toBe(202);

    const res = await post("/v1/messages", sms({ from: "02-9999-8888" }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [expect.objectContaining({ path: "/from", code: "SENDER_NOT_REGISTERED" })],
    });
  });

  it("a second verified number does not take the default", async () => {
    const added = await post("/v1/senders", { number: "02-3333-4444" });
    expect(added.statusCode).toBe(201);
    const verified = await post(`/v1/senders/${added.json().id}/verify`, {}, platform.auth);
    expect(verified.json()).toMatchObject({ status: "verified", isDefault: false });
    const defaults = (await list()).data.filter((s: { isDefault: boolean }) => s.isDefault);
    expect(defaults.map((s: { id: string }) => s.id)).toEqual([senderId]);
  });

  it.each([
    ["12", "too short"],
    ["010-12", "a mobile fragment"],
    ["02-12-34567890123", "too long"],
    ["abc-defg", "not digits"],
  ])("an invalid number %s (%s) → 400 at /number", async (number) => {
    const before = (await list()).data.length;
    const res = await post("/v1/senders", { number });
    expect(res.statusCode).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details).toEqual([
      { path: "/number", code: "INVALID_SENDER", message: expect.any(String) },
    ]);
    expect((await list()).data.length).toBe(before);
  });

  it("registering the same number twice returns the same id, and keeps it verified", async () => {
    const again = await post("/v1/senders", { number: "031-555-1234" });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({
      id: senderId,
      number: "031-555-1234",
      status: "verified",
      isDefault: true,
    });
    const spaced = await post("/v1/senders", { number: "031 555 1234" });
    expect(spaced.json().id).toBe(senderId);
    const rows = await db.query("select 1 from senders where org_id = $1 and number = $2", [
      org.id,
      "0315551234",
    ]);
    expect(rows.rows).toHaveLength(1);
  });

  it("the platform operator's own numbers are verified at once", async () => {
    const res = await post("/v1/senders", { number: "1588-1234" }, platform.auth);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ number: "1588-1234", status: "verified", isDefault: true });
  });
});
