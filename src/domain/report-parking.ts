// How long a delivery report waits for a message we do not know yet, and how
// often it is looked at meanwhile.
//
// A fast vendor can report before the worker has recorded its acceptance, so
// such a report is parked rather than refused. Recording the acceptance makes
// the parked reports about it due at once (messages/transitions.ts markSent);
// the checks here only cover the race where the report was stored while that
// acceptance was being recorded, and reports about ids that never come (a
// misconfigured or hostile sender). So a parked report is looked at 1 s after
// it came, then twice as long each time (at most a minute apart), and for the
// last time at the end of its window, when it is dropped: about 15 looks in
// the default 10 minutes, not one a second forever.

/** The longest wait between two looks at a parked report. */
export const PARKED_CHECK_CAP_MS = 60_000;
const FIRST_CHECK_MS = 1_000;

/**
 * When a parked report is next looked at, after its `checks`-th look (1 after
 * the first) found its message still unknown at `now`: never past its window.
 */
export function nextCheckAt(options: {
  receivedAt: Date;
  checks: number;
  now: Date;
  windowMs: number;
}): Date {
  const exponent = Math.max(0, Math.min(options.checks - 1, 30));
  const wait = Math.min(FIRST_CHECK_MS * 2 ** exponent, PARKED_CHECK_CAP_MS);
  const end = options.receivedAt.getTime() + options.windowMs;
  return new Date(Math.min(options.now.getTime() + wait, end));
}

/** Whether a parked report's window is over: its message did not appear in time. */
export function isPastWindow(options: { receivedAt: Date; now: Date; windowMs: number }): boolean {
  return options.now.getTime() >= options.receivedAt.getTime() + options.windowMs;
}
