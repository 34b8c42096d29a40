// The server's log: readable lines when a person watches it in a terminal,
// one JSON object per line for everything else (files, collectors, pipes);
// credentials are redacted whatever logs them.
import type { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import { REDACTION } from "../lib/log-redaction.ts";

export function createLogger(options: {
  level: string;
  /** Human-readable lines (pass `process.stdout.isTTY`). */
  pretty: boolean;
  /** Where lines go; standard output unless a test collects them. */
  destination?: Writable;
}): Logger {
  const destination = options.destination ?? process.stdout;
  const redact = { ...REDACTION, paths: [...REDACTION.paths] };
  if (!options.pretty) return pino({ level: options.level, redact }, destination);
  return pino(
    { level: options.level, redact },
    pretty({
      destination,
      colorize: destination === process.stdout,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
      sync: true,
    }),
  );
}
