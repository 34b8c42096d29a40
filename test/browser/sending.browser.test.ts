// Signing in, the dashboard, sending an Alimtalk campaign to two sandbox
// numbers and watching it complete, the campaign list and the credits — on
// a laptop, then the dashboard and the send screen on a phone.
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

describe.skipIf(!CHROMIUM)("the console: signing in and sending", () => {
  useProcesses();
  let server: ConsoleServer;
  let browser: Browser;
  let laptop: BrowserContext;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startConsoleServer();
    laptop = await browser.newContext(LAPTOP);
    page = await laptop.newPage();
    problems = watchProblems(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("signs in with the demo login and shows the demo organization's credits", async () => {
    await page.goto(`${server.url}/console`);
    await expect
      .poll(() => page.getByRole("heading", { name: "Alimi 콘솔" }).isVisible())
      .toBe(true);
    await screenshot(page, "01-login");

    await page.getByLabel("이메일").fill(server.demo.email);
    await page.getByLabel("비밀번호").fill("not the password");
    await page.getByRole("button", { name: "로그인" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toContain("이메일 또는 비밀번호가 맞지 않습니다");

    await signIn(page, server.url, server.demo);
    await expect
      .poll(() => page.getByTestId("available-credits").textContent())
      .toContain("100,000.00");
    await expect.poll(() => page.getByTestId("acting-org").textContent()).toContain("Demo");
    await screenshot(page, "02-dashboard");
  });

  it("shows an invalid number beside the recipients box", async () => {
    await page
      .getByRole("navigation", { name: "메뉴" })
      .getByRole("link", { name: "메시지 보내기" })
      .click();
    await page.getByLabel(/수신번호/).fill("12345");
    const errors = page.locator('[data-field-error="recipients"]');
    await expect.poll(() => errors.textContent(), { timeout: 10_000 }).toContain("1번째 줄");
    expect(await errors.textContent()).toContain("올바른 전화번호가 아닙니다");
  });

  it("estimates, sends a campaign to two sandbox numbers and watches it complete", async () => {
    await page.getByLabel("변수 #{shop}").fill("알리미 상점");
    // 010-0000-0001 is not a KakaoTalk user in the sandbox: its Alimtalk fails and the SMS fallback is delivered.
    await page.getByLabel(/수신번호/).fill("010-1234-5678, 홍길동\n010-0000-0001, 김철수");
    await expect
      .poll(() => page.getByTestId("estimate-accepted").textContent(), { timeout: 10_000 })
      .toBe("2명 중 2명");
    expect(await page.getByTestId("estimate-held").textContent()).toBe("30.00");
    await screenshot(page, "03-send");

    await page.getByRole("button", { name: "보내기", exact: true }).click();
    await page.waitForURL(/\/console\/campaigns\/cmp_/);
    const status = page.getByTestId("campaign-status");
    await expect
      .poll(() => status.getAttribute("data-status"), { timeout: 60_000 })
      .toBe("completed");
    expect(await status.textContent()).toBe("완료");
    await expect.poll(() => page.getByTestId("count-delivered").textContent()).toContain("2");
    expect(await page.getByTestId("count-delivered").locator(".stat-value").textContent()).toBe(
      "2",
    );
    expect(await page.getByTestId("count-fallback").locator(".stat-value").textContent()).toBe("1");
    expect(await page.getByTestId("cost-charged").locator(".stat-value").textContent()).toBe(
      "23.00",
    );
    const rows = page.getByTestId("messages").locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(3);
    const table = await page.getByTestId("messages").textContent();
    expect(table).toContain("010-1234-5678");
    expect(table).toContain("010-0000-0001");
    expect(table).toContain("대체 발송");
    await screenshot(page, "04-campaign");
  });

  it("lists the campaign and shows the credits it took in the ledger", async () => {
    await page
      .getByRole("navigation", { name: "메뉴" })
      .getByRole("link", { name: "발송 내역" })
      .click();
    const row = page.locator("tr[data-campaign]").first();
    await expect.poll(() => row.textContent()).toContain("완료");
    await screenshot(page, "05-campaigns");

    await page
      .getByRole("navigation", { name: "메뉴" })
      .getByRole("link", { name: "크레딧" })
      .click();
    await expect
      .poll(() => page.getByTestId("credits-available").textContent())
      .toContain("99,977.00");
    const ledger = page.getByTestId("ledger");
    await expect.poll(() => ledger.textContent()).toContain("차감");
    expect(await ledger.textContent()).toContain("보류");
    await screenshot(page, "06-credits");
  });

  it("fits a phone: the dashboard, the menu and the send screen", async () => {
    const phone = await browser.newContext({ ...PHONE, storageState: await laptop.storageState() });
    const small = await phone.newPage();
    const smallProblems = watchProblems(small);
    await small.goto(`${server.url}/console`);
    await expect
      .poll(() => small.getByTestId("available-credits").textContent())
      .toContain("99,977.00");
    await expectNoOverflow(small);
    await screenshot(small, "07-phone-dashboard");

    // The navigation is a drawer behind the menu button.
    expect(await small.getByRole("link", { name: "조직" }).isVisible()).toBe(false);
    await small.getByRole("button", { name: "메뉴 열기" }).click();
    await expect.poll(() => small.getByRole("link", { name: "조직" }).isVisible()).toBe(true);
    await screenshot(small, "08-phone-menu");

    await small
      .getByRole("navigation", { name: "메뉴" })
      .getByRole("link", { name: "메시지 보내기" })
      .click();
    await small.getByText("문자 (SMS·LMS)").click();
    await small
      .getByRole("textbox", { name: "내용", exact: true })
      .fill("[알리미] 주문하신 상품이 발송되었습니다.");
    await small.getByLabel(/수신번호/).fill("010-1234-5678\n010-2222-3333\n010-12");
    await expect
      .poll(() => small.getByTestId("estimate-accepted").textContent(), { timeout: 10_000 })
      .toBe("3명 중 2명");
    expect(await small.getByTestId("estimate").textContent()).toContain("3번째 줄");
    await expectNoOverflow(small);
    await screenshot(small, "09-phone-send");
    expect(smallProblems).toEqual([]);
    await phone.close();
  });

  it("ran without a script error or a policy violation", () => {
    expect(problems).toEqual([]);
  });
});
