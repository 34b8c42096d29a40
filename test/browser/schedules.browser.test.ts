// A weekly schedule that posts two images, in the order they were put in,
// to a test room on the sandbox gateway: made on the schedule screen with the
// next five runs previewed, run by moving the server's clock to its first
// occurrence (ALIMI_TEST_CLOCK), and seen in the run log with each post.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngBytes } from "../images.ts";
import { useProcesses } from "../processes.ts";
import {
  CHROMIUM,
  LAPTOP,
  launchChromium,
  SKIP_REASON,
  screenshot,
  signIn,
  watchProblems,
} from "./chromium.ts";
import { type ConsoleServer, startConsoleServer } from "./console-server.ts";

if (!CHROMIUM) console.warn(SKIP_REASON);

/** Seoul's weekday (1 = Monday … 7 = Sunday) `days` from now. */
function seoulWeekday(days: number): number {
  const name = new Intl.DateTimeFormat("en-US", {
    timeZone: "Asia/Seoul",
    weekday: "short",
  }).format(new Date(Date.now() + days * 86_400_000));
  return ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(name) + 1;
}

const WEEKDAYS = ["월", "화", "수", "목", "금", "토", "일"];

describe.skipIf(!CHROMIUM)("the console: a weekly schedule posting images to a test room", () => {
  useProcesses();
  let server: ConsoleServer;
  let browser: Browser;
  let laptop: BrowserContext;
  let page: Page;
  let problems: string[] = [];
  let roomId = "";

  const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: {
        authorization: `Bearer ${server.demo.apiKey}`,
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startConsoleServer({ env: { ALIMI_TEST_CLOCK: "true" } });
    const gateway = await api<{ id: string }>("/v1/bot-gateways", {
      body: { name: "샌드박스 봇", kind: "sandbox" },
    });
    const room = await api<{ id: string }>("/v1/rooms", {
      body: {
        name: "테스트 단톡방",
        gatewayId: gateway.id,
        externalId: "test-room-1",
        mode: "test",
      },
    });
    roomId = room.id;
    laptop = await browser.newContext(LAPTOP);
    page = await laptop.newPage();
    problems = watchProblems(page);
    page.on("dialog", (dialog) => void dialog.accept());
    await signIn(page, server.url, server.demo);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("makes a weekly schedule with two images in the order given, previewing its next runs", async () => {
    await page
      .getByRole("navigation", { name: "메뉴" })
      .getByRole("link", { name: "예약 발송" })
      .click();
    await page.getByRole("heading", { name: "예약 발송" }).waitFor();
    await page.getByRole("button", { name: "새 예약" }).click();
    const form = page.getByTestId("schedule-form");
    await form.getByLabel("제목").fill("주간 이미지 공지");
    // Weekly (the default) on tomorrow's weekday at 09:00, instead of Monday.
    const day = seoulWeekday(1);
    if (day !== 1) await form.getByLabel("월", { exact: true }).uncheck();
    await form.getByLabel(WEEKDAYS[day - 1]!, { exact: true }).check();
    await form.getByLabel("시각").fill("09:00");
    const preview = page.getByTestId("next-runs").locator("li");
    await expect.poll(() => preview.count(), { timeout: 10_000 }).toBe(5);

    await form.getByLabel("보낼 것").selectOption("rooms");
    await form.getByLabel("테스트 단톡방").check();
    await form.getByLabel("게시 순서").selectOption("images_only");
    await form.getByLabel("게시 간격(초)").fill("0");
    await form.getByLabel(/이미지 \(최대 10장\)/).setInputFiles([
      { name: "first.png", mimeType: "image/png", buffer: pngBytes({ width: 40, height: 30 }) },
      { name: "second.png", mimeType: "image/png", buffer: pngBytes({ width: 30, height: 40 }) },
    ]);
    const images = page.getByTestId("schedule-images").locator("li");
    await expect.poll(() => images.count(), { timeout: 10_000 }).toBe(2);
    // The second image is to go first.
    await images.nth(0).getByRole("button", { name: "아래로" }).click();
    expect(await images.nth(0).textContent()).toContain("second.png");
    await screenshot(page, "schedule-form");
    await form.getByRole("button", { name: "예약 만들기" }).click();

    const row = page.getByTestId("schedules").locator("tr", { hasText: "주간 이미지 공지" });
    await row.waitFor();
    expect(await row.locator("[data-status]").first().getAttribute("data-status")).toBe("active");
    const schedules = await api<{
      data: {
        id: string;
        nextRunAt: string;
        nextRuns: string[];
        target: { content: { imageIds: string[] } };
      }[];
    }>("/v1/schedules");
    const made = schedules.data[0]!;
    expect(made.nextRuns).toHaveLength(5);
    const files = await Promise.all(
      made.target.content.imageIds.map((id) => api<{ name: string }>(`/v1/files/${id}`)),
    );
    expect(files.map((f) => f.name)).toEqual(["second.png", "first.png"]);
  });

  it("runs at its first occurrence once the clock is moved there, and shows the run and its posts", async () => {
    const [made] = (await api<{ data: { id: string; nextRunAt: string }[] }>("/v1/schedules")).data;
    const { now } = await api<{ now: string }>("/test/clock", { body: { advanceMs: 0 } });
    await api("/test/clock", {
      body: { advanceMs: new Date(made!.nextRunAt).getTime() - new Date(now).getTime() + 5_000 },
    });
    // Two posts to one room: the second waits for the room's 30-second slot.
    await expect
      .poll(
        async () =>
          (await api<{ data: { status: string }[] }>(`/v1/schedules/${made!.id}/runs`)).data[0]
            ?.status,
        { timeout: 120_000, interval: 1_000 },
      )
      .toBe("success");

    // The session is older than its idle limit by the moved clock: sign in again.
    await signIn(page, server.url, server.demo);
    await page
      .getByRole("navigation", { name: "메뉴" })
      .getByRole("link", { name: "발송 기록" })
      .click();
    const run = page.getByTestId("schedule-runs").locator("tr[data-run]").first();
    await run.waitFor();
    expect(await run.getAttribute("data-run-status")).toBe("success");
    expect(await run.textContent()).toContain("주간 이미지 공지");
    const posts = run.getByTestId("run-posts").locator("li");
    expect(await posts.count()).toBe(2);
    for (const i of [0, 1]) {
      expect(await posts.nth(i).getAttribute("data-post-status")).toBe("posted");
    }
    // The filter by status finds it; another status does not.
    await page.getByLabel("상태").selectOption("failed");
    await page.getByText("기록이 없습니다.").waitFor();
    await page.getByLabel("상태").selectOption("success");
    await page.getByTestId("schedule-runs").waitFor();
    expect(await page.getByTestId("schedule-runs").locator("tr[data-run]").count()).toBe(1);
    await screenshot(page, "schedule-runs");

    const roomPosts = await api<{ data: { status: string; fileId?: string | null }[] }>(
      `/v1/rooms/${roomId}/posts`,
    );
    expect(roomPosts.data.filter((p) => p.status === "posted")).toHaveLength(2);

    const schedule = await api<{ runCount: number; lastRunStatus: string; nextRunAt: string }>(
      `/v1/schedules/${made!.id}`,
    );
    expect(schedule).toMatchObject({ runCount: 1, lastRunStatus: "success" });
    expect(new Date(schedule.nextRunAt).getTime() - new Date(made!.nextRunAt).getTime()).toBe(
      7 * 86_400_000,
    );
  }, 180_000);

  it("ran without a script error or a policy violation", () => {
    expect(problems).toEqual([]);
  });
});
