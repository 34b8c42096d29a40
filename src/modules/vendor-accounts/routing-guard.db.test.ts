// Routing never points at an account that cannot send: an account that
// routing uses cannot be disabled (as it cannot be deleted), and routing
// refuses an account that is not active. Each refusal says what and where.
import { describe, expect, it } from "vitest";
import { createSendingOrg, platformKey } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { startPipeline } from "../../../test/pipeline.ts";

describe(`routing and account status on ${engine}`, async () => {
  const pipeline = await startPipeline({ workers: false });
  const { app, db } = pipeline;
  const shop = await createSendingOrg(db, { credits: 100, name: "Shop" });
  const call = (
    method: "GET" | "PATCH" | "PUT" | "POST",
    url: string,
    payload?: object,
    auth = shop.auth,
  ) => app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const create = async (name: string) => {
    const res = await call("POST", "/v1/vendor-accounts", { vendor: "sandbox", name });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; version: number };
  };

  it("refuses to disable an account that routing uses, naming who uses it", async () => {
    const primary = await create("primary");
    const secondary = await create("secondary");
    const routed = await call("PUT", `/v1/orgs/${shop.orgId}/routing`, {
      sms: { primary: primary.id, secondary: secondary.id },
    });
    expect(routed.statusCode).toBe(200);

    for (const [account, part] of [
      [primary, "primary"],
      [secondary, "secondary"],
    ] as const) {
      const refused = await call("PATCH", `/v1/vendor-accounts/${account.id}`, {
        version: account.version,
        status: "disabled",
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toMatchObject({
        code: "CONFLICT",
        message: expect.stringContaining("routing uses it"),
        details: [
          expect.objectContaining({
            path: "/status",
            code: "ACCOUNT_ROUTED",
            message: `organization ${shop.orgId} routes sms through it (${part})`,
          }),
        ],
      });
      // Nothing changed: still active, same version.
      expect((await call("GET", `/v1/vendor-accounts/${account.id}`)).json()).toMatchObject({
        status: "active",
        version: account.version,
      });
    }

    // Once routing no longer uses it, it may be disabled.
    await call("PUT", `/v1/orgs/${shop.orgId}/routing`, { sms: { primary: primary.id } });
    const disabled = await call("PATCH", `/v1/vendor-accounts/${secondary.id}`, {
      version: secondary.version,
      status: "disabled",
    });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ status: "disabled" });
  });

  it("refuses routing through an account that is not active", async () => {
    const spare = await create("spare");
    const off = await call("PATCH", `/v1/vendor-accounts/${spare.id}`, {
      version: spare.version,
      status: "disabled",
    });
    expect(off.statusCode).toBe(200);
    const refused = await call("PUT", `/v1/orgs/${shop.orgId}/routing`, {
      alimtalk: { primary: spare.id },
      sms: { primary: pipeline.sandboxAccountId, secondary: spare.id },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [
        {
          path: "/alimtalk/primary",
          code: "VENDOR_ACCOUNT_INACTIVE",
          message: `vendor account ${spare.id} is disabled: enable it first`,
        },
        {
          path: "/sms/secondary",
          code: "VENDOR_ACCOUNT_INACTIVE",
          message: `vendor account ${spare.id} is disabled: enable it first`,
        },
      ],
    });
    // Enabled again, it may be routed.
    const on = await call("PATCH", `/v1/vendor-accounts/${spare.id}`, {
      version: off.json().version,
      status: "active",
    });
    expect(on.statusCode).toBe(200);
    const routed = await call("PUT", `/v1/orgs/${shop.orgId}/routing`, {
      alimtalk: { primary: spare.id },
    });
    expect(routed.statusCode).toBe(200);
  });

  it("refuses to disable the platform's default account", async () => {
    const operator = await platformKey(db);
    const current = (
      await call(
        "GET",
        `/v1/vendor-accounts/${pipeline.sandboxAccountId}`,
        undefined,
        operator.auth,
      )
    ).json();
    const refused = await call(
      "PATCH",
      `/v1/vendor-accounts/${pipeline.sandboxAccountId}`,
      { version: current.version, status: "disabled" },
      operator.auth,
    );
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details).toEqual([
      expect.objectContaining({ path: "/status", code: "DEFAULT_ACCOUNT" }),
    ]);
  });
});
