// A room's limits across processes: 51 runs posting to one room at once,
// from two connection pools (two "processes"), on a clock that stands still.
// The room's row lock serialises their reservations, so the slots come out
// exactly 30 s apart, each post sleeping until its own, and the 51st of the
// day finds the day full and its next slot (tomorrow) after its window:
// rate_limited. Without the lock, reservations read the same last slot and
// two posts share one.
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabaseUrl } from "../../../test/db.ts";
import { openPostgres } from "../../db/client.ts";
import { MICRO_PER_CREDIT } from "../../domain/money.ts";
import { newId } from "../../lib/ids.ts";
import { createOrg, ensurePlatform } from "../orgs/service.ts";
import { insertGateway, insertRoom } from "./queries.ts";
import { type RoomPostResult, type RoomRunDeps, runRoomPosts } from "./run.ts";

const RUNS = 51;

describe("room limits across two processes (PostgreSQL)", async () => {
  const url = await createTestDatabaseUrl();
  const first = openPostgres({ url, poolSize: 10 });
  const second = openPostgres({ url, poolSize: 10 });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  await ensurePlatform(first);
  const { org } = await createOrg(first, { name: "Rooms", credits: 1000n * MICRO_PER_CREDIT });
  const gateway = await insertGateway(first, {
    id: newId("bgw"),
    orgId: org.id,
    name: "sandbox",
    kind: "sandbox",
    url: null,
    secretEnc: null,
  });
  const room = await insertRoom(first, {
    id: newId("room"),
    orgId: org.id,
    gatewayId: gateway.id,
    name: "공지방",
    externalId: "chat-1",
    mode: "live",
  });

  // Midnight in Seoul: the day has room for 50 posts 30 s apart, and the window ends at noon.
  const start = new Date("2026-12-02T00:00:00+09:00");
  const windowEndsAt = new Date("2026-12-02T12:00:00+09:00");
  const sleeps: number[] = [];
  const depsOf = (db: typeof first): RoomRunDeps => ({
    db,
    now: () => start,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    publicUrl: () => "http://alimi.test",
  });

  it("gives each post its own slot 30 s after the last, and rate-limits the 51st of the day", async () => {
    const runs = Array.from({ length: RUNS }, (_, i) =>
      runRoomPosts(depsOf(i % 2 === 0 ? first : second), {
        orgId: org.id,
        runId: newId("run"),
        roomIds: [room.id],
        content: { text: `공지 ${i}`, imageIds: [], order: "text_only", intervalSeconds: 0 },
        windowEndsAt,
      }),
    );
    const results: RoomPostResult[] = (await Promise.all(runs)).flat();

    const byStatus = Object.groupBy(results, (r) => r.status);
    expect(byStatus.posted).toHaveLength(50);
    expect(byStatus.rate_limited).toHaveLength(1);
    expect(byStatus.rate_limited![0]!.error?.code).toBe("RATE_LIMITED");

    const slots = await first.query<{ slotAt: Date }>(
      `select slot_at as "slotAt" from room_posts where room_id = $1 and slot_at is not null
       order by slot_at`,
      [room.id],
    );
    expect(slots.rows.map((s) => (s.slotAt.getTime() - start.getTime()) / 1000)).toEqual(
      Array.from({ length: 50 }, (_, k) => k * 30),
    );
    // Every post but the first waited for its slot.
    expect(sleeps.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 49 }, (_, k) => (k + 1) * 30_000),
    );

    const wallet = await first.query<{ balance: bigint; held: bigint }>(
      "select balance, held from wallets where org_id = $1",
      [org.id],
    );
    expect(wallet.rows[0]).toEqual({ balance: 500n * MICRO_PER_CREDIT, held: 0n });
  });
});
