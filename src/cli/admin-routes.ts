// The local admin endpoint: the CLI sends its command here when a running
// server holds the embedded data directory. Only from loopback, with the
// token from the data directory.
import { timingSafeEqual } from "node:crypto";
import Type from "typebox";
import type { Db } from "../db/client.ts";
import type { App } from "../http/types.ts";
import { AppError } from "../lib/errors.ts";
import { type Args, commands, isCommandName } from "./commands.ts";

const LOOPBACK = ["127.0.0.1", "::1", "::ffff:127.0.0.1"];

export function adminRoutes(app: App, db: Db, token: string): void {
  const expected = Buffer.from(`Bearer ${token}`);
  app.post(
    "/_admin/cli",
    {
      schema: {
        hide: true,
        body: Type.Object({
          command: Type.String(),
          args: Type.Record(Type.String(), Type.Union([Type.String(), Type.Boolean()])),
        }),
      },
    },
    async (request) => {
      const given = Buffer.from(request.headers.authorization ?? "");
      const loopback = LOOPBACK.includes(request.ip);
      if (!loopback || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new AppError("UNAUTHORIZED", "admin token required");
      }
      const { command, args } = request.body;
      if (!isCommandName(command)) throw new AppError("NOT_FOUND", `unknown command ${command}`);
      return { result: await commands[command](db, args as Args) };
    },
  );
}
