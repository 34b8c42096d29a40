// Importing contacts from Excel and CSV through the API: uploaded, parsed by
// the worker into staged rows numbered as the sheet numbers them, committed
// into a group in one transaction (or discarded), and never stuck: a worker
// that dies mid-parse or mid-commit leaves work the next one finishes.
import { PassThrough } from "node:stream";
import { createDeflateRaw } from "node:zlib";
import ExcelJS from "exceljs";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createSendingOrg, createTestApp, type TestOrg } from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import type { Db } from "../../db/client.ts";
import { claimImport, recordCommitProgress, recordParseProgress } from "./queries.ts";
import { type ImportWorkerOptions, runNextImport } from "./worker.ts";

/** A multipart/form-data body: the file and any text fields. */
function multipart(
  file: { name: string; data: Buffer } | null,
  fields: Record<string, string> = {},
) {
  const boundary = "----alimi-import-boundary";
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: application/octet-stream\r\n\r\n`,
      ),
      file.data,
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

/** A real .xlsx, written by exceljs: rows as given, the first the header. */
async function workbook(rows: unknown[][], options: { sheets?: string[] } = {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const extra of options.sheets ?? []) wb.addWorksheet(extra).addRow(["다른 시트"]);
  const ws = wb.addWorksheet("고객");
  rows.forEach((row, i) => {
    if (row.length > 0) ws.getRow(i + 1).values = row as ExcelJS.CellValue[];
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A deflated zip entry, streamed: `size` bytes of spaces without holding them. */
async function deflateSpaces(size: number): Promise<Buffer> {
  const out: Buffer[] = [];
  const deflate = createDeflateRaw({ level: 9 });
  deflate.on("data", (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve) => deflate.on("end", resolve));
  const block = Buffer.alloc(1024 * 1024, 0x20);
  for (let written = 0; written < size; written += block.length) {
    if (!deflate.write(block)) await new Promise((resolve) => deflate.once("drain", resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

/** A workbook zip whose sheet is `sheet` (already deflated), declaring `declaredSize`. */
function bombWorkbook(sheet: Buffer, declaredSize: number): Buffer {
  const parts = [
    { name: "[Content_Types].xml", body: Buffer.from("<Types/>"), stored: true },
    { name: "xl/workbook.xml", body: Buffer.from("<workbook/>"), stored: true },
    { name: "xl/worksheets/sheet1.xml", body: sheet, stored: false },
  ];
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const size = part.stored ? part.body.length : declaredSize;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(part.stored ? 0 : 8, 8);
    local.writeUInt32LE(part.body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(part.stored ? 0 : 8, 10);
    central.writeUInt32LE(part.body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, part.body);
    centrals.push(central, name);
    offset += 30 + name.length + part.body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const BOM = "\uFEFF";

describe(`imports on ${engine}`, async () => {
  const { app, db, clock } = await createTestApp();
  const shop = await createSendingOrg(db, { credits: 10, name: "가져오기" });
  const other = await createSendingOrg(db, { credits: 10, name: "남의 가게" });
  const logger = pino({ level: "silent" });
  const worker = (options: Partial<ImportWorkerOptions> = {}): ImportWorkerOptions => ({
    db,
    logger,
    now: () => clock.now,
    ...options,
  });
  /** Runs the worker until it has nothing left to do. */
  const drain = async (options: Partial<ImportWorkerOptions> = {}) => {
    let n = 0;
    while (await runNextImport(worker(options))) n++;
    return n;
  };

  type Method = "GET" | "POST" | "DELETE";
  const call = (method: Method, url: string, payload?: object, org: TestOrg = shop) =>
    app.inject({ method, url, headers: org.auth, ...(payload ? { payload } : {}) });
  const upload = (
    file: { name: string; data: Buffer } | null,
    fields: Record<string, string> = {},
    org: TestOrg = shop,
    headers: Record<string, string> = {},
  ) => {
    const body = multipart(file, fields);
    return app.inject({
      method: "POST",
      url: "/v1/imports",
      payload: body.payload,
      headers: { ...org.auth, ...body.headers, ...headers },
    });
  };
  /** Uploads, runs the worker, and answers the import as it then is. */
  const imported = async (
    file: { name: string; data: Buffer },
    fields: Record<string, string> = {},
  ) => {
    const res = await upload(file, fields);
    expect(res.statusCode, res.body).toBe(202);
    await drain();
    return (await call("GET", `/v1/imports/${res.json().id}`)).json();
  };
  const rowsOf = async (id: string, query = "") =>
    (await call("GET", `/v1/imports/${id}/rows?limit=1000${query}`)).json().data as {
      row: number;
      status: string;
      phone: string | null;
      name: string | null;
      attributes: Record<string, unknown>;
      errors: { code: string; cell: string }[];
      duplicateOf: number | null;
      contactId: string | null;
    }[];
  const contactByPhone = async (phone: string, org: TestOrg = shop) => {
    const r = await db.query<{ id: string }>(
      "select id from contacts where org_id = $1 and phone = $2",
      [org.orgId, phone],
    );
    const id = r.rows[0]?.id;
    return id ? (await call("GET", `/v1/contacts/${id}`, undefined, org)).json() : null;
  };
  const countContacts = async () =>
    Number(
      (
        await db.query<{ n: number }>("select count(*)::int as n from contacts where org_id = $1", [
          shop.orgId,
        ])
      ).rows[0]!.n,
    );
  const newGroup = async (name: string) =>
    (await call("POST", "/v1/groups", { name })).json().id as string;

  it("stages an .xlsx with Korean headers, row by row as the sheet numbers them, and commits it", async () => {
    const existing = (
      await call("POST", "/v1/contacts", {
        phone: "010-5000-0003",
        name: "기존 고객",
        attributes: { 등급: "VIP", 매장: "본점" },
        consent: { advertising: true, source: "가입서" },
      })
    ).json();
    const group = await newGroup("12월 행사");
    const data = await workbook([
      ["이름", "휴대폰", "매장", "가입일", "포인트"],
      ["김민지", "010-5000-0001", "강남점", new Date(Date.UTC(2024, 0, 5)), 1200],
      // Typed as a number, Excel drops the leading 0.
      ["이서준", 1050000002, "홍대점", null, 300],
      [],
      ["박하늘", "010-5000-0003", "부산점", null, { formula: "100*2", result: 200 }],
      [{ richText: [{ text: "최" }, { text: "수진", font: { bold: true } }] }, "02-123-4567"],
      ["정우성", "010-5000-0001", "강남점"],
      ["", "", "메모만"],
      ["한지민", ""],
      ["강동원", "010-5000-0009"],
    ]);
    const res = await upload({ name: "고객명단.xlsx", data }, { groupId: group });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({
      id: expect.stringMatching(/^imp_/),
      status: "parsing",
      fileName: "고객명단.xlsx",
      fileType: "xlsx",
      groupId: group,
      progress: 0,
      columns: {
        phone: { column: "B", header: "휴대폰" },
        name: { column: "A", header: "이름" },
        attributes: [
          { key: "매장", column: "C", header: "매장" },
          { key: "가입일", column: "D", header: "가입일" },
          { key: "포인트", column: "E", header: "포인트" },
        ],
      },
    });
    const id = res.json().id as string;
    expect(await drain()).toBe(1);

    const staged = (await call("GET", `/v1/imports/${id}`)).json();
    expect(staged).toMatchObject({
      status: "ready",
      progress: 1,
      rows: { total: 8, valid: 3, invalid: 3, duplicateInFile: 1, existing: 1 },
      error: null,
    });
    expect(staged.result).toBeUndefined();
    // Row numbers are the sheet's: the blank row 4 is skipped and counted nowhere.
    expect(
      staged.errors.map((e: { row: number; column: string; code: string }) => [
        e.row,
        e.column,
        e.code,
      ]),
    ).toEqual([
      [6, "휴대폰", "INVALID_PHONE"],
      [8, "휴대폰", "PHONE_REQUIRED"],
      [9, "휴대폰", "PHONE_REQUIRED"],
    ]);
    expect(staged.errors[0]).toMatchObject({
      cell: "B6",
      message: expect.stringContaining("landline"),
    });

    const rows = await rowsOf(id);
    expect(rows.map((r) => [r.row, r.status])).toEqual([
      [2, "valid"],
      [3, "valid"],
      [5, "existing"],
      [6, "invalid"],
      [7, "duplicate"],
      [8, "invalid"],
      [9, "invalid"],
      [10, "valid"],
    ]);
    expect(rows[0]).toMatchObject({
      phone: "+821050000001",
      name: "김민지",
      attributes: { 매장: "강남점", 가입일: "2024-01-05", 포인트: 1200 },
    });
    expect(rows[1]).toMatchObject({
      phone: "+821050000002",
      attributes: { 매장: "홍대점", 포인트: 300 },
    });
    expect(rows[2]).toMatchObject({ contactId: existing.id, attributes: { 포인트: 200 } });
    expect(rows[3]).toMatchObject({ name: "최수진" });
    expect(rows[4]).toMatchObject({ duplicateOf: 2, name: "정우성" });
    expect((await rowsOf(id, "&status=duplicate")).map((r) => r.row)).toEqual([7]);
    const page = (await call("GET", `/v1/imports/${id}/rows?limit=3&status=valid`)).json();
    expect(page.data.map((r: { row: number }) => r.row)).toEqual([2, 3, 10]);
    expect(page.nextCursor).toBeNull();
    const first = (await call("GET", `/v1/imports/${id}/rows?limit=2`)).json();
    const next = (
      await call("GET", `/v1/imports/${id}/rows?limit=2&cursor=${first.nextCursor}`)
    ).json();
    expect(next.data.map((r: { row: number }) => r.row)).toEqual([5, 6]);

    // Nothing is stored before the commit.
    expect(await contactByPhone("+821050000001")).toBeNull();
    const commit = await call("POST", `/v1/imports/${id}/commit`, {});
    expect(commit.statusCode, commit.body).toBe(202);
    expect(commit.json()).toMatchObject({ status: "committing", onExisting: "update" });
    await drain();
    const done = (await call("GET", `/v1/imports/${id}`)).json();
    expect(done).toMatchObject({
      status: "completed",
      progress: 1,
      result: { created: 3, updated: 1, skipped: 0 },
      completedAt: expect.any(String),
    });

    const kim = await contactByPhone("+821050000001");
    expect(kim).toMatchObject({
      id: expect.stringMatching(/^ct_/),
      name: "김민지",
      attributes: { 매장: "강남점", 가입일: "2024-01-05", 포인트: 1200 },
      groups: [{ id: group, name: "12월 행사" }],
      consent: { advertising: { granted: false } },
    });
    expect((await contactByPhone("+821050000009")).name).toBe("강동원");
    // The existing contact: the file's name and attributes over its own, the group
    // joined (and 미지정 left), its consent kept.
    expect(await contactByPhone("+821050000003")).toMatchObject({
      id: existing.id,
      name: "박하늘",
      attributes: { 등급: "VIP", 매장: "부산점", 포인트: 200 },
      groups: [{ id: group }],
      consent: { advertising: { granted: true, source: "가입서" } },
    });
    const groupNow = (await call("GET", `/v1/groups/${group}`)).json();
    expect(groupNow.contactCount).toBe(4);
    const audit = await db.query<{ action: string }>(
      "select action from audit_entries where target_id = $1",
      [id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(["import.commit_requested"]);

    // Committed once: asked again the same way, the same answer; another way, 409.
    expect((await call("POST", `/v1/imports/${id}/commit`, {})).statusCode).toBe(202);
    const again = await call("POST", `/v1/imports/${id}/commit`, { onExisting: "skip" });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details[0]).toMatchObject({ code: "IMPORT_NOT_READY" });
    expect((await call("DELETE", `/v1/imports/${id}`)).statusCode).toBe(409);
  });

  it("commits with skip and exclusions: existing contacts left as they are, excluded rows left out", async () => {
    await call("POST", "/v1/contacts", {
      phone: "010-5100-0001",
      name: "그대로",
      attributes: { 매장: "본점" },
    });
    const data = await workbook([
      ["성명", "핸드폰", "매장"],
      ["바뀌면 안 됨", "010-5100-0001", "강남점"],
      ["새 고객", "010-5100-0002", "강남점"],
      ["빠질 고객", "010-5100-0003", "강남점"],
    ]);
    const staged = await imported({ name: "skip.xlsx", data });
    expect(staged.rows).toMatchObject({ total: 3, valid: 2, existing: 1 });
    expect(staged.groupId).toMatch(/^grp_/);
    const bad = await call("POST", `/v1/imports/${staged.id}/commit`, { excludeRows: [4, 40] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      { path: "/excludeRows/1", code: "ROW_NOT_FOUND", message: "the import has no row 40" },
    ]);
    const res = await call("POST", `/v1/imports/${staged.id}/commit`, {
      excludeRows: [4],
      onExisting: "skip",
    });
    expect(res.json()).toMatchObject({ status: "committing", onExisting: "skip", excludedRows: 1 });
    await drain();
    expect((await call("GET", `/v1/imports/${staged.id}`)).json()).toMatchObject({
      status: "completed",
      result: { created: 1, updated: 0, skipped: 2 },
    });
    expect(await contactByPhone("+821051000001")).toMatchObject({
      name: "그대로",
      attributes: { 매장: "본점" },
    });
    // No group given: 미지정.
    expect(await contactByPhone("+821051000002")).toMatchObject({
      name: "새 고객",
      groups: [{ name: "미지정" }],
    });
    expect(await contactByPhone("+821051000003")).toBeNull();
  });

  it("commits a range of rows at a time: every row stored once across the ranges, exclusions kept", async () => {
    await call("POST", "/v1/contacts", { phone: "010-5150-0003", name: "있던 고객" });
    const rows = [["이름", "휴대폰"]];
    for (let i = 1; i <= 9; i++) rows.push([`고객${i}`, `010-5150-000${i}`]);
    rows.splice(5, 0, ["번호 없음", "12"]);
    const staged = await imported({ name: "ranges.xlsx", data: await workbook(rows) });
    expect(staged.rows).toMatchObject({ total: 10, valid: 8, invalid: 1, existing: 1 });
    await call("POST", `/v1/imports/${staged.id}/commit`, { excludeRows: [3, 9] });
    // Ranges of 2 row numbers, from row 2: [2, 3], [4, 5], … [10, 11].
    await drain({ commitChunkRows: 2 });
    expect((await call("GET", `/v1/imports/${staged.id}`)).json()).toMatchObject({
      status: "completed",
      progress: 1,
      result: { created: 6, updated: 1, skipped: 2 },
    });
    const stored = await db.query<{ phone: string; name: string }>(
      "select phone, name from contacts where org_id = $1 and phone like '+82105150%' order by phone",
      [shop.orgId],
    );
    expect(stored.rows.map((r) => `${r.phone.slice(-1)}:${r.name}`)).toEqual([
      "1:고객1",
      "3:고객3",
      "4:고객4",
      "5:고객5",
      "6:고객6",
      "8:고객8",
      "9:고객9",
    ]);
  });

  it("shows a running commit's progress from what it reports", async () => {
    const staged = await imported({
      name: "progress.csv",
      data: Buffer.from("휴대폰\n010-5160-0001\n010-5160-0002\n"),
    });
    await call("POST", `/v1/imports/${staged.id}/commit`, {});
    const claimed = await db.query<{ attempts: number }>(
      "update imports set attempts = attempts + 1 where id = $1 returning attempts",
      [staged.id],
    );
    const attempts = claimed.rows[0]!.attempts;
    const progress = async () =>
      (await call("GET", `/v1/imports/${staged.id}`)).json().progress as number;
    expect(await progress()).toBe(0);
    await recordCommitProgress(db, {
      id: staged.id,
      attempts,
      stored: 1,
      total: 4,
      now: clock.now,
    });
    expect(await progress()).toBe(0.25);
    // What an abandoned attempt reported is not shown.
    await db.query("update imports set attempts = attempts + 1 where id = $1", [staged.id]);
    expect(await progress()).toBe(0);
  });

  it("imports into 미지정 only contacts in no other group", async () => {
    const vip = await newGroup("VIP");
    await call("POST", "/v1/contacts", { phone: "010-5200-0001", groupIds: [vip] });
    const staged = await imported({
      name: "unassigned.csv",
      data: Buffer.from("휴대폰,이름\n010-5200-0001,VIP 고객\n010-5200-0002,새 고객\n"),
    });
    await call("POST", `/v1/imports/${staged.id}/commit`, {});
    await drain();
    expect(await contactByPhone("+821052000001")).toMatchObject({
      name: "VIP 고객",
      groups: [{ name: "VIP" }],
    });
    expect(await contactByPhone("+821052000002")).toMatchObject({ groups: [{ name: "미지정" }] });
  });

  it("reads CSV in UTF-8 with a BOM: quoted fields, CRLF, a line break inside a field", async () => {
    const csv = `${BOM}이름,전화번호,메모\r\n"김, 민지",010-5300-0001,"첫 줄\r\n둘째 줄"\r\n\r\n이서준,1053000002,\r\n`;
    const staged = await imported({ name: "명단.csv", data: Buffer.from(csv) });
    expect(staged).toMatchObject({
      status: "ready",
      fileType: "csv",
      encoding: "utf-8",
      rows: { total: 2, valid: 2 },
    });
    const rows = await rowsOf(staged.id);
    // The record with a line break is row 2, the blank line row 3: Excel's numbering.
    expect(rows.map((r) => [r.row, r.name, r.phone, r.attributes])).toEqual([
      [2, "김, 민지", "+821053000001", { 메모: "첫 줄\r\n둘째 줄" }],
      [4, "이서준", "+821053000002", {}],
    ]);
  });

  it("reads CSV in CP949, as Excel in Korean saves it", async () => {
    // "이름,휴대폰\r\n홍길동,01012345678\r\n" in CP949, written out (Node has no CP949 encoder).
    const cp949 = Buffer.from(
      "c0ccb8a72cc8deb4ebc6f90d0ac8abb1e6b5bf2c30313031323334353637380d0a",
      "hex",
    );
    const staged = await imported({ name: "cp949.csv", data: cp949 });
    expect(staged).toMatchObject({ status: "ready", encoding: "euc-kr", rows: { valid: 1 } });
    expect(staged.columns.phone.header).toBe("휴대폰");
    expect((await rowsOf(staged.id))[0]).toMatchObject({ name: "홍길동", phone: "+821012345678" });
  });

  it("tells the file's type by its content, not its name", async () => {
    const csvNamedXlsx = await imported({
      name: "actually-text.xlsx",
      data: Buffer.from("휴대폰\n010-5400-0001\n"),
    });
    expect(csvNamedXlsx).toMatchObject({ fileType: "csv", rows: { valid: 1 } });
    const xlsxNamedCsv = await imported({
      name: "actually-a-workbook.csv",
      data: await workbook([["휴대폰"], ["010-5400-0002"]]),
    });
    expect(xlsxNamedCsv).toMatchObject({ fileType: "xlsx", rows: { valid: 1 } });

    for (const data of [
      Buffer.from("%PDF-1.7 binary"),
      Buffer.from("d0cf11e0a1b11ae100000000", "hex"),
      bombWorkbook(Buffer.from("x"), 1).subarray(0, 40),
    ]) {
      const res = await upload({ name: "contacts.xlsx", data });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: "UNSUPPORTED_FILE",
        details: [{ path: "/file", code: "UNSUPPORTED_FILE" }],
      });
    }
  });

  it("refuses a file without a phone column, an unknown group and a bad mapping, storing nothing", async () => {
    const before = (await db.query("select id from imports")).rows.length;
    const noPhone = await upload({
      name: "a.csv",
      data: Buffer.from("이름,매장\n김민지,강남점\n"),
    });
    expect(noPhone.statusCode).toBe(400);
    expect(noPhone.json().error).toMatchObject({
      code: "NO_PHONE_COLUMN",
      details: [{ path: "/file", code: "NO_PHONE_COLUMN", headers: ["이름", "매장"] }],
    });
    const sheet = await workbook([[], ["매장", "이름"], ["강남점", "김민지"]]);
    expect((await upload({ name: "b.xlsx", data: sheet })).json().error.code).toBe(
      "NO_PHONE_COLUMN",
    );
    const csv = { name: "c.csv", data: Buffer.from("HP,이름\n010-5500-0001,김\n") };
    const unknownGroup = await upload(csv, { groupId: "grp_nothere", mapping: '{"phone":"HP"}' });
    expect(unknownGroup.json().error.details).toEqual([
      { path: "/groupId", code: "GROUP_NOT_FOUND", message: "grp_nothere" },
    ]);
    const othersGroup = (await call("POST", "/v1/groups", { name: "남의 그룹" }, other)).json().id;
    expect(
      (await upload(csv, { groupId: othersGroup, mapping: '{"phone":"HP"}' })).statusCode,
    ).toBe(400);
    const badMapping = await upload(csv, {
      mapping: '{"phone":"HP","attributes":{"shop":"매장"}}',
    });
    expect(badMapping.json().error).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ path: "/mapping/attributes/shop", code: "COLUMN_NOT_FOUND" }],
    });
    const notJson = await upload(csv, { mapping: "{phone: HP}" });
    expect(notJson.json().error.details[0]).toMatchObject({
      path: "/mapping",
      code: "INVALID_JSON",
    });
    const unknownField = await upload(csv, { groupID: "x" });
    expect(unknownField.json().error.details[0]).toMatchObject({
      path: "/groupID",
      code: "UNKNOWN_FIELD",
    });
    const noFile = await upload(null, { mapping: '{"phone":"HP"}' });
    expect(noFile.json().error.details[0]).toMatchObject({ path: "/file", code: "REQUIRED" });
    const empty = await upload({ name: "empty.csv", data: Buffer.from("\n\n") });
    expect(empty.statusCode).toBe(400);
    expect((await db.query("select id from imports")).rows.length).toBe(before);

    const mapped = await imported(csv, { mapping: '{"phone":"HP","name":"이름"}' });
    expect(mapped).toMatchObject({
      status: "ready",
      rows: { valid: 1 },
      columns: { phone: { header: "HP" } },
    });
  });

  it("answers 413 to a file over 20 MB", async () => {
    const res = await upload({ name: "big.csv", data: Buffer.alloc(21 * 1024 * 1024, 0x41) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: [{ path: "/file", code: "FILE_TOO_LARGE" }],
    });
  });

  it("refuses a zip bomb: by the sizes it declares, and by counting what it inflates to", async () => {
    const declared = bombWorkbook(await deflateSpaces(1024 * 1024), 300 * 1024 * 1024);
    const res = await upload({ name: "declared.xlsx", data: declared });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: "FILE_TOO_LARGE",
      message: expect.stringContaining("200 MB"),
    });
    // 210 MB of spaces, about 200 KB deflated, that say they are 1 KB.
    const lying = bombWorkbook(await deflateSpaces(210 * 1024 * 1024), 1024);
    expect(lying.length).toBeLessThan(1024 * 1024);
    const bomb = await upload({ name: "bomb.xlsx", data: lying });
    expect(bomb.statusCode).toBe(400);
    expect(bomb.json().error.code).toBe("FILE_TOO_LARGE");
  });

  it("fails an import with more rows than allowed, found while parsing", async () => {
    const data = await workbook([
      ["휴대폰"],
      ...Array.from({ length: 6 }, (_, i) => [`010-5600-000${i}`]),
    ]);
    const res = await upload({ name: "rows.xlsx", data });
    expect(res.statusCode).toBe(202);
    await drain({
      limits: { maxFileBytes: 20 * 1024 * 1024, maxRows: 5, maxUnpackedBytes: 1 << 30 },
    });
    expect((await call("GET", `/v1/imports/${res.json().id}`)).json()).toMatchObject({
      status: "failed",
      error: { code: "FILE_TOO_LARGE", message: expect.stringContaining("more than 5") },
    });
    expect(await rowsOf(res.json().id)).toEqual([]);
  });

  it("shows its progress while parsing, batch by batch", async () => {
    const lines = [
      "휴대폰,이름",
      ...Array.from({ length: 25 }, (_, i) => `010-5700-${String(i).padStart(4, "0")},고객${i}`),
    ];
    const res = await upload({ name: "progress.csv", data: Buffer.from(lines.join("\n")) });
    const id = res.json().id as string;
    const seen: { status: string; progress: number }[] = [];
    const watched: Db = {
      ...db,
      tx: async (fn) => {
        const result = await db.tx(fn);
        const r = await db.query<{ status: string; progress: number }>(
          "select status, progress from imports where id = $1",
          [id],
        );
        seen.push({ status: r.rows[0]!.status, progress: Number(r.rows[0]!.progress) });
        return result;
      },
    };
    for (let more = true; more; )
      more = await runNextImport({ ...worker(), db: watched, batchSize: 10 });
    const during = seen
      .filter((s) => s.status === "parsing" && s.progress > 0)
      .map((s) => s.progress);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during).toEqual([...during].sort((a, b) => a - b));
    expect(during.every((p) => p < 1)).toBe(true);
    expect(seen.at(-1)).toEqual({ status: "ready", progress: 1 });
  });

  it("picks up an import whose worker died mid-parse, once its lease lapses", async () => {
    const csv = "휴대폰,이름\n010-5800-0001,하나\n010-5800-0002,둘\n010-5800-0001,셋\n";
    const res = await upload({ name: "crash.csv", data: Buffer.from(csv) });
    const id = res.json().id as string;
    // A worker claims it, stages part of it, and dies.
    const dead = await claimImport(db, { now: clock.now, leaseMs: 60_000 });
    expect(dead).toMatchObject({ id, status: "parsing", attempts: 1 });
    await db.query(
      `insert into import_rows (import_id, org_id, row_number, status, phone, attributes)
       values ($1, $2, 2, 'valid', '+821058000001', '{}'), ($1, $2, 99, 'valid', '+821058000099', '{}')`,
      [id, shop.orgId],
    );
    await recordParseProgress(db, {
      id,
      attempts: 1,
      progress: 0.5,
      counts: { total: 2, valid: 2, invalid: 0, duplicate: 0 },
      now: clock.now,
      leaseMs: 60_000,
    });
    expect((await call("GET", `/v1/imports/${id}`)).json()).toMatchObject({
      status: "parsing",
      progress: 0.5,
    });
    // Still leased: nobody takes it.
    expect(await drain()).toBe(0);
    clock.now = new Date(clock.now.getTime() + 61_000);
    expect(await drain()).toBe(1);
    expect((await call("GET", `/v1/imports/${id}`)).json()).toMatchObject({
      status: "ready",
      rows: { total: 3, valid: 2, duplicateInFile: 1 },
    });
    expect((await rowsOf(id)).map((r) => r.row)).toEqual([2, 3, 4]);
    // The dead worker, were it to wake, changes nothing.
    expect(
      await recordParseProgress(db, {
        id,
        attempts: 1,
        progress: 0.9,
        counts: { total: 9, valid: 9, invalid: 0, duplicate: 0 },
        now: clock.now,
        leaseMs: 60_000,
      }),
    ).toBe(false);
    expect((await call("GET", `/v1/imports/${id}`)).json().rows.total).toBe(3);
  });

  it("stores nothing when a commit fails, and does it whole when tried again", async () => {
    const group = await newGroup("실패 그룹");
    const staged = await imported(
      {
        name: "fail.csv",
        data: Buffer.from("휴대폰\n010-5900-0001\n010-5900-0002\n010-5900-0003\n"),
      },
      { groupId: group },
    );
    const before = await countContacts();
    // The memberships fail as they are inserted, after the contacts were: one transaction.
    await db.query(`create function refuse_import_members() returns trigger language plpgsql as $$
      begin raise exception 'membership refused'; end $$`);
    await db.query(`create trigger refuse_import_members before insert on group_members
      for each row when (new.group_id = '${group}') execute function refuse_import_members()`);
    await call("POST", `/v1/imports/${staged.id}/commit`, {});
    expect(await drain()).toBe(1);
    expect(await countContacts()).toBe(before);
    expect((await call("GET", `/v1/imports/${staged.id}`)).json()).toMatchObject({
      status: "committing",
    });
    await db.query("drop trigger refuse_import_members on group_members");
    await db.query("drop function refuse_import_members()");
    clock.now = new Date(clock.now.getTime() + 10_000);
    await drain();
    expect((await call("GET", `/v1/imports/${staged.id}`)).json()).toMatchObject({
      status: "completed",
      result: { created: 3, updated: 0, skipped: 0 },
    });
    expect(await countContacts()).toBe(before + 3);
    expect((await call("GET", `/v1/groups/${group}`)).json().contactCount).toBe(3);
  });

  it("fails a commit whose group was deleted meanwhile, storing nothing", async () => {
    const group = await newGroup("사라질 그룹");
    const staged = await imported(
      { name: "gone.csv", data: Buffer.from("휴대폰\n010-6000-0001\n") },
      { groupId: group },
    );
    await call("POST", `/v1/imports/${staged.id}/commit`, {});
    await call("DELETE", `/v1/groups/${group}`);
    const before = await countContacts();
    await drain();
    expect((await call("GET", `/v1/imports/${staged.id}`)).json()).toMatchObject({
      status: "failed",
      error: { code: "GROUP_NOT_FOUND" },
    });
    expect(await countContacts()).toBe(before);
  });

  it("gives up on an import whose workers keep dying, so none is stuck for ever", async () => {
    const res = await upload({ name: "poison.csv", data: Buffer.from("휴대폰\n010-6100-0001\n") });
    for (let i = 0; i < 3; i++) {
      expect(await claimImport(db, { now: clock.now, leaseMs: 1000 })).toMatchObject({
        id: res.json().id,
      });
      clock.now = new Date(clock.now.getTime() + 2000);
    }
    await drain();
    expect((await call("GET", `/v1/imports/${res.json().id}`)).json()).toMatchObject({
      status: "failed",
      error: { code: "PARSE_FAILED" },
    });
  });

  it("discards a staged import: its rows go, it cannot be committed after", async () => {
    const staged = await imported({
      name: "discard.csv",
      data: Buffer.from("휴대폰\n010-6200-0001\n"),
    });
    const res = await call("DELETE", `/v1/imports/${staged.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "discarded" });
    expect(await rowsOf(staged.id)).toEqual([]);
    expect((await call("DELETE", `/v1/imports/${staged.id}`)).json().status).toBe("discarded");
    expect((await call("POST", `/v1/imports/${staged.id}/commit`, {})).statusCode).toBe(409);
    const audit = await db.query<{ action: string; details: { rows: number } }>(
      "select action, details from audit_entries where target_id = $1",
      [staged.id],
    );
    expect(audit.rows).toEqual([
      { action: "import.discarded", details: expect.objectContaining({ rows: 1 }) },
    ]);

    // Discarded while parsing: the worker stops and stages nothing.
    const parsing = await upload({
      name: "discard2.csv",
      data: Buffer.from("휴대폰\n010-6200-0002\n"),
    });
    await call("DELETE", `/v1/imports/${parsing.json().id}`);
    await drain();
    expect((await call("GET", `/v1/imports/${parsing.json().id}`)).json().status).toBe("discarded");
    expect(await rowsOf(parsing.json().id)).toEqual([]);
  });

  it("hides an organization's imports from another: 404", async () => {
    const staged = await imported({
      name: "mine.csv",
      data: Buffer.from("휴대폰\n010-6300-0001\n"),
    });
    for (const [method, url, payload] of [
      ["GET", `/v1/imports/${staged.id}`],
      ["GET", `/v1/imports/${staged.id}/rows`],
      ["POST", `/v1/imports/${staged.id}/commit`, {}],
      ["DELETE", `/v1/imports/${staged.id}`],
    ] as [Method, string, object?][]) {
      const res = await call(method, url, payload, other);
      expect({ url, method, status: res.statusCode }).toEqual({ url, method, status: 404 });
    }
    expect((await call("GET", "/v1/imports", undefined, other)).json().data).toEqual([]);
    expect((await call("GET", `/v1/imports/${staged.id}`)).json().status).toBe("ready");
  });

  it("lists imports newest first, and answers a retried upload once", async () => {
    const file = { name: "again.csv", data: Buffer.from("휴대폰\n010-6400-0001\n") };
    const key = { "idempotency-key": "import-once-1" };
    const a = await upload(file, {}, shop, key);
    const b = await upload(file, {}, shop, key);
    expect(b.json().id).toBe(a.json().id);
    const changed = await upload(
      { ...file, data: Buffer.from("휴대폰\n010-6400-0002\n") },
      {},
      shop,
      key,
    );
    expect(changed.statusCode).toBe(409);
    const list = (await call("GET", "/v1/imports?limit=2")).json();
    expect(list.data[0]).toMatchObject({ id: a.json().id, fileName: "again.csv" });
    expect(list.data[0].errors).toBeUndefined();
    const more = (await call("GET", `/v1/imports?limit=2&cursor=${list.nextCursor}`)).json();
    expect(more.data[0].id < list.data[1].id).toBe(true);
    await drain();
  });

  it("reads a workbook written without shared strings (every string inline)", async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: false });
    const ws = wb.addWorksheet("고객");
    ws.addRow(["이름", "휴대폰"]).commit();
    ws.addRow(["인라인", 1066000001]).commit();
    ws.commit();
    await wb.commit();
    const staged = await imported({ name: "inline.xlsx", data: Buffer.concat(chunks) });
    expect((await rowsOf(staged.id))[0]).toMatchObject({ name: "인라인", phone: "+821066000001" });
  });

  it("reads the first visible sheet of a workbook with several", async () => {
    const data = await workbook(
      [
        ["연락처", "고객명"],
        ["010-6500-0001", "첫 시트 아님"],
      ],
      {
        sheets: [],
      },
    );
    const staged = await imported({ name: "sheets.xlsx", data });
    expect(staged.rows.valid).toBe(1);
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("안내").addRow(["이 시트는 숨김"]);
    wb.getWorksheet("안내")!.state = "hidden";
    const ws = wb.addWorksheet("명단");
    ws.addRow(["연락처", "고객명"]);
    ws.addRow(["010-6500-0002", "둘째 시트"]);
    wb.addWorksheet("참고").addRow(["휴대폰"]);
    const staged2 = await imported({
      name: "hidden-first.xlsx",
      data: Buffer.from(await wb.xlsx.writeBuffer()),
    });
    expect((await rowsOf(staged2.id))[0]).toMatchObject({
      name: "둘째 시트",
      phone: "+821065000002",
    });
  });
});
