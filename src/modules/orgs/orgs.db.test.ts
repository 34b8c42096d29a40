import { describe, expect, it } from "vitest";
import { createTestApp, platformKey } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { createOrg } from "./service.ts";

describe(`organizations for operators on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const operator = await platformKey(db);
  const hq = await createOrg(db, { name: "서울 본사" });
  const agency = await createOrg(db, { name: "강남 대리점", parentId: hq.org.id, kind: "agency" });
  await createOrg(db, { name: "강남역 지점", parentId: agency.org.id });
  const other = await createOrg(db, { name: "부산 본사" });
  const get = (url: string, apiKey: string) =>
    app.inject({ method: "GET", url, headers: { authorization: `Bearer ${apiKey}` } });

  it("searches and pages the caller's subtree only", async () => {
    const all = (await get("/v1/orgs?limit=1000", operator.apiKey)).json();
    expect(all.data.map((o: { name: string }) => o.name)).toEqual(
      expect.arrayContaining(["서울 본사", "강남 대리점", "강남역 지점", "부산 본사"]),
    );
    const mine = (await get("/v1/orgs?limit=1000", hq.apiKey)).json();
    expect(mine.data.map((o: { name: string }) => o.name).sort()).toEqual(
      ["강남 대리점", "강남역 지점", "서울 본사"].sort(),
    );
    const found = (await get(`/v1/orgs?search=${encodeURIComponent("강남")}`, hq.apiKey)).json();
    expect(found.data.map((o: { name: string }) => o.name).sort()).toEqual(
      ["강남 대리점", "강남역 지점"].sort(),
    );
    const agencies = (await get("/v1/orgs?kind=agency", hq.apiKey)).json();
    expect(agencies.data).toEqual([
      expect.objectContaining({ id: agency.org.id, parentId: hq.org.id, depth: 2 }),
    ]);

    const first = (await get("/v1/orgs?limit=2", hq.apiKey)).json();
    expect(first.data).toHaveLength(2);
    const rest = (await get(`/v1/orgs?limit=2&cursor=${first.nextCursor}`, hq.apiKey)).json();
    expect(rest.data).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
  });

  it("shows one organization of the subtree, and 404 outside it", async () => {
    expect((await get(`/v1/orgs/${agency.org.id}`, hq.apiKey)).json()).toMatchObject({
      id: agency.org.id,
      kind: "agency",
      name: "강남 대리점",
      timezone: "Asia/Seoul",
    });
    expect((await get(`/v1/orgs/${other.org.id}`, hq.apiKey)).statusCode).toBe(404);
    expect((await get(`/v1/orgs/${hq.org.id}`, agency.apiKey)).statusCode).toBe(404);
  });
});
