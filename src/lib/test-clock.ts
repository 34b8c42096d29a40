// A clock that tests and benchmarks can move forward (ALIMI_TEST_CLOCK=true):
// the server and its workers read the time through it, so a schedule due
// tomorrow can be run now by moving the clock, never by waiting.

export interface TestClock {
  now(): Date;
  /** Moves the clock forward (or back) by `ms`; returns the new time. */
  advance(ms: number): Date;
}

export function createTestClock(): TestClock {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  return {
    now,
    advance(ms) {
      offsetMs += ms;
      return now();
    },
  };
}
