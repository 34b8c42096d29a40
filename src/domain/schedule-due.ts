// What a scheduler does with a schedule that is due: every occurrence from
// the one it was waiting for up to now is either run or logged skipped, once.
// An occurrence found within `onTimeMs` of its time is on time and runs; one
// found later was missed (the scheduler was down or behind): `catch_up` runs
// it when it is no older than the grace window, and otherwise — or under
// `skip` — it is logged `skipped`. The schedule then waits for its next
// occurrence after now.
import { occurrencesAfter, type Recurrence } from "./recurrence.ts";

export type MissedRunPolicy = "catch_up" | "skip";

export interface DueDecision {
  /** Occurrences to run now, oldest first. */
  run: Date[];
  /** Occurrences missed past the grace window (or under `skip`), to log as skipped. */
  skipped: Date[];
  /** The occurrence to wait for next; null: the schedule is over. */
  next: Date | null;
}

/** How many missed occurrences one decision looks at; older ones are skipped in the next. */
const MAX_PER_DECISION = 100;

export function decideDue(input: {
  recurrence: Recurrence;
  /** The occurrence the schedule was waiting for (its next_run_at), due at or before now. */
  due: Date;
  now: Date;
  policy: MissedRunPolicy;
  graceMs: number;
  onTimeMs: number;
}): DueDecision {
  const { recurrence, due, now } = input;
  const decision: DueDecision = { run: [], skipped: [], next: null };
  const occurrences = [due];
  // The later occurrences up to now, which were missed as well.
  let cursor = due;
  while (occurrences.length < MAX_PER_DECISION) {
    const [after] = occurrencesAfter(recurrence, cursor, 1);
    if (!after) break;
    if (after > now) {
      decision.next = after;
      break;
    }
    occurrences.push(after);
    cursor = after;
  }
  if (occurrences.length === MAX_PER_DECISION) {
    // The rest of the backlog is for the next decision, which starts after these.
    decision.next = occurrencesAfter(recurrence, cursor, 1)[0] ?? null;
  }
  for (const at of occurrences) {
    const late = now.getTime() - at.getTime();
    const runs = late <= input.onTimeMs || (input.policy === "catch_up" && late <= input.graceMs);
    (runs ? decision.run : decision.skipped).push(at);
  }
  return decision;
}
