import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

function collect(pretty: boolean, log?: (logger: ReturnType<typeof createLogger>) => void): string {
  const out = new PassThrough();
  let text = "";
  out.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const logger = createLogger({ level: "info", pretty, destination: out });
  if (log) log(logger);
  else logger.info({ campaign: "cmp_1" }, "campaigns completed");
  logger.flush();
  return text;
}

describe("createLogger", () => {
  it("writes one JSON object per line when nobody is watching", () => {
    const line = JSON.parse(collect(false).trim());
    expect(line).toMatchObject({ level: 30, msg: "campaigns completed", campaign: "cmp_1" });
  });

  it("writes readable lines in a terminal", () => {
    const text = collect(true);
    expect(text).toMatch(/INFO.*campaigns completed/);
    expect(text).toContain('campaign: "cmp_1"');
    expect(() => JSON.parse(text)).toThrow();
  });

  it("redacts credentials, whoever logs them", () => {
    const text = collect(false, (logger) =>
      logger.warn(
        {
          req: { headers: { authorization: "Bearer ak_SECRET1", cookie: "s=SECRET2" } },
          account: { credentials: { apiKey: "SECRET3" }, webhookSecret: "SECRET4" },
        },
        "something",
      ),
    );
    expect(text).toContain("[redacted]");
    expect(text).not.toMatch(/SECRET\d/);
  });
});
