// Webhooks in the console: an endpoint added at a local receiver (the
// server allows its host, as an operator would for a receiver on its own
// network), its secret shown once, a test event sent and seen delivered in
// the endpoint's log, signed with that secret.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe.skipIf(!CHROMIUM)("the console: webhook endpoints", () => {
  useProcesses();
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    browser = await launchChromium();
    server = await startConsoleServer({ env: { ALIMI_WEBHOOKS_ALLOWED_HOSTS: "127.0.0.1" } });
    page = await (await browser.newContext(LAPTOP)).newPage();
    problems = watchProblems(page);
    page.on("dialog", (dialog) => void dialog.accept());
    await signIn(page, server.url, server.demo);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("adds an endpoint, sends it a test event and shows it delivered in the log", async () => {
    await page
      .getByRole("navigation", { name: "메뉴" })
      .getByRole("link", { name: "웹훅", exact: true })
      .click();
    const port = (receiver.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}/alimi`;
    await page.getByLabel("엔드포인트 URL").fill(url);
    await page.getByLabel("설명").fill("주문 시스템");
    await page.getByRole("button", { name: "엔드포인트 추가" }).click();

    const secretBox = page.getByTestId("webhook-secret");
    await expect.poll(() => secretBox.textContent(), { timeout: 10_000 }).toMatch(/^whsec_/);
    const secret = (await secretBox.textContent())!;
    const card = page.locator("[data-endpoint]").filter({ hasText: url });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.textContent()).toContain("모든 이벤트");

    await card.getByRole("button", { name: "테스트 이벤트 보내기" }).click();
    const status = card.getByTestId("delivery-status").first();
    await expect
      .poll(
        async () => {
          await card.getByRole("button", { name: "새로 고침" }).click();
          return status.getAttribute("data-status");
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe("delivered");
    expect(await card.getByTestId("delivery-code").first().textContent()).toBe("204");
    expect(await card.textContent()).toContain("webhook.test");
    await screenshot(page, "webhooks-01-delivered");

    // What the receiver got is signed with the secret the console showed.
    expect(received).toHaveLength(1);
    const payload = new Webhook(secret).verify(
      received[0]!.body,
      received[0]!.headers as Record<string, string>,
    );
    expect(payload).toMatchObject({ type: "webhook.test" });
    expect(problems).toEqual([]);
  });
});
