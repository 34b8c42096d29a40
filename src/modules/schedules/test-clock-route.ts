// POST /test/clock: moves the server's clock forward, for the browser tests
// and the benchmarks that run schedules due later (mounted only with
// ALIMI_TEST_CLOCK=true, never on a real server).
import Type from "typebox";
import type { App } from "../../http/types.ts";
import type { TestClock } from "../../lib/test-clock.ts";

export function testClockRoute(app: App, clock: TestClock, onMoved: () => void) {
  app.post(
    "/test/clock",
    {
      schema: {
        hide: true,
        body: Type.Object(
          { advanceMs: Type.Integer({ minimum: -31_536_000_000, maximum: 31_536_000_000 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const now = clock.advance(request.body.advanceMs);
      onMoved();
      return { now: now.toISOString() };
    },
  );
}
