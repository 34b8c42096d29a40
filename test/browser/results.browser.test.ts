// Results: a Korean spreadsheet (a real .xlsx) with bad rows imported — its
// number column named by hand, two rows left out — into a new group; a text
// with a link sent to the group, its link tracked and priced as sent; the
// tracked link followed as a browser would (and as a link preview would,
// not counted); the clicks on the campaign, its groups, its links and the
// message, the CSV of its messages, and the statistics' rates moving; an
// Alimtalk template written with a live preview, rejected and then approved
// by the platform operator — on a laptop, then the screens on a phone.
import { readFileSync } from "node:fs";
import ExcelJS from "exceljs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useProcesses } from "../processes.ts";
import {
  CHROMIUM,
  expectNoOverflow,
  LAPTOP,
  launchChromium,
  PHONE,
  SKIP_REASON,
  screenshot,
  signIn,
  watchProblems,
} from "./chromium.ts";
import { type ConsoleServer, startConsoleServer } from "./console-server.ts";

if (!CHROMIUM) console.warn(SKIP_REASON);

const CHROME =
  "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
const KAKAO_PREVIEW = "facebookexternalhit/1.1; kakaotalk-scrap/1.0; +https://devtalk.kakao.com";
const GROUP = "봄 이벤트 고객";
const LINK = "https://a.kr/x";
/** 81 EUC-KR bytes as written (an SMS); over 90 with its link tracked (an LMS). */
const TEXT = `봄맞이 감사 쿠폰이 도착했습니다 지금 바로 확인하시고 혜택 받으세요 ${LINK}`;
const OPERATOR = { email: "operator@alimi.local", password: "operator-password-1" };

/**
 * The sheet as a shop keeps it: its number column under a header Alimi does
 * not know (고객번호), a bad number, a missing one, a number twice, and a
 * customer who is a contact already. Row numbers are the sheet's.
 */
const ROWS: [string, string, string, string][] = [
  ["홍길동", "010-5000-0001", "강남점", "골드"], // 2
  ["김철수", "010-5000-0002", "홍대점", "실버"], // 3: left out
  ["이영희", "01050000003", "강남점", "골드"], // 4: left out
  ["박민수", "12345", "신촌점", "실버"], // 5: invalid
  ["최지우", "", "강남점", "브론즈"], // 6: no number
  ["정우성", "010-5000-0001", "홍대점", "골드"], // 7: the number of row 2
  ["한가인", "010-0000-0002", "신촌점", "실버"], // 8: the sandbox cannot reach it
  ["강동원", "010-5000-0005", "강남점", "골드"], // 9: a contact already
];

