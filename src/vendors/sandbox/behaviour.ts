// What the sandbox does with one message, chosen by the "magic" recipient
// numbers of DESIGN §6. Pure: the server feeds it what it knows about the
// message and schedules the reports it returns.
//
// Decided: a message that is simply delivered gets ONE report, "DELIVERED",
// with no "SENT" before it. Real vendors' webhooks (SOLAPI, NHN) report final
// results only, it halves webhook traffic on big campaigns, and "SENT" reports
// are still exercised by 010-0000-0004 (only "SENT") and 010-0000-0005 (late
// and duplicated "SENT").
import type { MessageType } from "../../domain/message-content.ts";
import type { SandboxErrorCode, SandboxStatus } from "./map.ts";

export interface SandboxMessageFacts {
  /** The recipient as sent: E.164 expected. */
  to: string;
  type: MessageType;
  /** How many earlier send requests carried this message id. */
  seenBefore: number;
  /**
   * The channel of the vendor-side fallback when native fallback applies (the
   * account asks for it and the Alimtalk message carries one), else null.
   */
  fallback: "sms" | "lms" | null;
}

/** One report the sandbox will send later. */
export interface PlannedReport {
  /** Whose vendor id it carries: the message's own, or its native fallback's. */
  subject: "message" | "fallback";
  type: MessageType;
  status: SandboxStatus;
  error: SandboxErrorCode | null;
  /**
   * 0: due `delayMs` after acceptance; 1: due one more delay later. Only the
   * replayed reports of 010-0000-0005 use 1, so they arrive in another POST.
   */
  wave: 0 | 1;
}

export type SandboxDecision =
  | { outcome: "accepted"; reports: PlannedReport[] }
  | { outcome: "retry"; error: SandboxErrorCode }
  | { outcome: "rejected"; error: SandboxErrorCode };

export type MagicBehaviour =
  | "not-kakao-user"
  | "unreachable"
  | "flaky"
  | "silent"
  | "chatty"
  | "normal";

const E164 = /^\+[1-9]\d{7,14}$/;

// 010-0000-0001 … 0005 in E.164.
const MAGIC: Readonly<Record<string, MagicBehaviour>> = {
  "+821000000001": "not-kakao-user",
  "+821000000002": "unreachable",
  "+821000000003": "flaky",
  "+821000000004": "silent",
  "+821000000005": "chatty",
};

export function magicBehaviourOf(to: string): MagicBehaviour {
  return MAGIC[to] ?? "normal";
}

export function decideSandboxMessage(facts: SandboxMessageFacts): SandboxDecision {
  if (!E164.test(facts.to)) return { outcome: "rejected", error: "request.invalid_number" };
  const type = facts.type;
  // Only an Alimtalk message has a fallback to fall back to.
  const fallback = type === "alimtalk" ? facts.fallback : null;
  const own = (status: SandboxStatus, error: SandboxErrorCode | null = null, wave: 0 | 1 = 0) =>
    ({ subject: "message", type, status, error, wave }) as const;

  switch (magicBehaviourOf(facts.to)) {
    case "not-kakao-user": {
      if (type !== "alimtalk") return accepted([own("DELIVERED")]);
      const failed = own("FAILED", "kakao.not_user");
      if (fallback === null) return accepted([failed]);
      return accepted([failed, fallbackReport(fallback, "DELIVERED", null)]);
    }
    case "unreachable": {
      const failed = own("FAILED", "carrier.unreachable");
      if (fallback === null) return accepted([failed]);
      return accepted([failed, fallbackReport(fallback, "FAILED", "carrier.unreachable")]);
    }
    case "flaky":
      // Nothing is recorded on the refused attempt: no vendor id, no report.
      if (facts.seenBefore === 0) return { outcome: "retry", error: "server.unavailable" };
      return accepted([own("DELIVERED")]);
    case "silent":
      return accepted([own("SENT")]);
    case "chatty":
      // Out of order (the final result overtakes "SENT"), then all of it again.
      return accepted([
        own("DELIVERED"),
        own("SENT"),
        own("DELIVERED", null, 1),
        own("SENT", null, 1),
      ]);
    case "normal":
      return accepted([own("DELIVERED")]);
  }
}

/** The final report planned for the message or its fallback, if any ever comes. */
export function finalReportOf(
  reports: readonly PlannedReport[],
  subject: PlannedReport["subject"],
): PlannedReport | null {
  for (const report of reports) {
    if (report.subject === subject && report.status !== "SENT") return report;
  }
  return null;
}

const accepted = (reports: PlannedReport[]): SandboxDecision => ({ outcome: "accepted", reports });

const fallbackReport = (
  type: "sms" | "lms",
  status: SandboxStatus,
  error: SandboxErrorCode | null,
): PlannedReport => ({ subject: "fallback", type, status, error, wave: 0 });
