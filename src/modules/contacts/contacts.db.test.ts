// An organization's address book through the API: contacts unique by
// number, groups with 미지정 and name(2), member moves that never leave a
// contact in no group, opt-outs, and a CSV export Excel opens in Korean.
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { runDoctor } from "../doctor/service.ts";

describe(`contacts and groups on ${engine}`, async () => {
  const { app, db } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 10, name: "주소록" });
  const other = await createSendingOrg(db, { credits: 10, name: "다른 가게" });
  type Method = "GET" | "POST" | "PATCH" | "DELETE";
  const call = (method: Method, url: string, payload?: object, auth = shop.auth) =>
    app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const groupsOf = async () =>
    (await call("GET", "/v1/groups")).json().data as {
      id: string;
      name: string;
      system: boolean;
      contactCount: number;
    }[];
  const groupNames = async (contactId: string) =>
    (await call("GET", `/v1/contacts/${contactId}`))
      .json()
      .groups.map((g: { name: string }) => g.name);

  it("adds a contact in 미지정, normalised, once per number", async () => {
    const res = await call("POST", "/v1/contacts", {
      phone: "010-3100-0001",
      name: " 김민지 ",
      attributes: { 매장: "강남점", points: 1200, vip: true },
      consent: { advertising: true, source: "매장 가입 신청서" },
    });
    expect(res.statusCode).toBe(201);
    const contact = res.json();
    expect(contact).toMatchObject({
      phone: "+821031000001",
      name: "김민지",
      attributes: { 매장: "강남점", points: 1200, vip: true },
      groups: [{ name: "미지정" }],
      consent: {
        advertising: { granted: true, source: "매장 가입 신청서" },
        night: { granted: false, at: null, source: null },
      },
      optedOut: false,
    });
    const again = await call("POST", "/v1/contacts", { phone: "+82 10-3100-0001" });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details[0]).toMatchObject({
      path: "/phone",
      code: "CONTACT_EXISTS",
      contactId: contact.id,
    });
    // Another organization has its own address book.
    expect(
      (await call("POST", "/v1/contacts", { phone: "010-3100-0001" }, other.auth)).statusCode,
    ).toBe(201);
    expect(
      (await call("GET", `/v1/contacts/${contact.id}`, undefined, other.auth)).statusCode,
    ).toBe(404);
  });

  it("names what is wrong in a contact, and stores nothing", async () => {
    const res = await call("POST", "/v1/contacts", {
      phone: "010-3100-0002",
      name: "가".repeat(101),
      attributes: { "bad key": "x" },
      groupIds: ["grp_nope"],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual([
      "/name",
      "/attributes/bad key",
    ]);
    const phone = await call("POST", "/v1/contacts", { phone: "12345" });
    expect(phone.json().error.details[0]).toMatchObject({ path: "/phone", code: "INVALID_PHONE" });
    const group = await call("POST", "/v1/contacts", {
      phone: "010-3100-0002",
      groupIds: ["grp_nope"],
    });
    expect(group.json().error.details[0]).toMatchObject({
      path: "/groupIds/0",
      code: "GROUP_NOT_FOUND",
    });
    const found = await call("GET", "/v1/contacts?search=3100-0002");
    expect(found.json().data).toEqual([]);
  });

  it("names a group that exists again name(2), name(3), and keeps 미지정 fixed", async () => {
    const names = [];
    for (let i = 0; i < 3; i++)
      names.push((await call("POST", "/v1/groups", { name: "VIP" })).json().name);
    expect(names).toEqual(["VIP", "VIP(2)", "VIP(3)"]);
    const system = (await groupsOf()).find((g) => g.system)!;
    expect(system.name).toBe("미지정");
    expect((await call("PATCH", `/v1/groups/${system.id}`, { name: "x" })).statusCode).toBe(409);
    expect((await call("DELETE", `/v1/groups/${system.id}`)).statusCode).toBe(409);
    const vip2 = (await groupsOf()).find((g) => g.name === "VIP(2)")!;
    const taken = await call("PATCH", `/v1/groups/${vip2.id}`, { name: "VIP" });
    expect(taken.statusCode).toBe(409);
    expect((await call("PATCH", `/v1/groups/${vip2.id}`, { name: "단골" })).json().name).toBe(
      "단골",
    );
  });

  it("moves, copies and removes members, and a contact is never in no group", async () => {
    const a = (await call("POST", "/v1/groups", { name: "A" })).json();
    const b = (await call("POST", "/v1/groups", { name: "B" })).json();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(
        (await call("POST", "/v1/contacts", { phone: `010-3200-000${i}`, groupIds: [a.id] })).json()
          .id,
      );
    }
    expect(await groupNames(ids[0]!)).toEqual(["A"]);
    // Copy two to B: in both.
    expect(
      (
        await call("POST", `/v1/groups/${a.id}/members/copy`, {
          contactIds: ids.slice(0, 2),
          toGroupId: b.id,
        })
      ).json(),
    ).toEqual({ affected: 2 });
    expect(await groupNames(ids[0]!)).toEqual(["A", "B"]);
    // Move all of A to B: all in B only.
    expect(
      (
        await call("POST", `/v1/groups/${a.id}/members/move`, { all: true, toGroupId: b.id })
      ).json(),
    ).toEqual({ affected: 4 });
    for (const id of ids) expect(await groupNames(id)).toEqual(["B"]);
    // Removed from their only group, they go to 미지정; added to a group, they leave it.
    await call("POST", `/v1/groups/${b.id}/members/remove`, { contactIds: ids.slice(0, 2) });
    expect(await groupNames(ids[0]!)).toEqual(["미지정"]);
    await call("POST", `/v1/groups/${a.id}/members`, { contactIds: [ids[0]!, "ct_not_mine"] });
    expect(await groupNames(ids[0]!)).toEqual(["A"]);
    // Deleting a group leaves its contacts in 미지정.
    expect((await call("DELETE", `/v1/groups/${b.id}`)).statusCode).toBe(204);
    expect(await groupNames(ids[2]!)).toEqual(["미지정"]);
    const system = (await groupsOf()).find((g) => g.system)!;
    const toSystem = await call("POST", `/v1/groups/${a.id}/members/move`, {
      all: true,
      toGroupId: system.id,
    });
    expect(toSystem.statusCode).toBe(409);
    // PATCH sets a contact's groups exactly; none is 미지정.
    const set = await call("PATCH", `/v1/contacts/${ids[3]!}`, { groupIds: [a.id] });
    expect(set.json().groups.map((g: { name: string }) => g.name)).toEqual(["A"]);
    expect(
      (await call("PATCH", `/v1/contacts/${ids[3]!}`, { groupIds: [] }))
        .json()
        .groups.map((g: { name: string }) => g.name),
    ).toEqual(["미지정"]);
    expect((await runDoctor(db)).violations.filter((v) => v.contactId)).toEqual([]);
  });

  it("the doctor finds a contact that a statement left in no group", async () => {
    const c = (await call("POST", "/v1/contacts", { phone: "010-3300-0001" })).json();
    await db.query("alter table group_members disable trigger group_members_left");
    try {
      await db.query("delete from group_members where contact_id = $1", [c.id]);
    } finally {
      await db.query("alter table group_members enable trigger group_members_left");
    }
    expect((await runDoctor(db)).violations).toContainEqual({
      contactId: c.id,
      problem: "the contact is in no group (not even 미지정)",
    });
    await call("DELETE", `/v1/contacts/${c.id}`);
  });

  it("searches by name or by the number's digits, and pages", async () => {
    await call("POST", "/v1/contacts", { phone: "010-3400-5678", name: "박서준" });
    const byName = (await call("GET", "/v1/contacts?search=서준")).json().data;
    expect(byName.map((c: { name: string }) => c.name)).toEqual(["박서준"]);
    const byDigits = (await call("GET", "/v1/contacts?search=010-3400")).json().data;
    expect(byDigits.map((c: { phone: string }) => c.phone)).toEqual(["+821034005678"]);
    const page = (await call("GET", "/v1/contacts?limit=2")).json();
    expect(page.data).toHaveLength(2);
    const next = (await call("GET", `/v1/contacts?limit=2&cursor=${page.nextCursor}`)).json();
    expect(next.data[0].id > page.data[1].id).toBe(true);
  });

  it("records and withdraws opt-outs, shown on the contact", async () => {
    const res = await call("POST", "/v1/opt-outs", {
      phone: "010-3400-5678",
      source: "080 수신거부",
    });
    expect(res.json()).toMatchObject({ phone: "+821034005678", scope: "advertising" });
    const widened = await call("POST", "/v1/opt-outs", { phone: "01034005678", scope: "all" });
    expect(widened.json()).toMatchObject({ scope: "all", source: "080 수신거부" });
    const contact = (await call("GET", "/v1/contacts?search=서준")).json().data[0];
    expect(contact).toMatchObject({ optedOut: true, optOutScope: "all" });
    expect((await call("GET", "/v1/opt-outs")).json().data).toHaveLength(1);
    expect((await call("DELETE", "/v1/opt-outs/010-3400-5678")).statusCode).toBe(204);
    expect((await call("DELETE", "/v1/opt-outs/010-3400-5678")).statusCode).toBe(404);
  });

  it("exports CSV that Excel opens in Korean: BOM, 전화번호, 이름, then the attributes", async () => {
    const res = await call("GET", "/v1/contacts/export");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = res.body.replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[0]).toBe("전화번호,이름,points,vip,매장");
    expect(lines).toContain("010-3100-0001,김민지,1200,true,강남점");
    expect(lines.at(-1)).toBe("");
  });
});
