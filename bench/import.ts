// bench:import — 100,000 contacts imported as users import them: the real
// server process (`alimi serve`, the product's defaults and heap ceiling),
// an .xlsx written as Excel writes one (shared strings, phone numbers typed
// as numbers, dates) and a CSV in UTF-8 with a BOM, each uploaded over HTTP
// from this process, its progress polled until it is staged, then committed
// into a group and polled until completed. Prints the parse and commit
// seconds, the server's peak RSS, and each against its target (parse ≤ 10 s,
// commit ≤ 10 s on PostgreSQL, RSS ≤ 300 MB).
//
//   DATABASE_URL=postgres://… BENCH_SKIP_PGLITE=1 npm run bench:import
//   npm run bench:import                      # the embedded database too
//   BENCH_IMPORT_ROWS=20000 …                 # a smaller file

import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { type Engine, request, startServer } from "./server.ts";
import { fmt } from "./support.ts";

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const TARGET = { parseSeconds: 10, commitSeconds: 10, rssMb: 300 };
const MB = 1024 * 1024;
const POLL_MS = 100;

interface ImportView {
  id: string;
  status: string;
  progress: number;
  rows: {
    total: number;
    valid: number;
    invalid: number;
    duplicateInFile: number;
    existing: number;
  };
  result?: { created: number; updated: number; skipped: number };
  error: { code: string; message: string } | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const phone = (base: number, i: number) => base * 1_000_000 + i;

/** An .xlsx as Excel writes one: shared strings, numbers, dates; half the phones typed as numbers. */
async function workbookFile(base: number): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: true,
    useStyles: true,
  });
  const ws = wb.addWorksheet("고객");
  ws.addRow(["이름", "휴대폰", "매장", "가입일", "포인트"]).commit();
  for (let i = 0; i < ROWS; i++) {
    const n = phone(base, i);
    ws.addRow([
      `고객${i}`,
      i % 2 === 0 ? n : `0${String(n).slice(0, 2)}-${String(n).slice(2, 6)}-${String(n).slice(6)}`,
      `매장${i % 50}`,
      new Date(Date.UTC(2024, 0, 1 + (i % 365))),
      i * 10,
    ]).commit();
  }
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

/** The same rows as CSV in UTF-8 with a BOM, as Excel saves "CSV UTF-8". */
function csvFile(base: number): Buffer {
  const lines = ["이름,휴대폰,매장,가입일,포인트"];
  for (let i = 0; i < ROWS; i++) {
    lines.push(
      `고객${i},0${phone(base, i)},매장${i % 50},2024-01-${String(1 + (i % 28)).padStart(2, "0")},${i * 10}`,
    );
  }
  return Buffer.from(`\uFEFF${lines.join("\r\n")}\r\n`);
}

async function uploadFile(url: string, key: string, name: string, data: Buffer, groupId: string) {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(data)]), name);
  form.append("groupId", groupId);
  const res = await fetch(`${url}/v1/imports`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}` },
    body: form,
  });
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as ImportView;
}

/** Polls the import until it leaves `status`; the progress values seen on the way. */
async function waitWhile(url: string, key: string, id: string, status: string) {
  const progress: number[] = [];
  for (;;) {
    const view = await request<ImportView>(`${url}/v1/imports/${id}`, key);
    if (view.status !== status) return { view, progress };
    if (progress.at(-1) !== view.progress) progress.push(view.progress);
    await sleep(POLL_MS);
  }
}

const ratio = (value: number, target: number) =>
  `${fmt(value / target, 2)}× the target ${value <= target ? "(met)" : "(MISSED)"}`;

async function run(engine: Engine) {
  const server = await startServer({ engine, databaseUrl: process.env.DATABASE_URL });
  // The peak RSS sampled in each phase (and VmHWM, the kernel's own peak, at the end).
  let phase = { peak: 0 };
  const sampler = setInterval(async () => {
    const [rss] = await server.rss();
    if (rss !== undefined) phase.peak = Math.max(phase.peak, rss);
  }, 50);
  const startPhase = () => {
    phase = { peak: 0 };
    return phase;
  };
  try {
    const tenant = await server.tenant("Import", 1000);
    const [idle] = await server.rss();
    const lines = [
      `${engine}, the real server process, ${fmt(ROWS)} rows per file; idle RSS ${fmt((idle ?? 0) / MB)} MB`,
    ];
    const files = [
      { kind: "xlsx", name: "고객명단.xlsx", data: await workbookFile(1020) },
      { kind: "csv", name: "고객명단.csv", data: csvFile(1030) },
    ];
    for (const file of files) {
      const group = await request<{ id: string }>(`${server.url}/v1/groups`, tenant.apiKey, {
        body: { name: `가져오기 ${file.kind}` },
        expect: 201,
      });
      const parsing = startPhase();
      const started = performance.now();
      const uploaded = await uploadFile(server.url, tenant.apiKey, file.name, file.data, group.id);
      const uploadMs = performance.now() - started;
      const parsed = await waitWhile(server.url, tenant.apiKey, uploaded.id, "parsing");
      const parseMs = performance.now() - started;
      if (parsed.view.status !== "ready") throw new Error(`parse: ${JSON.stringify(parsed.view)}`);
      const committing = startPhase();
      const commitStarted = performance.now();
      await request(`${server.url}/v1/imports/${uploaded.id}/commit`, tenant.apiKey, { body: {} });
      const committed = await waitWhile(server.url, tenant.apiKey, uploaded.id, "committing");
      const commitMs = performance.now() - commitStarted;
      if (committed.view.status !== "completed") {
        throw new Error(`commit: ${JSON.stringify(committed.view)}`);
      }
      const { rows, result } = committed.view;
      lines.push(
        `  ${file.kind}: ${fmt(file.data.length / MB, 1)} MB; upload answered in ${fmt(uploadMs / 1000, 2)} s`,
        `    parse (upload → ready): ${fmt(parseMs / 1000, 2)} s, ${ratio(parseMs / 1000, TARGET.parseSeconds)}; ${fmt(rows.valid)} valid of ${fmt(rows.total)}; progress seen ${parsed.progress.map((p) => fmt(p, 2)).join(" → ")}`,
        `    commit (request → completed): ${fmt(commitMs / 1000, 2)} s, ${ratio(commitMs / 1000, TARGET.commitSeconds)}; created ${fmt(result?.created ?? 0)}, updated ${fmt(result?.updated ?? 0)}; progress seen ${committed.progress.map((p) => fmt(p, 2)).join(" → ")}`,
        `    server RSS peaks: parsing ${fmt(parsing.peak / MB)} MB, committing ${fmt(committing.peak / MB)} MB`,
      );
    }
    const peak = Math.max(...(await server.peakRss()));
    lines.push(
      `  server peak RSS (VmHWM, start-up included): ${fmt(peak / MB)} MB, ${ratio(peak / MB, TARGET.rssMb)}; ${fmt((peak - (idle ?? 0)) / MB)} MB over idle`,
    );
    console.log(lines.join("\n"));
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
}

if (!process.env.BENCH_SKIP_PGLITE) await run("pglite");
if (process.env.DATABASE_URL) await run("postgres");
