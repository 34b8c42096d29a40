// When a sent message without a final result is asked of its vendor again.
//
// Reports get lost (a webhook down for a minute, a vendor that never pushes),
// so a sent message is polled ALIMI_POLL_AFTER after it was sent, then again
// after twice as long each time (2m, 4m, 8m… with the defaults), at most an
// hour apart, and never past its expiry: at ALIMI_EXPIRE_AFTER (the carriers'
// 72-hour result window) it is expired and its hold released. A lost webhook
// therefore costs minutes, while a message still pending at the carrier costs
// a few dozen polls over three days, not one a minute.

/** The longest wait between two polls of one message. */
export const POLL_CAP_MS = 60 * 60_000;

export interface PollSchedule {
  pollAfterMs: number;
  expireAfterMs: number;
}

/** When a message sent at `sentAt` is first due to be polled. */
export function firstPollAt(sentAt: Date, schedule: PollSchedule): Date {
  return new Date(sentAt.getTime() + schedule.pollAfterMs);
}

/** When a message sent at `sentAt` expires without a final result. */
export function expiresAt(sentAt: Date, schedule: PollSchedule): Date {
  return new Date(sentAt.getTime() + schedule.expireAfterMs);
}

/**
 * The next poll after the `polls`-th one (1 after the first poll) that left
 * the message pending, made at `now`: pollAfter × 2^polls later, capped, and
 * never later than the expiry.
 */
export function nextPollAt(options: {
  sentAt: Date;
  polls: number;
  now: Date;
  schedule: PollSchedule;
}): Date {
  const { schedule } = options;
  const exponent = Math.max(0, Math.min(options.polls, 30));
  const wait = Math.min(schedule.pollAfterMs * 2 ** exponent, POLL_CAP_MS);
  const expiry = expiresAt(options.sentAt, schedule).getTime();
  return new Date(Math.min(options.now.getTime() + Math.max(wait, 1), expiry));
}
