// Templates as the tests need them: written and approved through the API the
// way an organization and the platform operator do it (request-review, then
// the operator's approval, acting for the organization), for tests of what
// an approved template sends. Tests that only need a sendable template use
// createApprovedTemplate (src/modules/templates/service.ts) instead.
import { expect } from "vitest";
import type { Db } from "../../src/db/client.ts";
import type { App } from "../../src/http/types.ts";
import { platformKey } from "../app.ts";

/** Sends the organization's template for review and has the platform operator approve it. */
export async function approveThroughOperator(
  app: App,
  db: Db,
  options: { auth: { authorization: string }; orgId: string; code: string },
): Promise<void> {
  const requested = await app.inject({
    method: "POST",
    url: `/v1/templates/${encodeURIComponent(options.code)}/request-review`,
    headers: options.auth,
  });
  expect(requested.statusCode, requested.body).toBe(200);
  expect(requested.json()).toMatchObject({ status: "requested", review: { reviewer: "operator" } });
  const operator = await platformKey(db);
  const approved = await app.inject({
    method: "POST",
    url: `/v1/templates/${encodeURIComponent(options.code)}/approve`,
    headers: { ...operator.auth, "x-alimi-org": options.orgId },
  });
  expect(approved.statusCode, approved.body).toBe(200);
  expect(approved.json().status).toBe("approved");
}

/** Creates a template through the API and has it approved: it can be sent at once. */
export async function createApprovedThroughApi(
  app: App,
  db: Db,
  options: { auth: { authorization: string }; orgId: string; template: { code: string } & object },
): Promise<void> {
  const created = await app.inject({
    method: "POST",
    url: "/v1/templates",
    headers: options.auth,
    payload: options.template,
  });
  expect(created.statusCode, created.body).toBe(201);
  await approveThroughOperator(app, db, { ...options, code: options.template.code });
}
