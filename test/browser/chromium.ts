// The browser of the browser tests: Debian's Chromium driven by
// playwright-core. The tests run when /usr/bin/chromium exists or
// TEST_CHROMIUM names a browser (then it must exist); otherwise they are
// skipped, saying why.
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

const DEFAULT_CHROMIUM = "/usr/bin/chromium";
const SCREENS = fileURLToPath(new URL("../../test-results/screens/", import.meta.url));

/** The browser to run, or null when the browser tests are to be skipped. */
export const CHROMIUM: string | null =
  process.env.TEST_CHROMIUM || (existsSync(DEFAULT_CHROMIUM) ? DEFAULT_CHROMIUM : null);

export const SKIP_REASON =
  "browser tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium fonts-noto-cjk) and TEST_CHROMIUM is not set";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export async function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error(SKIP_REASON);
  if (!existsSync(CHROMIUM)) throw new Error(`TEST_CHROMIUM=${CHROMIUM}: no such browser`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** A laptop and a phone, both in Korean and in Seoul's time. */
export const LAPTOP: BrowserContextOptions = {
  viewport: { width: 1366, height: 860 },
  locale: "ko-KR",
  timezoneId: "Asia/Seoul",
};

export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: "ko-KR",
  timezoneId: "Asia/Seoul",
};

/** A full-page screenshot, test-results/screens/NN-name.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  // From the top, where the sticky bar belongs.
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: `${SCREENS}${name}.png`, fullPage: true });
}

/** Nothing on the page is wider than the screen (no sideways scrolling). */
export async function expectNoOverflow(page: Page): Promise<void> {
  // Evaluated in the page, where `document` and `window` are.
  const [scroll, width] = (await page.evaluate(
    "[document.documentElement.scrollWidth, window.innerWidth]",
  )) as [number, number];
  expect(scroll, "the page scrolls sideways").toBeLessThanOrEqual(width);
}

/**
 * Script errors and Content-Security-Policy violations the page reports, as
 * they come (the API's 4xx answers the console shows are not among them).
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (message) => {
    const text = message.text();
    if (message.type() === "error" && !text.startsWith("Failed to load resource")) {
      problems.push(`console: ${text}`);
    }
  });
  return problems;
}

/** Signs in on the console's login screen and waits for the dashboard. */
export async function signIn(page: Page, url: string, login: { email: string; password: string }) {
  await page.goto(`${url}/console`);
  await page.getByLabel("이메일").fill(login.email);
  await page.getByLabel("비밀번호").fill(login.password);
  await page.getByRole("button", { name: "로그인" }).click();
  await page.getByRole("heading", { name: "대시보드" }).waitFor();
}
