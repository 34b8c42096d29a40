// The `alimi` command line as an operator uses it, with real processes on one
// embedded data directory: commands before the server, commands sent to the
// running server, the data-directory lock, a graceful stop, a restart, and the
// doctor finding a corrupted wallet.
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite } from "../src/db/client.ts";
import { findLoosePaths } from "../src/lib/private-files.ts";
import { killAll, runProcess, type Spawned, spawnProcess, useProcesses } from "./processes.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

// Each step starts one or more Node processes that open PGlite (a few seconds each under load).
describe("the alimi CLI on an embedded data directory", { timeout: 120_000 }, () => {
  useProcesses();
  let dir = "";
  let env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "alimi-cli-"));
    env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => name !== "DATABASE_URL" && !name.startsWith("ALIMI_"),
      ),
    );
    Object.assign(env, {
      ALIMI_DATA_DIR: dir,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    });
  });
  afterAll(async () => {
    await killAll();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const alimi = (...args: string[]) =>
    runProcess(process.execPath, [MAIN, ...args], { env, cwd: dir });
  const serve = () => spawnProcess(process.execPath, [MAIN, "serve"], { env, cwd: dir });
  const lockFile = () => path.join(dir, "alimi.lock");

  /** Starts `serve` and waits for its banner; returns the process and its base URL. */
  async function start(): Promise<{ server: Spawned; url: string }> {
    const server = serve();
    const [, port] = await server.waitForLine(/^ {2}Alimi is running: http:\/\/localhost:(\d+)$/, {
      timeoutMs: 20_000,
    });
    // The banner is printed at once; its last line tells it is complete.
    await server.waitForLine(/( {4}password \S+|Demo organization org_\w+: its API key and login)/);
    return { server, url: `http://127.0.0.1:${port}` };
  }

  let acme = { orgId: "", apiKey: "" };
  let running: { server: Spawned; url: string } | null = null;

  it("(a) org create on a fresh directory, with no server running", async () => {
    const r = await alimi("org", "create", "--name", "Acme", "--credits", "250", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      orgId: expect.stringMatching(/^org_\w+$/),
      apiKey: expect.stringMatching(/^ak_\S+$/),
      kind: "headquarters",
      parentId: expect.stringMatching(/^org_\w+$/),
    });
    acme = { orgId: out.orgId, apiKey: out.apiKey };
    // The command released the directory.
    expect(existsSync(lockFile())).toBe(false);
    // What it made — the database, the secret key — only its owner may read.
    expect(findLoosePaths(dir)).toEqual([]);
  });

  it("(a2) user create adds a console user; user reset-password prints a one-time token", async () => {
    const made = await alimi(
      "user",
      "create",
      "--org",
      acme.orgId,
      "--email",
      "Ops@Acme.example",
      "--role",
      "admin",
      "--password",
      "long enough password",
      "--json",
    );
    expect(made.stderr).toBe("");
    expect(JSON.parse(made.stdout)).toMatchObject({
      id: expect.stringMatching(/^usr_\w+$/),
      email: "ops@acme.example",
      role: "admin",
      orgId: acme.orgId,
      status: "active",
    });
    const bad = await alimi(
      "user",
      "create",
      "--org",
      acme.orgId,
      "--email",
      "x@acme.example",
      "--role",
      "boss",
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--role must be one of viewer, operator, admin, owner");
    const reset = await alimi("user", "reset-password", "--email", "ops@acme.example", "--json");
    expect(JSON.parse(reset.stdout)).toMatchObject({
      email: "ops@acme.example",
      resetToken: expect.stringMatching(/^[\w-]{43}$/),
    });
  });

  it("(b) serve prints its URL and, on first start, the demo API key; /health is ok", async () => {
    running = await start();
    const { server, url } = running;
    const banner = server.stdout();
    expect(banner).toContain("Demo API key and console login (shown once; also saved in");
    const key = banner.match(/^ {4}(ak_\S+)$/m)?.[1];
    expect(key).toMatch(/^ak_\S+$/);
    const email = banner.match(/^ {4}email {4}(\S+)$/m)?.[1];
    const password = banner.match(/^ {4}password (\S+)$/m)?.[1];
    expect(email).toBe("demo@alimi.local");
    expect(JSON.parse(readFileSync(path.join(dir, "demo.json"), "utf8"))).toMatchObject({
      apiKey: key,
      email,
      password,
    });

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", scheduler: { lagSeconds: 0 } });

    const login = await fetch(`${url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: unknown }).user).toMatchObject({
      email,
      role: "owner",
    });

    const credits = await fetch(`${url}/v1/credits`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(await credits.json()).toMatchObject({
      balance: "100000.00",
      held: "0.00",
      available: "100000.00",
      walletMode: "own",
    });

    expect(JSON.parse(readFileSync(lockFile(), "utf8"))).toMatchObject({
      pid: server.pid,
      adminUrl: url,
    });
  });

  it("(c) commands go to the running server: credits grant, sender add, doctor", async () => {
    // The server holds the data directory (the lock above), so a command can
    // only succeed through its admin endpoint.
    const grant = await alimi("credits", "grant", "--org", acme.orgId, "--amount", "100", "--json");
    expect(grant.stderr).toBe("");
    expect(grant.code).toBe(0);
    expect(JSON.parse(grant.stdout)).toEqual({
      orgId: acme.orgId,
      entryId: expect.any(String),
      balance: "350.00",
      held: "0.00",
      available: "350.00",
    });

    const sender = await alimi(
      "sender",
      "add",
      "--org",
      acme.orgId,
      "--number",
      "02-1234-5678",
      "--json",
    );
    expect(sender.code).toBe(0);
    expect(JSON.parse(sender.stdout)).toEqual({
      id: expect.stringMatching(/^snd_/),
      orgId: acme.orgId,
      number: "02-1234-5678",
      status: "verified",
      isDefault: true,
    });

    const doctor = await alimi("doctor", "--json");
    expect(doctor.code).toBe(0);
    // The platform, Acme and the demo organization.
    expect(JSON.parse(doctor.stdout)).toEqual({
      ok: true,
      wallets: 3,
      violations: [],
      reports: { parked: 0, dropped: { expired: 0, overLimit: 0 } },
    });
  });

  it("(c2) kakao-channel add registers a verified channel; kakao-channel verify verifies one", async () => {
    const added = await alimi(
      "kakao-channel",
      "add",
      "--org",
      acme.orgId,
      "--name",
      "Acme",
      "--sender-key",
      "SK-ACME-CLI",
      "--json",
    );
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      orgId: acme.orgId,
      senderKey: "SK-ACME-CLI",
      status: "verified",
      isDefault: true,
    });
    const registered = await fetch(`${running?.url}/v1/kakao-channels`, {
      method: "POST",
      headers: { authorization: `Bearer ${acme.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Acme 2", pfId: "PF-ACME-CLI" }),
    });
    const pending = (await registered.json()) as { id: string; status: string };
    expect(pending.status).toBe("pending");
    const verified = await alimi("kakao-channel", "verify", "--id", pending.id, "--json");
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ id: pending.id, status: "verified" });
  });

  it("(d) a second serve on the same directory exits 1, naming the holder", async () => {
    const second = await alimi("serve");
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`in use by process ${running?.server.pid}`);
    // The first server is unaffected.
    expect((await fetch(`${running?.url}/health`)).status).toBe(200);
  });

  it("(e) the Acme key works against the running server", async () => {
    const res = await fetch(`${running?.url}/v1/credits`, {
      headers: { authorization: `Bearer ${acme.apiKey}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      balance: "350.00",
      held: "0.00",
      available: "350.00",
      walletMode: "own",
      walletOrgId: acme.orgId,
    });
  });

  it("(f) SIGTERM drains and exits 0 within seconds, and releases the lock", async () => {
    const server = running?.server;
    if (!server) throw new Error("no server");
    const started = Date.now();
    const exit = await server.stop("SIGTERM", 5_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(existsSync(lockFile())).toBe(false);
    running = null;
  });

  it("(g) a restart does not show the demo key again", async () => {
    const { server, url } = await start();
    const banner = server.stdout();
    expect(banner).toMatch(
      /Demo organization org_\w+: its API key and login were printed on first/,
    );
    expect(banner).not.toMatch(/ak_/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(await server.stop("SIGTERM", 5_000)).toEqual({ code: 0, signal: null });
    expect(existsSync(lockFile())).toBe(false);
  });

  it("(h) doctor exits 1 and prints a VIOLATION for a corrupted wallet", async () => {
    const db = await openPglite({ dataDir: path.join(dir, "pgdata") });
    try {
      const r = await db.query("update wallets set balance = balance + 1 where org_id = $1", [
        acme.orgId,
      ]);
      expect(r.affectedRows).toBe(1);
    } finally {
      await db.close();
    }

    const doctor = await alimi("doctor");
    expect(doctor.code).toBe(1);
    const lines = doctor.stdout.split("\n");
    expect(lines.filter((l) => l.startsWith("VIOLATION"))).toEqual([
      `VIOLATION ${acme.orgId}: balance 350.000001 differs from the ledger's sum 350.00`,
    ]);
    expect(lines).toContain("1 violations");
    expect(lines).toContain(
      "delivery reports for unknown messages: 0 waiting; dropped 0 after the window, 0 over an account's limit",
    );
  });

  it("(i) doctor reports a data directory file that others may read", async () => {
    const key = path.join(dir, "secret.key");
    chmodSync(key, 0o644);
    const doctor = await alimi("doctor");
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(
      `VIOLATION data directory: ${key} is mode 0644: group or others may use it (chmod go-rwx)`,
    );
    chmodSync(key, 0o600);
  });
});
