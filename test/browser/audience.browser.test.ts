// The audience: two contacts added (one without advertising consent), one
// edited; a group made and a member moved into it from 미지정, which stays
// the system group; the group exported as CSV; an advertising text sent to
// the group with the contact without consent left out and why; an opt-out
// changing the estimate; a night-time schedule deferring those without night
// consent to 08:00 — on a laptop, then the screens on a phone.
import { readFileSync } from "node:fs";
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

const HONG = { phone: "010-2000-0001", name: "홍길동" };
const KIM = { phone: "010-2000-0002", name: "김철수" };
/** A number that is not a contact. */
const RAW = "010-3000-0003";
const AD_TEXT = "알리미 상점 봄맞이 20% 할인\n무료수신거부 080-123-4567";

/** The date `days` from today in Seoul, as a `datetime-local` value at `time`. */
function seoulDate(days: number, time: string): string {
  const at = new Date(Date.now() + days * 86_400_000);
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Seoul",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(at);
  return `${parts}T${time}`;
}

describe.skipIf(!CHROMIUM)("the console: contacts, groups and sending to them", () => {
  useProcesses();
  let server: ConsoleServer;
  let browser: Browser;
  let laptop: BrowserContext;
  let page: Page;
  let problems: string[] = [];
  const contactIds: Record<string, string> = {};
  const nav = (p: Page, name: string) =>
    p.getByRole("navigation", { name: "메뉴" }).getByRole("link", { name, exact: true });
  const estimateAccepted = () => page.getByTestId("estimate-accepted").textContent();
  const excluded = () => page.getByTestId("estimate").getByTestId("excluded");

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startConsoleServer();
    laptop = await browser.newContext(LAPTOP);
    page = await laptop.newPage();
    problems = watchProblems(page);
    page.on("dialog", (dialog) => void dialog.accept());
    await signIn(page, server.url, server.demo);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function addContact(contact: { phone: string; name: string }, adConsent: boolean) {
    const form = page.getByTestId("new-contact");
    await form.getByLabel("전화번호", { exact: true }).fill(contact.phone);
    await form.getByLabel("이름 (선택)").fill(contact.name);
    if (adConsent) {
      await form.getByLabel("광고성 메시지 수신 동의").check();
      await form.getByLabel("동의 받은 경로 (선택)").fill("매장 가입 신청서");
      await form.getByRole("button", { name: "항목 추가" }).click();
      await form.getByLabel("1번째 항목 이름").fill("매장");
      await form.getByLabel("1번째 항목 값").fill("강남점");
    }
    await form.getByRole("button", { name: "추가하기" }).click();
    const notice = page.getByTestId("contacts-notice");
    await expect.poll(() => notice.textContent()).toContain(`${contact.name}을(를) 추가했습니다`);
    const href = await notice.getByRole("link", { name: "열기" }).getAttribute("href");
    contactIds[contact.name] = href?.split("/").pop() ?? "";
  }

  it("adds two contacts, one without advertising consent, and finds them", async () => {
    await nav(page, "연락처").click();
    await expect.poll(() => page.getByText("아직 연락처가 없습니다").isVisible()).toBe(true);
    await page.getByRole("button", { name: "연락처 추가" }).click();
    await addContact(HONG, true);
    await addContact(KIM, false);
    const table = page.getByTestId("contacts");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(2);
    const hong = table.locator(`tr[data-contact="${contactIds[HONG.name]}"]`);
    expect(await hong.textContent()).toContain("광고 동의");
    expect(await hong.textContent()).toContain("미지정");
    const kim = table.locator(`tr[data-contact="${contactIds[KIM.name]}"]`);
    expect(await kim.textContent()).toContain("광고 미동의");

    // The same number again: refused beside the number, with the way to the contact it is.
    const form = page.getByTestId("new-contact");
    await form.getByLabel("전화번호", { exact: true }).fill("01020000001");
    await form.getByRole("button", { name: "추가하기" }).click();
    await expect
      .poll(() => form.locator('[data-field-error="phone"]').textContent())
      .toContain("이미 등록된 번호입니다");
    expect(
      await form.getByRole("link", { name: "이미 등록된 연락처 보기" }).getAttribute("href"),
    ).toBe(`/console/contacts/${contactIds[HONG.name]}`);
    await screenshot(page, "20-contacts");

    await page.getByRole("button", { name: "추가 닫기" }).click();
    await page.getByLabel("찾기").fill("김철");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(1);
    expect(await table.textContent()).toContain(KIM.phone);
    await page.getByLabel("찾기").fill("2000-0001");
    await expect.poll(() => table.textContent()).toContain(HONG.name);
    expect(await table.locator("tbody tr").count()).toBe(1);
    await page.getByLabel("찾기").fill("");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(2);
  });

  it("edits a contact: its consent keeps when and where it was given", async () => {
    await page.getByTestId("contacts").getByRole("link", { name: HONG.name }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe(HONG.name);
    const form = page.getByTestId("contact-form");
    expect(await page.getByTestId("contact-groups").textContent()).toContain("미지정");
    expect(await form.getByTestId("contact-edit-consent-given").first().textContent()).toContain(
      "매장 가입 신청서",
    );
    expect(await form.getByLabel("1번째 항목 값").inputValue()).toBe("강남점");

    await form.getByLabel("야간(21:00–08:00) 광고 수신 동의").check();
    await form.getByRole("button", { name: "항목 추가" }).click();
    await form.getByLabel("2번째 항목 이름").fill("등급");
    await form.getByLabel("2번째 항목 값").fill("골드");
    await form.getByRole("button", { name: "저장" }).click();
    await expect.poll(() => form.getByRole("status").textContent()).toContain("저장했습니다");
    await expect.poll(() => form.getByTestId("contact-edit-consent-given").count()).toBe(2);

    // A field name a variable cannot have is refused beside the fields.
    await form.getByLabel("2번째 항목 이름").fill("등 급");
    await form.getByRole("button", { name: "저장" }).click();
    await expect
      .poll(() => form.locator('[data-field-error="attributes"]').textContent())
      .toContain("항목 이름은");
    await page.reload();
    const again = page.getByTestId("contact-form");
    // Stored, and shown by name.
    await expect.poll(() => again.getByLabel("1번째 항목 이름").inputValue()).toBe("등급");
    expect(await again.getByLabel("1번째 항목 값").inputValue()).toBe("골드");
    expect(await again.getByLabel("2번째 항목 이름").inputValue()).toBe("매장");
    expect(await again.getByLabel("2번째 항목 값").inputValue()).toBe("강남점");
    expect(await again.getByLabel("야간(21:00–08:00) 광고 수신 동의").isChecked()).toBe(true);
    await screenshot(page, "21-contact");
  });

  it("keeps 미지정 as the system group, makes a group and moves a member into it", async () => {
    await nav(page, "그룹").click();
    const detail = page.getByTestId("group-detail");
    await expect
      .poll(() => detail.getByRole("heading", { level: 2 }).first().textContent())
      .toBe("미지정");
    expect(await page.getByTestId("system-group-note").textContent()).toContain(
      "이름을 바꾸거나 삭제할 수 없습니다",
    );
    expect(await detail.getByRole("button", { name: "그룹 삭제" }).isDisabled()).toBe(true);
    expect(await detail.getByLabel("그룹 이름").count()).toBe(0);
    await expect.poll(() => page.getByTestId("group-count").textContent()).toBe("2명");

    await page.getByLabel("새 그룹 이름").fill("VIP 고객");
    await page.getByRole("button", { name: "만들기" }).click();
    await expect
      .poll(() => page.getByTestId("groups-notice").textContent())
      .toContain("‘VIP 고객’ 그룹을 만들었습니다");
    await expect
      .poll(() => detail.getByRole("heading", { level: 2 }).first().textContent())
      .toBe("VIP 고객");
    // A name in use gets a number.
    await page.getByLabel("새 그룹 이름").fill("VIP 고객");
    await page.getByRole("button", { name: "만들기" }).click();
    await expect
      .poll(() => page.getByTestId("groups-notice").textContent())
      .toContain("‘VIP 고객(2)’(으)로 만들었습니다");
    await expect.poll(() => detail.getAttribute("data-group")).not.toBeNull();
    await expect
      .poll(() => detail.getByRole("heading", { level: 2 }).first().textContent())
      .toBe("VIP 고객(2)");
    await detail.getByLabel("그룹 이름").fill("단골");
    await detail.getByRole("button", { name: "이름 바꾸기" }).click();
    const list = page.getByTestId("group-list");
    await expect.poll(() => list.textContent()).toContain("단골");
    await detail.getByRole("button", { name: "그룹 삭제" }).click();
    await expect.poll(() => list.textContent()).not.toContain("단골");

    // One member picked in 미지정 and moved; then the rest of it, the whole group, copied.
    await list.getByRole("link", { name: /미지정/ }).click();
    await detail.getByLabel(`${HONG.name} 고르기`).check();
    const actions = page.getByTestId("member-actions");
    await actions.getByLabel("대상 그룹").selectOption({ label: "VIP 고객" });
    await actions.getByRole("button", { name: "이동" }).click();
    await expect
      .poll(() => page.getByTestId("members-notice").textContent())
      .toContain("1명을 ‘VIP 고객’(으)로 옮겼습니다");
    await expect.poll(() => page.getByTestId("group-count").textContent()).toBe("1명");
    await expect.poll(() => page.getByTestId("members").locator("tbody tr").count()).toBe(1);
    expect(await page.getByTestId("members").textContent()).toContain(KIM.name);
    await screenshot(page, "22-groups");

    await actions.getByText("그룹 전체 1명").click();
    await actions.getByRole("button", { name: "복사" }).click();
    await expect
      .poll(() => page.getByTestId("members-notice").textContent())
      .toContain("1명을 ‘VIP 고객’에 복사했습니다");
    await expect.poll(() => page.getByTestId("group-count").textContent()).toBe("0명");
    await list.getByRole("link", { name: /VIP 고객/ }).click();
    await expect.poll(() => page.getByTestId("group-count").textContent()).toBe("2명");
    await expect.poll(() => page.getByTestId("members").locator("tbody tr").count()).toBe(2);
  });

  it("exports the group as CSV that Excel opens in Korean", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "VIP 고객 CSV 내보내기" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("연락처-VIP 고객.csv");
    const csv = readFileSync(await download.path(), "utf8");
    expect(csv.startsWith("\uFEFF전화번호,이름,")).toBe(true);
    const lines = csv.slice(1).trim().split(/\r?\n/);
    expect(lines[0]).toBe("전화번호,이름,등급,매장");
    expect(lines).toContain("010-2000-0001,홍길동,골드,강남점");
    expect(lines).toContain("010-2000-0002,김철수,,");
  });

  /** The send screen with VIP 고객 picked: from the group's own screen, or by picking it there. */
  async function startAdSend(from: "group" | "menu") {
    const vip = () => page.getByTestId("send-groups").getByLabel(/VIP 고객/);
    if (from === "group") {
      await nav(page, "그룹").click();
      await page
        .getByTestId("group-list")
        .getByRole("link", { name: /VIP 고객/ })
        .click();
      await page.getByRole("button", { name: "이 그룹에 보내기" }).click();
      await expect.poll(() => vip().isChecked()).toBe(true);
    } else {
      await nav(page, "메시지 보내기").click();
      await vip().check();
    }
    await page.getByLabel("광고성 메시지입니다").check();
    expect(await page.getByRole("radio", { name: "알림톡 템플릿" }).isDisabled()).toBe(true);
    await page.getByRole("textbox", { name: "내용", exact: true }).fill(AD_TEXT);
  }

  it("sends advertising to the group: the contact without consent is left out, saying why", async () => {
    await startAdSend("group");
    // Without its marking the text is refused beside it, and one click marks it.
    await expect
      .poll(() => page.locator('[data-field-error="text"]').textContent(), { timeout: 10_000 })
      .toContain("‘(광고)’로 시작해야 합니다");
    await page.getByRole("button", { name: "‘(광고)’ 표시 넣기" }).click();
    expect(await page.getByRole("textbox", { name: "내용", exact: true }).inputValue()).toMatch(
      /^\(광고\) 알리미 상점/,
    );
    await expect.poll(estimateAccepted, { timeout: 10_000 }).toBe("2명 중 1명");
    expect(await excluded().locator("[data-reason]").allTextContents()).toEqual(["광고 미동의 1"]);
    const left = excluded().locator('li[data-code="NO_AD_CONSENT"]');
    expect(await left.textContent()).toContain("그룹 · 010-2000-0002");
    expect(await left.textContent()).toContain("광고 수신 동의가 없습니다");
    expect(await page.getByTestId("send-groups-summary").textContent()).toContain("최대 2명");
    await screenshot(page, "23-send-advertising");

    await page.getByRole("button", { name: "보내기", exact: true }).click();
    await page.waitForURL(/\/console\/campaigns\/cmp_/);
    await expect.poll(() => page.getByTestId("sent-accepted").textContent()).toBe("1명");
    const sentLeft = page.getByTestId("sent-excluded");
    expect(await sentLeft.textContent()).toContain("010-2000-0002");
    expect(await sentLeft.textContent()).toContain("광고 수신 동의가 없습니다");
    await expect
      .poll(() => page.getByTestId("campaign-status").getAttribute("data-status"), {
        timeout: 60_000,
      })
      .toBe("completed");
    expect(await page.getByTestId("count-delivered").locator(".stat-value").textContent()).toBe(
      "1",
    );
    expect(await page.getByTestId("messages").textContent()).toContain("010-2000-0001");
    await screenshot(page, "24-campaign-advertising");
  });

  it("changes the estimate when a contact opts out, and back when it opts in again", async () => {
    await startAdSend("menu");
    await page.getByRole("button", { name: "‘(광고)’ 표시 넣기" }).click();
    await page.getByLabel(/수신번호/).fill(RAW);
    // A number that is not a contact gets advertising only when its consent is vouched for.
    await expect.poll(estimateAccepted, { timeout: 10_000 }).toBe("3명 중 1명");
    expect(await excluded().locator('li[data-code="NO_AD_CONSENT"]').count()).toBe(2);
    await page.getByLabel("연락처에 없는 번호도 광고 수신에 동의했음을 확인합니다").check();
    await expect.poll(estimateAccepted).toBe("3명 중 2명");
    expect(await excluded().textContent()).toContain("010-2000-0002");

    // In another tab, 홍길동 opts out of advertising.
    const other = await laptop.newPage();
    const otherProblems = watchProblems(other);
    other.on("dialog", (dialog) => void dialog.accept());
    await other.goto(`${server.url}/console/contacts/${contactIds[HONG.name]}`);
    const optOut = other.getByTestId("contact-opt-out");
    await expect.poll(() => optOut.getAttribute("data-opted-out")).toBe("false");
    await other.getByLabel("거부 범위").selectOption({ label: "광고만 거부" });
    await other.getByRole("button", { name: "수신 거부로 등록" }).click();
    await expect.poll(() => optOut.getAttribute("data-opted-out")).toBe("true");
    expect(await optOut.textContent()).toContain("광고 수신을 거부한 번호입니다");

    await page.bringToFront();
    await page.getByRole("button", { name: "다시 계산" }).click();
    await expect.poll(estimateAccepted).toBe("3명 중 1명");
    expect(await excluded().locator("[data-reason]").allTextContents()).toEqual([
      "수신 거부 1",
      "광고 미동의 1",
    ]);
    expect(await excluded().locator('li[data-code="OPTED_OUT"]').textContent()).toContain(
      "010-2000-0001",
    );

    // Nobody left: the estimate says so, and why for each.
    await page.getByLabel("연락처에 없는 번호도 광고 수신에 동의했음을 확인합니다").uncheck();
    const none = page.getByTestId("estimate-error");
    await expect.poll(() => none.textContent()).toContain("보낼 수 있는 수신자가 없습니다");
    expect(await none.locator("[data-code]").count()).toBe(3);
    await screenshot(page, "25-send-opted-out");
    await page.getByLabel("연락처에 없는 번호도 광고 수신에 동의했음을 확인합니다").check();

    // The opt-out is on the opt-out list, and withdrawn there.
    await nav(other, "수신 거부").click();
    const row = other.getByTestId("opt-outs").locator('tr[data-phone="+821020000001"]');
    await expect.poll(() => row.textContent()).toContain("광고만 거부");
    await screenshot(other, "26-opt-outs");
    await row.getByRole("button", { name: "수신 거부 해제" }).click();
    await expect
      .poll(() => other.getByTestId("opt-outs-notice").textContent())
      .toContain("010-2000-0001의 수신 거부를 해제했습니다");
    expect(otherProblems).toEqual([]);
    await other.close();

    await page.getByRole("button", { name: "다시 계산" }).click();
    await expect.poll(estimateAccepted).toBe("3명 중 2명");
  });

  it("defers night-time advertising to 08:00 for those without night consent, or leaves them out", async () => {
    // 22:00 tomorrow: the night. 홍길동 consented to the night; the raw number did not.
    await page.getByRole("radiogroup", { name: "보낼 때" }).getByText("예약 발송").click();
    await page.getByLabel("예약 시각").fill(seoulDate(1, "22:00"));
    const deferred = page.getByTestId("estimate-deferred");
    await expect.poll(() => deferred.textContent(), { timeout: 10_000 }).toContain("1명");
    expect(await deferred.textContent()).toContain("오전 8:00");
    expect(await estimateAccepted()).toBe("3명 중 2명");

    await page.getByText("보내지 않기").click();
    await expect.poll(estimateAccepted).toBe("3명 중 1명");
    expect(await excluded().locator('li[data-code="NIGHT_TIME_AD"]').textContent()).toContain(
      "1번째 줄 · 010-3000-0003",
    );
    expect(await deferred.count()).toBe(0);

    await page.getByText("08:00까지 기다렸다 보내기").click();
    await expect.poll(() => deferred.count()).toBe(1);
    await page.getByRole("button", { name: "예약하기" }).click();
    await page.waitForURL(/\/console\/campaigns\/cmp_/);
    await expect.poll(() => page.getByTestId("sent-accepted").textContent()).toBe("2명");
    const wait = page.getByTestId("sent-deferred");
    expect(await wait.textContent()).toContain("1명");
    expect(await wait.textContent()).toContain("오전 8:00");
    await expect
      .poll(() => page.getByTestId("campaign-status").getAttribute("data-status"))
      .toBe("scheduled");
    await screenshot(page, "27-campaign-deferred");
  });

  it("fits a phone: the contacts, a group and sending to groups", async () => {
    const phone = await browser.newContext({ ...PHONE, storageState: await laptop.storageState() });
    const small = await phone.newPage();
    const smallProblems = watchProblems(small);
    await small.goto(`${server.url}/console/contacts`);
    await expect.poll(() => small.getByTestId("contacts").locator("tbody tr").count()).toBe(2);
    await expectNoOverflow(small);
    await screenshot(small, "28-phone-contacts");

    await small.goto(`${server.url}/console/contacts/${contactIds[HONG.name]}`);
    await expect.poll(() => small.getByTestId("contact-form").isVisible()).toBe(true);
    await expectNoOverflow(small);
    await screenshot(small, "29-phone-contact");

    await small.goto(`${server.url}/console/groups`);
    await expect.poll(() => small.getByTestId("group-list").textContent()).toContain("VIP 고객");
    await small
      .getByTestId("group-list")
      .getByRole("link", { name: /VIP 고객/ })
      .click();
    await expect.poll(() => small.getByTestId("members").locator("tbody tr").count()).toBe(2);
    await small.getByTestId("members").getByLabel(`${KIM.name} 고르기`).check();
    await expect.poll(() => small.getByTestId("member-actions").isVisible()).toBe(true);
    await expectNoOverflow(small);
    await screenshot(small, "30-phone-group");

    await small.goto(`${server.url}/console/send`);
    await small.getByLabel("광고성 메시지입니다").check();
    await small
      .getByTestId("send-groups")
      .getByLabel(/VIP 고객/)
      .check();
    await small.getByRole("textbox", { name: "내용", exact: true }).fill(`(광고) ${AD_TEXT}`);
    await expect
      .poll(() => small.getByTestId("estimate-accepted").textContent(), { timeout: 10_000 })
      .toBe("2명 중 1명");
    await expectNoOverflow(small);
    await screenshot(small, "31-phone-send-groups");

    await small.goto(`${server.url}/console/opt-outs`);
    await expect.poll(() => small.getByText("수신 거부한 번호가 없습니다").isVisible()).toBe(true);
    await expectNoOverflow(small);
    expect(smallProblems).toEqual([]);
    await phone.close();
  });

  it("speaks English on the audience screens too", async () => {
    await nav(page, "그룹").click();
    await page.getByRole("button", { name: "언어 바꾸기" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Groups");
    await expect
      .poll(() => page.getByTestId("system-group-note").textContent())
      .toContain("cannot be renamed or deleted");
    await screenshot(page, "32-english-groups");
    await page.getByRole("button", { name: "Switch language" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("그룹");
  });

  it("ran without a script error or a policy violation", () => {
    expect(problems).toEqual([]);
  });
});