async function spreadsheet(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet("고객 명단");
  sheet.addRow(["고객명", "고객번호", "매장", "등급"]);
  for (const row of ROWS) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** Drops a file on the console's file box, as dragging it from the desktop does. */
async function dropFile(page: Page, file: { name: string; bytes: Buffer; type: string }) {
  const transfer = await page.evaluateHandle(`(() => {
    const bytes = Uint8Array.from(atob(${JSON.stringify(file.bytes.toString("base64"))}), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], ${JSON.stringify(file.name)}, { type: ${JSON.stringify(file.type)} }));
    return transfer;
  })()`);
  const box = page.getByTestId("file-drop");
  await box.dispatchEvent("dragenter", { dataTransfer: transfer });
  await box.dispatchEvent("drop", { dataTransfer: transfer });
}

describe.skipIf(!CHROMIUM)("the console: imports, results, clicks and statistics", () => {
  useProcesses();
  let server: ConsoleServer;
  let browser: Browser;
  let laptop: BrowserContext;
  let page: Page;
  let problems: string[] = [];
  let importUrl = "";
  let campaignUrl = "";
  let messageUrl = "";
  let templateUrl = "";
  const nav = (p: Page, name: string) =>
    p.getByRole("navigation", { name: "메뉴" }).getByRole("link", { name, exact: true });
  const value = (p: Page, id: string) => p.getByTestId(id).locator(".stat-value").textContent();
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${server.demo.apiKey}`,
        "content-type": "application/json",
        ...init.headers,
      },
    });

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startConsoleServer();
    laptop = await browser.newContext({ ...LAPTOP, acceptDownloads: true });
    page = await laptop.newPage();
    problems = watchProblems(page);
    page.on("dialog", (dialog) => void dialog.accept());
    await signIn(page, server.url, server.demo);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows no rates before anything is sent", async () => {
    await nav(page, "통계").click();
    await expect.poll(() => value(page, "stat-messages")).toBe("0");
    expect(await value(page, "stat-success-rate")).toBe("–");
    expect(await value(page, "stat-click-rate")).toBe("–");
    expect(await page.getByTestId("chart-daily").getAttribute("data-empty")).toBe("true");
  });

  it("imports a Korean spreadsheet: a file that is not one is refused, the number column is named by hand", async () => {
    // A customer who is a contact already, with another name.
    const existing = await api("/v1/contacts", {
      method: "POST",
      body: JSON.stringify({ phone: "010-5000-0005", name: "강동원(기존)" }),
    });
    expect(existing.status).toBe(201);

    await nav(page, "가져오기").click();
    await expect.poll(() => page.getByText("아직 가져온 파일이 없습니다").isVisible()).toBe(true);
    const form = page.getByTestId("new-import");
    // Picked through the browser's picker: a picture, not a spreadsheet.
    await form.locator('input[type="file"]').setInputFiles({
      name: "매장사진.png",
      mimeType: "image/png",
      buffer: Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"),
    });
    expect(await page.getByTestId("file-drop-name").textContent()).toContain("매장사진.png");
    await form.getByRole("button", { name: "파일 올려 확인하기" }).click();
    await expect
      .poll(() => form.locator('[data-field-error="file"]').textContent())
      .toContain("엑셀(.xlsx)이나 CSV 파일이 아닙니다");

    // Dropped on the box: the real sheet, into a new group.
    await dropFile(page, {
      name: "봄이벤트_고객명단.xlsx",
      bytes: await spreadsheet(),
      type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    });
    expect(await page.getByTestId("file-drop-name").textContent()).toContain(
      "봄이벤트_고객명단.xlsx",
    );
    await form.getByLabel("넣을 그룹").selectOption({ label: "+ 새 그룹 만들기" });
    await form.getByLabel("새 그룹 이름").fill(GROUP);
    await form.getByRole("button", { name: "파일 올려 확인하기" }).click();
    // 고객번호 is not a header Alimi knows: the columns are offered to pick from.
    await expect
      .poll(() => page.getByTestId("import-no-phone").textContent())
      .toContain("전화번호 열을 찾지 못했습니다");
    const mapping = page.getByTestId("import-mapping");
    expect(await mapping.getByLabel("이름 열").inputValue()).toBe("고객명");
    await mapping.getByLabel("전화번호 열").selectOption("고객번호");
    expect(await mapping.getByLabel("매장 열의 항목 이름").inputValue()).toBe("매장");
    await mapping.getByLabel("등급 열의 항목 이름").fill("grade");
    // The group was made with the first try: it is the one picked now.
    await expect
      .poll(() => form.getByLabel("넣을 그룹").locator("option:checked").textContent())
      .toBe(GROUP);
    await screenshot(page, "40-import-upload");
    await form.getByRole("button", { name: "파일 올려 확인하기" }).click();
    await page.waitForURL(/\/console\/imports\/imp_/);
    importUrl = page.url();
  });

  it("reports every row by the sheet's numbers, leaves two out and commits the rest", async () => {
    const status = page.getByTestId("import-status");
    await expect.poll(() => status.getAttribute("data-status"), { timeout: 30_000 }).toBe("ready");
    const count = (name: string) =>
      page.locator(`[data-count="${name}"] .stat-value`).textContent();
    expect(await count("total")).toBe("8");
    expect(await count("valid")).toBe("4");
    expect(await count("invalid")).toBe("2");
    expect(await count("duplicate")).toBe("1");
    expect(await count("existing")).toBe("1");
    const columns = await page.getByTestId("import-columns").textContent();
    expect(columns).toContain("고객번호");
    expect(columns).toContain("#{grade}");

    const rows = page.getByTestId("import-rows");
    await expect.poll(() => rows.locator("tbody tr").count()).toBe(8);
    expect(await rows.locator('tr[data-row="7"]').textContent()).toContain("2행과 같은 번호");
    expect(await rows.locator('tr[data-row="9"]').getAttribute("data-status")).toBe("existing");
    // The invalid ones alone, each with its cell and why.
    await page.locator('[data-count="invalid"]').click();
    await expect.poll(() => rows.locator("tbody tr").count()).toBe(2);
    expect(await rows.locator('tr[data-row="5"]').textContent()).toContain("B5");
    expect(await rows.locator('tr[data-row="5"] [data-code]').getAttribute("data-code")).toBe(
      "INVALID_PHONE",
    );
    expect(await rows.locator('tr[data-row="6"]').textContent()).toContain("B6");
    await screenshot(page, "41-import-report");

    await page.locator('[data-count="total"]').click();
    await expect.poll(() => rows.locator("tbody tr").count()).toBe(8);
    await rows.getByLabel("3행 빼기").check();
    await rows.getByLabel("4행 빼기").check();
    expect(await rows.locator('tr[data-row="5"] input[type="checkbox"]').count()).toBe(0);
    const toStore = page.getByTestId("import-to-store");
    await expect.poll(() => toStore.textContent()).toContain("3명을 ‘봄 이벤트 고객’에 저장합니다");
    expect(await toStore.textContent()).toContain("직접 뺀 행 2개");
    await page.getByRole("button", { name: "3명 저장하기" }).click();
    await expect
      .poll(() => status.getAttribute("data-status"), { timeout: 30_000 })
      .toBe("completed");
    await expect.poll(() => value(page, "result-created")).toBe("2");
    expect(await value(page, "result-updated")).toBe("1");
    expect(await value(page, "result-skipped")).toBe("2");
    await screenshot(page, "42-import-result");
  });

  it("sends a text with a link to the group: tracked, and priced with the tracked link", async () => {
    await page.getByRole("button", { name: "이 그룹에 보내기" }).click();
    await page.waitForURL(/\/console\/send/);
    await expect
      .poll(() => page.getByTestId("send-groups").getByLabel(new RegExp(GROUP)).isChecked())
      .toBe(true);
    await page.getByText("문자 (SMS·LMS)", { exact: true }).click();
    await page.getByRole("textbox", { name: "내용", exact: true }).fill(TEXT);
    const track = page.getByLabel("링크 클릭 추적");
    expect(await track.isChecked()).toBe(true);
    await expect
      .poll(() => page.getByTestId("estimate-accepted").textContent(), { timeout: 10_000 })
      .toBe("3명 중 3명");
    // 81 bytes as typed; with the tracked link the server counts an LMS.
    const textField = page.locator("#send-text").locator("..");
    await expect.poll(() => textField.textContent()).toContain("추적 링크를 넣어 LMS로 보냅니다");
    expect(await page.getByTestId("estimate").textContent()).toContain("LMS");
    await track.uncheck();
    await expect.poll(() => page.getByTestId("estimate").textContent()).toContain("SMS");
    expect(await page.getByTestId("estimate").textContent()).not.toContain("LMS");
    expect(await textField.textContent()).toContain("81 / 90바이트 · SMS");
    await track.check();
    await expect.poll(() => page.getByTestId("estimate").textContent()).toContain("LMS");
    await screenshot(page, "43-send-tracked");

    await page.getByRole("button", { name: "보내기", exact: true }).click();
    await page.waitForURL(/\/console\/campaigns\/cmp_/);
    campaignUrl = page.url();
    await expect
      .poll(() => page.getByTestId("campaign-status").getAttribute("data-status"), {
        timeout: 60_000,
      })
      .toBe("completed");
    expect(await value(page, "count-delivered")).toBe("2");
    expect(await value(page, "count-failed")).toBe("1");
    expect(await value(page, "count-clicked")).toBe("0");
  });

  it("follows the tracked link as a browser does; a preview and a HEAD are not counted", async () => {
    await page.getByTestId("messages").getByRole("link", { name: "010-5000-0001" }).click();
    await page.waitForURL(/\/console\/messages\/msg_/);
    messageUrl = page.url();
    // What the recipient was sent: the text with its own tracked link.
    const sent = page.getByTestId("message-text");
    await expect.poll(() => sent.textContent()).toContain("봄맞이 감사 쿠폰");
    const tracked = (await sent.textContent())?.match(/https?:\/\/\S+\/r\/[0-9A-Za-z]+/)?.[0];
    expect(tracked, "the message carries a tracked link").toBeDefined();
    expect(await sent.textContent()).not.toContain(LINK);
    const path = new URL(tracked ?? "").pathname;

    const follow = (method: "GET" | "HEAD", userAgent: string) =>
      fetch(`${server.url}${path}`, {
        method,
        redirect: "manual",
        headers: { "user-agent": userAgent },
      });
    const preview = await follow("GET", KAKAO_PREVIEW);
    expect(preview.status).toBe(302);
    expect((await follow("HEAD", CHROME)).status).toBe(302);
    const person = await follow("GET", CHROME);
    expect(person.status).toBe(302);
    expect(person.headers.get("location")).toBe(LINK);
    expect((await fetch(`${server.url}/r/AAAAAAAAAAAAAAA`, { redirect: "manual" })).status).toBe(
      404,
    );

    // The message shows its one click (written about a second later).
    await expect
      .poll(async () => {
        await page.reload();
        return value(page, "message-clicks");
      })
      .toBe("1");
    expect(await value(page, "message-first-click")).not.toBe("–");
    await screenshot(page, "44-message");
  });

  it("shows the click on the campaign: its counts, its group and its link", async () => {
    await page.goto(campaignUrl);
    await expect.poll(() => value(page, "count-clicked")).toBe("1");
    const group = page.getByTestId("campaign-groups").locator("tbody tr");
    await expect.poll(() => group.count()).toBe(1);
    expect(await group.locator("td").first().textContent()).toBe(GROUP);
    const cell = (name: string) => group.locator(`[data-cell="${name}"]`).textContent();
    expect(await cell("total")).toBe("3");
    expect(await cell("delivered")).toBe("2");
    expect(await cell("failed")).toBe("1");
    expect(await cell("pending")).toBe("0");
    expect(await cell("clicked")).toBe("1");
    const link = page.getByTestId("campaign-links").locator(`tr[data-url="${LINK}"]`);
    expect(await link.locator('[data-cell="clicks"]').textContent()).toBe("1");
    expect(await link.locator('[data-cell="unique"]').textContent()).toBe("1");
    const row = page.getByTestId("messages").locator("tbody tr", { hasText: "010-5000-0001" });
    expect(await row.locator('[data-cell="clicks"]').textContent()).toBe("1");
    await screenshot(page, "45-campaign-results");
  });

  it("exports the campaign's messages as CSV that Excel opens in Korean", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "결과 CSV 내려받기" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^발송결과-cmp_\w+\.csv$/);
    const csv = readFileSync(await download.path(), "utf8");
    expect(csv.startsWith("\uFEFF수신번호,이름,유형,상태,발송시각,결과시각,오류,금액")).toBe(true);
    const lines = csv.slice(1).trim().split(/\r?\n/);
    expect(lines).toHaveLength(4);
    expect(lines.some((l) => l.startsWith("010-5000-0001,홍길동,"))).toBe(true);
    // The existing contact was updated from the sheet.
    expect(lines.some((l) => l.startsWith("010-5000-0005,강동원,"))).toBe(true);
  });

  it("finds the messages sent to a number across campaigns", async () => {
    await nav(page, "메시지 찾기").click();
    const search = page.getByTestId("message-search");
    await search.getByLabel("수신번호").fill("01050000001");
    await search.getByRole("button", { name: "찾기", exact: true }).click();
    const found = page.getByTestId("found-messages").locator("tbody tr");
    await expect.poll(() => found.count()).toBe(1);
    expect(await found.first().textContent()).toContain("010-5000-0001");
    expect(await found.first().locator("td.num").textContent()).toBe("1");
    await screenshot(page, "46-messages-search");
    await found.first().getByRole("link", { name: "010-5000-0001" }).click();
    await expect.poll(() => page.url()).toBe(messageUrl);
  });

  it("moves the statistics: success rate, click rate, the charts", async () => {
    await nav(page, "통계").click();
    await expect.poll(() => value(page, "stat-messages")).toBe("3");
    // 2 of 3 delivered (one unreachable); 1 of the 2 delivered clicked.
    await expect.poll(() => value(page, "stat-success-rate")).toBe("66.7%");
    await expect.poll(() => value(page, "stat-click-rate")).toBe("50.0%");
    expect(await value(page, "stat-contacts")).toBe("3");
    await expect
      .poll(() => page.getByTestId("chart-daily").getAttribute("data-empty"))
      .toBe("false");
    await expect
      .poll(() => page.getByTestId("chart-hourly").getAttribute("data-empty"))
      .toBe("false");
    expect(await page.getByTestId("chart-daily").locator("svg").count()).toBeGreaterThan(0);
    await screenshot(page, "47-stats");

    const type = page.getByTestId("stats-filters").getByLabel("유형");
    await type.selectOption({ label: "알림톡" });
    await expect
      .poll(() => page.getByTestId("chart-daily").getAttribute("data-empty"))
      .toBe("true");
    await type.selectOption({ label: "LMS" });
    await expect
      .poll(() => page.getByTestId("chart-daily").getAttribute("data-empty"))
      .toBe("false");
    await page.getByLabel("하위 조직 포함").check();
    await expect.poll(() => value(page, "stat-click-rate")).toBe("50.0%");
    await page.getByText("오늘", { exact: true }).click();
    await expect.poll(() => value(page, "stat-messages")).toBe("3");
  });

  it("writes an Alimtalk template with a live preview for a contact, and requests its review", async () => {
    await nav(page, "알림톡 템플릿").click();
    const list = page.getByTestId("templates");
    await expect
      .poll(() => list.locator('tr[data-template="WELCOME_001"]').textContent())
      .toContain("승인");
    await page.getByRole("link", { name: "새 템플릿" }).click();
    const form = page.getByTestId("new-template");
    await form.getByLabel("템플릿 코드").fill("SPRING_COUPON");
    await form.getByLabel("본문").fill("#{name}님, 봄 쿠폰이 도착했습니다.\n쿠폰 번호: #{coupon}");
    await form.getByRole("button", { name: "버튼 추가" }).click();
    await form.getByLabel("1번째 버튼 이름").fill("쿠폰 받기");
    await form.getByLabel("1번째 버튼 모바일 링크").fill("https://shop.example.com/c/#{coupon}");
    await form.getByLabel("대체 문자 내용").fill("#{name}님 봄 쿠폰 #{coupon}");
    await form.getByRole("button", { name: "초안 만들기" }).click();
    await page.waitForURL(/\/console\/templates\/SPRING_COUPON$/);
    templateUrl = page.url();
    await expect
      .poll(() => page.getByTestId("template-status").getAttribute("data-status"))
      .toBe("draft");

    // Without values the variables show as themselves; for 홍길동 and a coupon, filled in.
    const body = page.getByTestId("preview-body");
    await expect
      .poll(() => page.getByTestId("preview-missing").textContent())
      .toContain("#{coupon}");
    await page.getByLabel("연락처로 미리보기").fill("홍길");
    await page
      .getByTestId("preview-contacts")
      .getByRole("button", { name: /홍길동/ })
      .click();
    await page.getByLabel("변수 #{coupon}").fill("A1B2");
    await expect.poll(() => body.textContent()).toContain("홍길동님, 봄 쿠폰이 도착했습니다.");
    expect(await body.textContent()).toContain("쿠폰 번호: A1B2");
    expect(await page.getByTestId("preview-link").textContent()).toBe(
      "https://shop.example.com/c/A1B2",
    );
    expect(await page.getByTestId("preview-fallback").textContent()).toContain("SMS");
    expect(await page.getByTestId("preview-worst").textContent()).toMatch(/^\d[\d,]*\.\d\d$/);

    // A change is saved as it is typed, and the preview follows it.
    await page
      .getByLabel("본문")
      .fill("#{name}님, 봄 쿠폰이 도착했습니다.\n쿠폰 번호: #{coupon}\n감사합니다.");
    await expect.poll(() => body.textContent()).toContain("감사합니다.");
    await expect
      .poll(() => page.getByTestId("save-state").getAttribute("data-state"))
      .toBe("saved");
    await screenshot(page, "48-template-editor");

    await page.getByRole("button", { name: "검수 요청" }).click();
    await expect
      .poll(() => page.getByTestId("template-status").getAttribute("data-status"))
      .toBe("requested");
    expect(await page.getByTestId("template-locked").textContent()).toContain("검수 중에는");
    expect(await page.getByLabel("본문").getAttribute("readonly")).not.toBeNull();
  });

  it("is rejected, changed and approved by the platform operator; an approved one is copied as new", async () => {
    const demo = (await (await api(`/v1/orgs/${server.demo.orgId}`)).json()) as {
      parentId: string;
    };
    const made = await server.cli([
      "user",
      "create",
      "--org",
      demo.parentId,
      "--email",
      OPERATOR.email,
      "--role",
      "admin",
      "--password",
      OPERATOR.password,
      "--json",
    ]);
    expect(made.code, made.stderr).toBe(0);

    const operatorContext = await browser.newContext(LAPTOP);
    const operator = await operatorContext.newPage();
    const operatorProblems = watchProblems(operator);
    await signIn(operator, server.url, OPERATOR);
    await nav(operator, "조직").click();
    await operator.getByTestId("org-tree").getByRole("button", { name: /Demo/ }).click();
    await operator.getByRole("button", { name: "이 조직으로 작업" }).click();
    await expect.poll(() => operator.getByTestId("acting-org").textContent()).toContain("Demo");
    await operator.goto(templateUrl);
    const review = operator.getByTestId("operator-review");
    await expect.poll(() => review.isVisible()).toBe(true);
    await review.getByLabel("의견").fill("버튼 이름에 쿠폰 종류를 적어 주세요.");
    await review.getByRole("button", { name: "반려" }).click();
    await expect
      .poll(() => operator.getByTestId("template-status").getAttribute("data-status"))
      .toBe("rejected");
    await screenshot(operator, "49-template-operator");

    // The organization sees why, changes it (a draft again) and asks once more.
    await page.reload();
    await expect
      .poll(() => page.getByTestId("template-status").getAttribute("data-status"))
      .toBe("rejected");
    await expect
      .poll(() => page.getByTestId("template-comments").textContent())
      .toContain("버튼 이름에 쿠폰 종류를 적어 주세요");
    await page.getByLabel("1번째 버튼 이름").fill("봄 쿠폰 받기");
    await expect
      .poll(() => page.getByTestId("save-state").getAttribute("data-state"))
      .toBe("saved");
    await expect
      .poll(() => page.getByTestId("template-status").getAttribute("data-status"))
      .toBe("draft");
    await page.getByRole("button", { name: "검수 요청" }).click();
    await expect
      .poll(() => page.getByTestId("template-status").getAttribute("data-status"))
      .toBe("requested");

    await operator.reload();
    await operator.getByTestId("operator-review").getByRole("button", { name: "승인" }).click();
    await expect
      .poll(() => operator.getByTestId("template-status").getAttribute("data-status"))
      .toBe("approved");
    expect(operatorProblems).toEqual([]);
    await operatorContext.close();

    await page.reload();
    const locked = page.getByTestId("template-locked");
    await expect.poll(() => locked.textContent()).toContain("승인된 템플릿은 바꿀 수 없습니다");
    expect(await page.getByLabel("본문").getAttribute("readonly")).not.toBeNull();
    await screenshot(page, "50-template-approved");
    await locked.getByRole("button", { name: "새 템플릿으로 복사" }).click();
    await page.waitForURL(/\/console\/templates\/new$/);
    expect(await page.getByLabel("템플릿 코드").inputValue()).toBe("SPRING_COUPON_2");
    expect(await page.getByLabel("1번째 버튼 이름").inputValue()).toBe("봄 쿠폰 받기");
  });

  it("fits a phone: the import, the campaign's results, a message, the statistics and a template", async () => {
    const phone = await browser.newContext({ ...PHONE, storageState: await laptop.storageState() });
    const small = await phone.newPage();
    const smallProblems = watchProblems(small);
    const shots: [string, string, (p: Page) => Promise<unknown>][] = [
      [importUrl, "51-phone-import", (p) => p.getByTestId("import-result").waitFor()],
      [campaignUrl, "52-phone-campaign", (p) => p.getByTestId("campaign-links").waitFor()],
      [messageUrl, "53-phone-message", (p) => p.getByTestId("message-text").waitFor()],
      [
        `${server.url}/console/stats`,
        "54-phone-stats",
        (p) => expect.poll(() => value(p, "stat-messages")).toBe("3"),
      ],
      [templateUrl, "55-phone-template", (p) => p.getByTestId("template-preview").waitFor()],
    ];
    for (const [url, name, ready] of shots) {
      await small.goto(url);
      await ready(small);
      await expectNoOverflow(small);
      await screenshot(small, name);
    }
    expect(smallProblems).toEqual([]);
    await phone.close();
  });

  it("speaks English on the statistics too", async () => {
    await nav(page, "통계").click();
    await page.getByRole("button", { name: "언어 바꾸기" }).click();
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent())
      .toBe("Statistics");
    expect(await page.getByTestId("stat-click-rate").textContent()).toContain("Click rate");
    await screenshot(page, "56-english-stats");
    await page.getByRole("button", { name: "Switch language" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("통계");
  });

  it("ran without a script error or a policy violation", () => {
    expect(problems).toEqual([]);
  });
});
