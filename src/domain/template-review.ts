// When a vendor is asked again about a template it reviews. Kakao takes up
// to two business days; most answers come within hours, a few at once. So
// the first ten minutes are polled every minute, the first hour every five,
// the first day every fifteen, and then hourly: about 140 calls for a
// template that waits two days, most of them while an answer is likeliest.
const MINUTE = 60_000;

const STEPS: { until: number; every: number }[] = [
  { until: 10 * MINUTE, every: MINUTE },
  { until: 60 * MINUTE, every: 5 * MINUTE },
  { until: 24 * 60 * MINUTE, every: 15 * MINUTE },
];
const LAST_EVERY = 60 * MINUTE;

/** When to ask next about a template requested at `requestedAt` (now, when unknown). */
export function nextReviewCheck(now: Date, requestedAt: Date | null): Date {
  const age = Math.max(0, now.getTime() - (requestedAt ?? now).getTime());
  const every = STEPS.find((step) => age < step.until)?.every ?? LAST_EVERY;
  return new Date(now.getTime() + every);
}

/** How old a vendor's last answer may be before a read of the template asks again. */
export const REVIEW_STALE_MS = MINUTE;
