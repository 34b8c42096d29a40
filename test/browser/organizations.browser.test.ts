// The hierarchy and the people in it: a child organization created and
// funded from the tree, acting as it; a user invited and an API key made
// (each secret shown once); a sandbox vendor account connected with its
// connection test, routed to, and found in the audit log; and English.
import type { Browser, Page } from "playwright-core";
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

describe.skipIf(!CHROMIUM)("the console: organizations, people and vendors", () => {
  useProcesses();
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  const nav = (name: string) =>
    page.getByRole("navigation", { name: "메뉴" }).getByRole("link", { name, exact: true });

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startConsoleServer();
    page = await (await browser.newContext(LAPTOP)).newPage();
    problems = watchProblems(page);
    page.on("dialog", (dialog) => void dialog.accept());
    await signIn(page, server.url, server.demo);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("creates a child organization of an allowed kind and shows it in the tree", async () => {
    await nav("조직").click();
    const tree = page.getByTestId("org-tree");
    await expect.poll(() => tree.textContent()).toContain("Demo");
    const kinds = await page.getByLabel("유형").locator("option").allTextContents();
    expect(kinds).toEqual(["총판", "대리점", "지점"]);

    await page.getByLabel("이름", { exact: true }).fill("강남지점");
    await page.getByLabel("유형").selectOption({ label: "지점" });
    await page.getByRole("button", { name: "조직 만들기" }).click();
    await expect.poll(() => tree.textContent()).toContain("강남지점");
    // The new organization is selected: its panel, with no credits yet.
    const panel = page.getByTestId("org-panel");
    await expect
      .poll(() => panel.getByRole("heading", { level: 2 }).first().textContent())
      .toBe("강남지점");
    await expect.poll(() => page.getByTestId("org-balance").textContent()).toContain("0.00");
    expect(await panel.textContent()).toContain("지점 아래에는 조직을 만들 수 없습니다");
    await screenshot(page, "10-orgs");
  });

  it("transfers credits to the child and shows them in its balance", async () => {
    await page.getByLabel("이체할 크레딧").fill("99999999");
    await page.getByRole("button", { name: "이체", exact: true }).click();
    await expect
      .poll(() => page.getByTestId("transfer-form").textContent())
      .toContain("크레딧이 부족합니다");

    await page.getByLabel("이체할 크레딧").fill("1500");
    await page.getByLabel("메모 (선택)").fill("개점 지원");
    await page.getByRole("button", { name: "이체", exact: true }).click();
    await expect
      .poll(() => page.getByTestId("transfer-form").textContent())
      .toContain("1,500.00 크레딧을 이체했습니다");
    await expect.poll(() => page.getByTestId("org-balance").textContent()).toContain("1,500.00");
    await screenshot(page, "11-transfer");

    // The parent's own credits went down by as much.
    await page.getByTestId("org-tree").getByRole("button", { name: /Demo/ }).click();
    await expect.poll(() => page.getByTestId("org-balance").textContent()).toContain("98,500.00");
  });

  it("acts as the child: every screen is the child's until going back", async () => {
    await page
      .getByTestId("org-tree")
      .getByRole("button", { name: /강남지점/ })
      .click();
    await page.getByRole("button", { name: "이 조직으로 작업" }).click();
    await expect
      .poll(() => page.getByRole("status").first().textContent())
      .toContain("지금 강남지점 조직으로 작업하고 있습니다");
    await expect
      .poll(() => page.getByTestId("available-credits").textContent())
      .toContain("1,500.00");
    expect(await page.getByTestId("acting-org").textContent()).toContain("강남지점");
    await screenshot(page, "12-acting");

    await page.getByRole("button", { name: "Demo(으)로 돌아가기" }).click();
    await expect.poll(() => page.getByTestId("acting-org").textContent()).toContain("Demo");
  });

  it("invites a user and makes an API key, each secret shown once", async () => {
    await nav("사용자").click();
    await page.getByLabel("이메일").fill("operator@example.com");
    await page.getByLabel("이름").fill("김발송");
    await page.getByLabel("권한").first().selectOption({ label: "발송 담당" });
    await page.getByRole("button", { name: "초대하기" }).click();
    await expect.poll(() => page.getByTestId("invite-token").textContent()).toMatch(/\S{16,}/);
    await expect
      .poll(() => page.getByTestId("users").textContent())
      .toContain("operator@example.com");
    expect(await page.getByTestId("users").textContent()).toContain("초대됨");
    await screenshot(page, "13-users");

    await nav("API 키").click();
    await page.getByLabel("이름").fill("주문 시스템");
    await page.getByRole("button", { name: "키 만들기" }).click();
    await expect.poll(() => page.getByTestId("api-key-secret").textContent()).toMatch(/^ak_/);
    await expect.poll(() => page.getByTestId("api-keys").textContent()).toContain("주문 시스템");
    await screenshot(page, "14-api-keys");
  });

  it("connects a sandbox vendor account and shows its passing connection test", async () => {
    await nav("발송 업체").click();
    await page.getByLabel("업체", { exact: true }).selectOption({ label: "샌드박스" });
    await page.getByLabel("계정 이름").fill("샌드박스 테스트");
    await page.getByRole("button", { name: "연결하기" }).click();
    const card = page.locator("li[data-vendor-account]").filter({ hasText: "샌드박스 테스트" });
    await expect.poll(() => card.count()).toBe(1);
    const test = card.getByTestId("vendor-test");
    await expect.poll(() => test.getAttribute("data-ok"), { timeout: 20_000 }).toBe("true");
    expect(await test.textContent()).toContain("테스트 통과");
    expect(await card.textContent()).toContain("사용 중");
    await screenshot(page, "15-vendors");

    await card.getByRole("button", { name: "연결 테스트" }).click();
    await expect.poll(() => card.getByTestId("vendor-test").getAttribute("data-ok")).toBe("true");
  });

  it("routes Alimtalk through the new account and says where each part comes from", async () => {
    await nav("라우팅").click();
    const routing = page.getByTestId("routing");
    await expect.poll(() => routing.textContent()).toContain("플랫폼 기본값");
    await page.getByLabel("기본").first().selectOption({ label: "샌드박스 테스트 (sandbox)" });
    await page.getByRole("button", { name: "저장" }).click();
    const alimtalk = routing.locator("tbody tr").first();
    await expect.poll(() => alimtalk.textContent()).toContain("이 조직");
    expect(await alimtalk.textContent()).toContain("샌드박스 테스트");
    expect(await routing.locator("tbody tr").nth(1).textContent()).toContain("플랫폼 기본값");
    await screenshot(page, "16-routing");
  });

  it("shows the changes in the audit log", async () => {
    await nav("감사 로그").click();
    const audit = page.getByTestId("audit");
    await expect.poll(() => audit.textContent()).toContain("vendor_account.created");
    await screenshot(page, "17-audit");
  });

  it("switches to English and remembers it", async () => {
    await page.getByRole("button", { name: "언어 바꾸기" }).click();
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent())
      .toBe("Audit log");
    await page.reload();
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent())
      .toBe("Audit log");
    await page
      .getByRole("navigation", { name: "Menu" })
      .getByRole("link", { name: "Organizations" })
      .click();
    await expect.poll(() => page.getByTestId("org-tree").textContent()).toContain("강남지점");
    await screenshot(page, "18-english-orgs");
  });

  it("fits the organizations screen on a phone", async () => {
    const phone = await browser.newContext({
      ...PHONE,
      storageState: await page.context().storageState(),
    });
    const small = await phone.newPage();
    const smallProblems = watchProblems(small);
    await small.goto(`${server.url}/console/orgs`);
    await expect.poll(() => small.getByTestId("org-tree").textContent()).toContain("강남지점");
    await expectNoOverflow(small);
    await screenshot(small, "19-phone-orgs");
    expect(smallProblems).toEqual([]);
    await phone.close();
  });

  it("ran without a script error or a policy violation", () => {
    expect(problems).toEqual([]);
  });
});
