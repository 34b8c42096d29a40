// Schedules over HTTP and their runs by the scheduler, with the clock moved:
// what is stored and shown, what is refused and where, and what each
// occurrence does (a campaign with its hold, a failure, a skip).
import pino from "pino";
import { describe, expect, it } from "vitest";
import {
  createSendingOrg,
  createTestApp,
  TEST_METRICS_TOKEN,
  type TestOrg,
} from "../../../test/app.ts";
import { engine } from "../../../test/db.ts";
import { HOLIDAY_YEARS } from "../../domain/korean-holidays.ts";
import { acceptSend } from "../messages/service.ts";
import type { RoomPostResult } from "../rooms/index.ts";
import { defaultPolicy, runSchedulerRound, type SchedulerDeps } from "./scheduler.ts";

/** Monday 7 December 2026, 08:00 in Seoul. */
const MONDAY = new Date("2026-12-07T08:00:00+09:00");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const SMS = { type: "sms", text: "주간 공지입니다", recipients: [{ to: "010-2000-0001" }] };

describe(`schedules on ${engine}`, async () => {
  const { app, db, clock } = await createTestApp();
  clock.now = MONDAY;
  const shop = await createSendingOrg(db, { credits: 1000, name: "스케줄 매장" });
  const other = await createSendingOrg(db, { credits: 1000, name: "다른 회사" });
  const posted: { runId: string; roomIds: string[] }[] = [];
  let roomAnswer: (roomId: string) => RoomPostResult["status"] = () => "posted";
  const scheduler: SchedulerDeps = {
    db,
    now: () => clock.now,
    logger: pino({ level: "silent" }),
    send: acceptSend,
    async postToRooms(input) {
      posted.push({ runId: input.runId, roomIds: input.roomIds });
      return input.roomIds.map((roomId) => ({ roomId, kind: "text", status: roomAnswer(roomId) }));
    },
  };
  const policy = defaultPolicy(15_000);
  /** Scheduler rounds until nothing more is due. */
  async function runDue() {
    while (await runSchedulerRound(scheduler, policy)) {}
  }

  const create = (org: TestOrg, payload: Record<string, unknown>) =>
    app.inject({ method: "POST", url: "/v1/schedules", headers: org.auth, payload });
  const get = (org: TestOrg, url: string) => app.inject({ method: "GET", url, headers: org.auth });
  const weekly = (extra: Record<string, unknown> = {}) => ({
    title: "주간 공지",
    repeat: { kind: "weekly", time: "09:00", weekdays: [1, 3, 5] },
    target: { kind: "message", message: SMS },
    ...extra,
  });
  const count = async (sql: string, params: unknown[]) =>
    Number((await db.query<{ n: string }>(sql, params)).rows[0]!.n);

  it("stores a schedule and shows its next run and the five after it", async () => {
    const res = await create(shop, weekly({ description: "월수금" }));
    expect(res.statusCode).toBe(201);
    const s = res.json();
    expect(s).toMatchObject({
      id: expect.stringMatching(/^sch_/),
      title: "주간 공지",
      description: "월수금",
      status: "active",
      timeZone: "Asia/Seoul",
      missedRunPolicy: "catch_up",
      graceMinutes: 60,
      skipHolidays: false,
      runCount: 0,
      lastRunAt: null,
      createdBy: expect.stringMatching(/^key_/),
      repeat: { kind: "weekly", time: "09:00", weekdays: [1, 3, 5] },
    });
    expect(s.nextRunAt).toBe("2026-12-07T00:00:00.000Z");
    expect(s.nextRuns).toEqual([
      "2026-12-07T00:00:00.000Z",
      "2026-12-09T00:00:00.000Z",
      "2026-12-11T00:00:00.000Z",
      "2026-12-14T00:00:00.000Z",
      "2026-12-16T00:00:00.000Z",
    ]);
    const read = await get(shop, `/v1/schedules/${s.id}`);
    expect(read.json()).toEqual(s);
    const listed = await get(shop, "/v1/schedules?status=active");
    expect(listed.json().data.map((x: { id: string }) => x.id)).toContain(s.id);
    const none = await get(shop, "/v1/schedules?status=completed");
    expect(none.json().data.map((x: { id: string }) => x.id)).not.toContain(s.id);
  });

  it("tells the scheduler's health in /health and /metrics", async () => {
    const health = await app.inject({ method: "GET", url: "/health" });
    expect(health.json()).toMatchObject({ scheduler: { lastTickAt: null, lagSeconds: 0 } });
    const metrics = await app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    for (const name of [
      "alimi_schedule_runs_total",
      "alimi_scheduler_last_tick_seconds",
      "alimi_scheduler_lag_seconds",
    ]) {
      expect(metrics.body).toContain(`# TYPE ${name}`);
    }
  });

  it("skips Korean holidays when asked, and previews a repeat without storing it", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/schedules/preview",
      headers: shop.auth,
      payload: {
        repeat: { kind: "daily", time: "10:00" },
        timeZone: "Asia/Seoul",
        validFrom: "2026-12-24T00:00:00+09:00",
        skipHolidays: true,
      },
    });
    expect(res.statusCode).toBe(200);
    // 25 December is 성탄절.
    expect(res.json().nextRuns).toEqual([
      "2026-12-24T01:00:00.000Z",
      "2026-12-26T01:00:00.000Z",
      "2026-12-27T01:00:00.000Z",
      "2026-12-28T01:00:00.000Z",
      "2026-12-29T01:00:00.000Z",
    ]);
  });

  it("refuses a bad schedule with the path of each problem, storing nothing", async () => {
    const before = await count("select count(*) as n from schedules where org_id = $1", [
      shop.orgId,
    ]);
    const cases: [Record<string, unknown>, string, string][] = [
      [weekly({ repeat: { kind: "cron", cron: "61 * * * *" } }), "/repeat/cron", "INVALID_REPEAT"],
      [weekly({ repeat: { kind: "weekly", time: "09:00" } }), "/repeat/weekdays", "REQUIRED"],
      [
        weekly({ repeat: { kind: "weekly", time: "9am", weekdays: [1] } }),
        "/repeat/time",
        "INVALID_REPEAT",
      ],
      [
        weekly({ repeat: { kind: "weekly", time: "09:00", weekdays: [0, 8] } }),
        "/repeat/weekdays",
        "INVALID_REPEAT",
      ],
      [weekly({ timeZone: "Asia/Nowhere" }), "/timeZone", "INVALID_TIME_ZONE"],
      [
        weekly({ validFrom: "2027-01-02T00:00:00+09:00", validUntil: "2027-01-01T00:00:00+09:00" }),
        "/validUntil",
        "INVALID_VALIDITY",
      ],
      [
        weekly({ repeat: { kind: "once", at: "2026-12-01T09:00:00+09:00" } }),
        "/repeat/at",
        "NO_OCCURRENCE",
      ],
      [
        weekly({
          target: { kind: "message", message: { template: { code: "NO_SUCH" }, recipients: [] } },
        }),
        "/target/message/recipients",
        "REQUIRED",
      ],
      [
        weekly({
          target: {
            kind: "message",
            message: { template: { code: "NO_SUCH" }, recipients: [{ to: "010-2000-0002" }] },
          },
        }),
        "/target/message/template/code",
        "TEMPLATE_NOT_FOUND",
      ],
      [
        weekly({ target: { kind: "rooms", roomIds: ["room_nope"], content: { text: "안녕" } } }),
        "/target/roomIds/0",
        "ROOM_NOT_FOUND",
      ],
      [
        weekly({
          target: {
            kind: "rooms",
            roomIds: ["room_nope"],
            content: { order: "images_only", imageIds: [] },
          },
        }),
        "/target/content/imageIds",
        "REQUIRED",
      ],
      [weekly({ target: { kind: "rooms" } }), "/target/roomIds", "REQUIRED"],
    ];
    for (const [payload, path, code] of cases) {
      const res = await create(shop, payload);
      expect({ path, status: res.statusCode }).toEqual({ path, status: 400 });
      expect(res.json().error.details).toContainEqual(expect.objectContaining({ path, code }));
    }
    // A misspelled field of the send is refused by the schema, not ignored.
    const typo = await create(
      shop,
      weekly({ target: { kind: "message", message: { ...SMS, sendAtt: "x" } } }),
    );
    expect(typo.statusCode).toBe(400);
    const after = await count("select count(*) as n from schedules where org_id = $1", [
      shop.orgId,
    ]);
    expect(after).toBe(before);
  });

  it("is switched off and on, and changed, waiting for the next occurrence", async () => {
    const s = (await create(shop, weekly())).json();
    const off = await app.inject({
      method: "POST",
      url: `/v1/schedules/${s.id}/toggle`,
      headers: shop.auth,
    });
    expect(off.json()).toMatchObject({ status: "inactive", nextRunAt: null, nextRuns: [] });
    const on = await app.inject({
      method: "POST",
      url: `/v1/schedules/${s.id}/toggle`,
      headers: shop.auth,
    });
    expect(on.json()).toMatchObject({ status: "active", nextRunAt: "2026-12-07T00:00:00.000Z" });
    const retitled = await app.inject({
      method: "PATCH",
      url: `/v1/schedules/${s.id}`,
      headers: shop.auth,
      payload: { title: "새 제목" },
    });
    expect(retitled.json()).toMatchObject({ title: "새 제목", nextRunAt: s.nextRunAt });
    const retimed = await app.inject({
      method: "PATCH",
      url: `/v1/schedules/${s.id}`,
      headers: shop.auth,
      payload: { repeat: { kind: "monthly", time: "18:30", dayOfMonth: 31 } },
    });
    expect(retimed.statusCode).toBe(200);
    expect(retimed.json().nextRuns.slice(0, 3)).toEqual([
      "2026-12-31T09:30:00.000Z",
      "2027-01-31T09:30:00.000Z",
      // February's last day.
      "2027-02-28T09:30:00.000Z",
    ]);
    const bad = await app.inject({
      method: "PATCH",
      url: `/v1/schedules/${s.id}`,
      headers: shop.auth,
      payload: { repeat: { kind: "cron", cron: "nope" } },
    });
    expect(bad.statusCode).toBe(400);
    expect((await get(shop, `/v1/schedules/${s.id}`)).json().repeat.kind).toBe("monthly");
    const gone = await app.inject({
      method: "DELETE",
      url: `/v1/schedules/${s.id}`,
      headers: shop.auth,
    });
    expect(gone.statusCode).toBe(204);
    expect((await get(shop, `/v1/schedules/${s.id}`)).statusCode).toBe(404);
  });

  it("hides a schedule and its runs from other organizations: 404", async () => {
    const s = (await create(shop, weekly())).json();
    for (const [method, url, payload] of [
      ["GET", `/v1/schedules/${s.id}`, undefined],
      ["PATCH", `/v1/schedules/${s.id}`, { title: "x" }],
      ["DELETE", `/v1/schedules/${s.id}`, undefined],
      ["POST", `/v1/schedules/${s.id}/toggle`, undefined],
      ["GET", `/v1/schedules/${s.id}/runs`, undefined],
    ] as const) {
      const res = await app.inject({ method, url, headers: other.auth, payload });
      expect({ method, url, status: res.statusCode }).toEqual({ method, url, status: 404 });
    }
    const list = await get(other, "/v1/schedules");
    expect(list.json().data.map((x: { id: string }) => x.id)).not.toContain(s.id);
    expect((await get(shop, `/v1/schedules/${s.id}`)).json().status).toBe("active");
  });

  it("runs an occurrence as a campaign of the schedule's organization, its credits held", async () => {
    const org = await createSendingOrg(db, { credits: 100, name: "캠페인 매장" });
    clock.now = MONDAY;
    const s = (await create(org, weekly())).json();
    clock.now = new Date(MONDAY.getTime() + HOUR + 5_000);
    await runDue();
    const runs = (await get(org, `/v1/schedules/${s.id}/runs`)).json().data;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      scheduleId: s.id,
      occurrenceAt: "2026-12-07T00:00:00.000Z",
      status: "success",
      campaignId: expect.stringMatching(/^cmp_/),
      error: null,
    });
    const campaign = await db.query<{ orgId: string; heldTotal: string; status: string }>(
      `select org_id as "orgId", held_total::text as "heldTotal", status from campaigns where id = $1`,
      [runs[0].campaignId],
    );
    expect(campaign.rows[0]).toMatchObject({ orgId: org.orgId, heldTotal: "15000000" });
    // A run's single message goes with the campaigns, not ahead of people's single sends.
    const lane = await db.query<{ priority: number }>(
      "select priority from messages where campaign_id = $1",
      [runs[0].campaignId],
    );
    expect(lane.rows).toEqual([{ priority: 1 }]);
    const wallet = (await get(org, "/v1/credits")).json();
    expect(wallet.held).toBe("15.00");
    const after = (await get(org, `/v1/schedules/${s.id}`)).json();
    expect(after).toMatchObject({
      runCount: 1,
      lastRunStatus: "success",
      nextRunAt: "2026-12-09T00:00:00.000Z",
    });
    // Another round at the same time finds nothing more to run.
    await runDue();
    expect((await get(org, `/v1/schedules/${s.id}/runs`)).json().data).toHaveLength(1);
    const log = (await get(org, "/v1/schedule-runs?status=success")).json().data;
    expect(log.map((r: { id: string }) => r.id)).toEqual([runs[0].id]);
    expect(log[0].scheduleTitle).toBe("주간 공지");
  });

  it("fails a run without enough credits, and stops the schedule at the third failure in a row", async () => {
    const poor = await createSendingOrg(db, { credits: 40, name: "가난한 매장" });
    // An endpoint of the organization hears of every run.
    await db.query(
      `insert into webhook_endpoints (id, org_id, url, events, secret_enc)
       values ('whe_schedules', $1, 'https://hooks.example.com/alimi', '["schedule.run.completed", "schedule.run.failed"]', 'x')`,
      [poor.orgId],
    );
    clock.now = MONDAY;
    const s = (await create(poor, weekly({ repeat: { kind: "daily", time: "09:00" } }))).json();
    // Two runs succeed (15 each), then 10 credits are left: every later run fails.
    for (let day = 0; day < 6; day++) {
      clock.now = new Date(MONDAY.getTime() + day * DAY + HOUR + 1_000);
      await runDue();
    }
    const runs = (await get(poor, `/v1/schedules/${s.id}/runs`)).json().data.reverse();
    expect(runs.map((r: { status: string }) => r.status)).toEqual([
      "success",
      "success",
      "failed",
      "failed",
      "failed",
    ]);
    expect(runs[2].error).toMatchObject({ code: "INSUFFICIENT_CREDITS" });
    const events = await db.query<{ type: string; runId: string; status: string }>(
      `select type, payload->>'runId' as "runId", payload->>'status' as status
       from webhook_events where org_id = $1 order by seq`,
      [poor.orgId],
    );
    expect(events.rows).toEqual(
      runs.map((r: { id: string; status: string }) => ({
        type: r.status === "failed" ? "schedule.run.failed" : "schedule.run.completed",
        runId: r.id,
        status: r.status,
      })),
    );
    const after = (await get(poor, `/v1/schedules/${s.id}`)).json();
    expect(after).toMatchObject({ status: "error", consecutiveFailures: 3, nextRunAt: null });
    // Switched on again, it starts counting afresh.
    const on = await app.inject({
      method: "POST",
      url: `/v1/schedules/${s.id}/toggle`,
      headers: poor.auth,
    });
    expect(on.json()).toMatchObject({ status: "active", consecutiveFailures: 0 });
  });

  it("runs an organization's due runs together: one refused leaves the others sent", async () => {
    // 40 credits: two runs of 15 each fit, the third does not. The three are
    // accepted in one transaction, each in its own savepoint.
    const org = await createSendingOrg(db, { credits: 40, name: "세 일정 매장" });
    clock.now = MONDAY;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await create(org, weekly({ title: `공지 ${i}` }))).json().id);
    clock.now = new Date(MONDAY.getTime() + HOUR + 5_000);
    await runDue();
    const runs = await db.query<{
      scheduleId: string;
      status: string;
      campaignId: string | null;
      code: string | null;
    }>(
      `select schedule_id as "scheduleId", status, campaign_id as "campaignId", error->>'code' as code
       from schedule_runs where org_id = $1 order by id`,
      [org.orgId],
    );
    expect(runs.rows.map((r) => r.status)).toEqual(["success", "success", "failed"]);
    expect(runs.rows[2]).toMatchObject({ campaignId: null, code: "INSUFFICIENT_CREDITS" });
    const campaigns = await db.query<{ id: string }>("select id from campaigns where org_id = $1", [
      org.orgId,
    ]);
    expect(campaigns.rows.map((c) => c.id).sort()).toEqual(
      runs.rows
        .slice(0, 2)
        .map((r) => r.campaignId)
        .sort(),
    );
    expect((await get(org, "/v1/credits")).json()).toMatchObject({
      held: "30.00",
      available: "10.00",
    });
    expect(runs.rows.map((r) => r.scheduleId).sort()).toEqual([...ids].sort());
    const failed = (await get(org, `/v1/schedules/${runs.rows[2]!.scheduleId}`)).json();
    expect(failed).toMatchObject({ lastRunStatus: "failed", consecutiveFailures: 1 });
  });

  it("stops a schedule whose holidays are not known for the year, saying why in its run log", async () => {
    const org = await createSendingOrg(db, { credits: 100, name: "휴일 매장" });
    clock.now = MONDAY;
    const s = (
      await create(org, weekly({ repeat: { kind: "daily", time: "09:00" }, skipHolidays: true }))
    ).json();
    const year = HOLIDAY_YEARS.last + 1;
    const due = new Date(`${year}-01-02T09:00:00+09:00`);
    await db.query("update schedules set next_run_at = $2 where id = $1", [s.id, due]);
    clock.now = new Date(due.getTime() + 5_000);
    await runDue();
    const runs = (await get(org, `/v1/schedules/${s.id}/runs`)).json().data;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      occurrenceAt: due.toISOString(),
      status: "failed",
      campaignId: null,
      error: { code: "HOLIDAYS_UNKNOWN", message: expect.stringContaining(String(year)) },
    });
    expect((await get(org, `/v1/schedules/${s.id}`)).json()).toMatchObject({
      status: "error",
      nextRunAt: null,
    });
    clock.now = MONDAY;
  });

  it("completes a once schedule after its run, and one whose validity ended", async () => {
    clock.now = MONDAY;
    const once = (
      await create(shop, weekly({ repeat: { kind: "once", at: "2026-12-07T10:00:00+09:00" } }))
    ).json();
    const bounded = (
      await create(
        shop,
        weekly({
          repeat: { kind: "daily", time: "09:00" },
          validUntil: "2026-12-08T12:00:00+09:00",
        }),
      )
    ).json();
    expect(bounded.nextRuns).toEqual(["2026-12-07T00:00:00.000Z", "2026-12-08T00:00:00.000Z"]);
    clock.now = new Date(MONDAY.getTime() + HOUR + 1_000);
    await runDue();
    clock.now = new Date(MONDAY.getTime() + 2 * HOUR + 1_000);
    await runDue();
    expect((await get(shop, `/v1/schedules/${once.id}`)).json()).toMatchObject({
      status: "completed",
      runCount: 1,
      nextRunAt: null,
      nextRuns: [],
    });
    expect((await get(shop, `/v1/schedules/${bounded.id}`)).json().status).toBe("active");
    clock.now = new Date(MONDAY.getTime() + DAY + HOUR + 1_000);
    await runDue();
    expect((await get(shop, `/v1/schedules/${bounded.id}`)).json()).toMatchObject({
      status: "completed",
      runCount: 2,
    });
  });

  it("after downtime catches up within the grace window, or logs the missed runs skipped", async () => {
    clock.now = MONDAY;
    const daily = { kind: "daily", time: "09:00" };
    const catchUp = (
      await create(shop, weekly({ repeat: daily, missedRunPolicy: "catch_up", graceMinutes: 60 }))
    ).json();
    const skip = (
      await create(shop, weekly({ repeat: daily, missedRunPolicy: "skip", graceMinutes: 60 }))
    ).json();
    // Down from Monday morning until Wednesday 09:30: Monday and Tuesday are past the
    // window, Wednesday's is 30 minutes late.
    clock.now = new Date("2026-12-09T09:30:00+09:00");
    await runDue();
    const statuses = async (id: string) =>
      (await get(shop, `/v1/schedules/${id}/runs`))
        .json()
        .data.map((r: { occurrenceAt: string; status: string }) => [r.occurrenceAt, r.status]);
    expect(await statuses(catchUp.id)).toEqual([
      ["2026-12-09T00:00:00.000Z", "success"],
      ["2026-12-08T00:00:00.000Z", "skipped"],
      ["2026-12-07T00:00:00.000Z", "skipped"],
    ]);
    expect(await statuses(skip.id)).toEqual([
      ["2026-12-09T00:00:00.000Z", "skipped"],
      ["2026-12-08T00:00:00.000Z", "skipped"],
      ["2026-12-07T00:00:00.000Z", "skipped"],
    ]);
    for (const s of [catchUp, skip]) {
      expect((await get(shop, `/v1/schedules/${s.id}`)).json().nextRunAt).toBe(
        "2026-12-10T00:00:00.000Z",
      );
    }
    const skipped = (await get(shop, `/v1/schedule-runs?status=skipped&from=2026-12-09T00:00:00Z`))
      .json()
      .data.filter((r: { scheduleId: string }) => r.scheduleId === skip.id);
    expect(skipped).toHaveLength(3);
  });

  it("posts to rooms through the rooms module: success, partial, failed by the posts", async () => {
    const gateway = await app.inject({
      method: "POST",
      url: "/v1/bot-gateways",
      headers: shop.auth,
      payload: { name: "테스트 게이트웨이", kind: "sandbox" },
    });
    expect(gateway.statusCode).toBe(201);
    const room = async (externalId: string) =>
      (
        await app.inject({
          method: "POST",
          url: "/v1/rooms",
          headers: shop.auth,
          payload: { name: externalId, gatewayId: gateway.json().id, externalId, mode: "test" },
        })
      ).json().id as string;
    const ok = await room("ok-room");
    const bad = await room("fail-room");
    // Another organization's room is not this one's to post to.
    const foreign = await app.inject({
      method: "POST",
      url: "/v1/schedules",
      headers: other.auth,
      payload: weekly({ target: { kind: "rooms", roomIds: [ok], content: { text: "안녕" } } }),
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.details).toContainEqual(
      expect.objectContaining({ path: "/target/roomIds/0", code: "ROOM_NOT_FOUND" }),
    );
    clock.now = MONDAY;
    const s = (
      await create(
        shop,
        weekly({
          repeat: { kind: "daily", time: "09:00" },
          target: { kind: "rooms", roomIds: [ok, bad], content: { text: "오늘의 공지" } },
        }),
      )
    ).json();
    expect(s.target).toMatchObject({
      kind: "rooms",
      roomIds: [ok, bad],
      content: { text: "오늘의 공지", imageIds: [], order: "text_first", intervalSeconds: 3 },
    });
    const outcomes: [(roomId: string) => RoomPostResult["status"], string][] = [
      [() => "posted", "success"],
      [(id) => (id === bad ? "failed" : "posted"), "partial"],
      [() => "failed", "failed"],
    ];
    for (const [i, [answer]] of outcomes.entries()) {
      roomAnswer = answer;
      clock.now = new Date(MONDAY.getTime() + i * DAY + HOUR + 1_000);
      await runDue();
    }
    const runs = (await get(shop, `/v1/schedules/${s.id}/runs`)).json().data.reverse();
    expect(runs.map((r: { status: string }) => r.status)).toEqual(outcomes.map(([, s]) => s));
    expect(runs[1].posts).toEqual([
      { roomId: ok, kind: "text", status: "posted" },
      { roomId: bad, kind: "text", status: "failed" },
    ]);
    expect(posted.filter((p) => runs.some((r: { id: string }) => r.id === p.runId))).toHaveLength(
      3,
    );
    roomAnswer = () => "posted";
  });
});
