// Polling the sandbox: POST /sandbox/v1/messages/status, up to 1,000 ids a
// request. Final results only: a message still "PENDING" (010-0000-0004)
// gets no report. Throws (AppError UNAVAILABLE) when the sandbox cannot be
// asked, so the reconciler does not take silence for "no result".
import { AppError } from "../../lib/errors.ts";
import type { DeliveryReport, PollResult, VendorAccount } from "../vendor.ts";
import { polledReportOf } from "./callback.ts";
import { call } from "./http.ts";
import { mapHttpFailure } from "./map.ts";
import { settingsOf } from "./settings.ts";
import { isObject, SANDBOX_MAX_BATCH } from "./wire.ts";

export async function pollSandbox(
  account: VendorAccount,
  messages: { id: string; vendorMessageId: string }[],
): Promise<PollResult> {
  const config = settingsOf(account);
  if (!config.ok) throw new AppError("UNAVAILABLE", config.error.message, { retryable: false });
  const reports: DeliveryReport[] = [];
  for (const chunk of chunks(messages, SANDBOX_MAX_BATCH)) {
    const answer = await call(account, config.settings, {
      method: "POST",
      path: "/sandbox/v1/messages/status",
      body: { messageIds: chunk.map((m) => m.vendorMessageId) },
    });
    const failure = !answer.ok
      ? answer.failure
      : answer.status !== 200
        ? mapHttpFailure(answer.status, answer.body)
        : null;
    if (failure !== null) {
      throw new AppError("UNAVAILABLE", `sandbox poll failed: ${failure.error.message}`, {
        cause: failure.error,
        retryable: failure.retryable,
      });
    }
    const body = (answer as { body: unknown }).body;
    const results = isObject(body) && Array.isArray(body.results) ? body.results : null;
    if (results === null) {
      throw new AppError("UNAVAILABLE", "sandbox poll answer has no results", {
        retryable: true,
      });
    }
    for (const item of results) {
      const nested = isObject(item) && isObject(item.fallback) ? [item.fallback] : [];
      for (const polled of [item, ...nested]) {
        const report = polledReportOf(polled);
        if (typeof report === "string") {
          throw new AppError("UNAVAILABLE", `sandbox poll answer: ${report}`, {
            retryable: true,
          });
        }
        if (report !== null) reports.push(report);
      }
    }
  }
  return { reports };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
