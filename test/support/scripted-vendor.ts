// A vendor adapter whose answers the test writes, one send at a time: each
// call waits until the test answers it, so the test can act (cancel a
// campaign, forge a report) while messages are `sending`. It stands in for
// the sandbox adapter. Its webhook is the simplest there is: the account's
// secret as the path token, and a JSON array of our own report shape.
import type { MessageType } from "../../src/domain/message-content.ts";
import type {
  OutboundMessage,
  SendOutcome,
  VendorAdapter,
  VendorError,
  VendorName,
} from "../../src/vendors/vendor.ts";

type Answer = (message: OutboundMessage) => SendOutcome;

/** One report as the scripted vendor's webhook carries it. */
export interface ScriptedReport {
  vendorMessageId: string;
  status: "sent" | "delivered" | "failed";
  type?: MessageType;
  fallbackOf?: string;
}

export interface ScriptedVendor {
  adapter: VendorAdapter;
  /** Every batch handed to the vendor, in order. */
  calls: OutboundMessage[][];
  /** Resolves once `n` sends have arrived in all. */
  arrived(n: number): Promise<void>;
  /** Answers the oldest send still waiting. */
  answer(answer: Answer): void;
  /** From now on every send is answered at once with `answer` (null: wait for the test). */
  answerAll(answer: Answer | null): void;
}

export const accept: Answer = (m) => ({
  id: m.id,
  outcome: "accepted",
  vendorMessageId: `vid-${m.id}`,
});

export const retry =
  (error: Partial<VendorError> = {}): Answer =>
  (m) => ({
    id: m.id,
    outcome: "retry",
    error: { code: "VENDOR_UNAVAILABLE", rawCode: "503", message: "try again later", ...error },
  });

export const reject =
  (error: Partial<VendorError> = {}): Answer =>
  (m) => ({
    id: m.id,
    outcome: "rejected",
    error: { code: "NOT_KAKAO_USER", rawCode: "3016", message: "not a KakaoTalk user", ...error },
  });

export function scriptedVendor(vendor: VendorName = "sandbox"): ScriptedVendor {
  const calls: OutboundMessage[][] = [];
  const waiting: { messages: OutboundMessage[]; resolve: (o: SendOutcome[]) => void }[] = [];
  const arrivals: (() => void)[] = [];
  let always: Answer | null = null;
  const adapter: VendorAdapter = {
    vendor,
    batchSize: 100,
    canPoll: false,
    send(_account, messages) {
      calls.push(messages);
      for (const wake of arrivals.splice(0)) wake();
      if (always) return Promise.resolve(messages.map(always));
      return new Promise((resolve) => waiting.push({ messages, resolve }));
    },
    parseReports(account, request) {
      if (request.pathToken !== account.webhookSecret) {
        return { ok: false, status: 401, message: "unknown webhook path token" };
      }
      const items = JSON.parse(request.rawBody.toString("utf8")) as ScriptedReport[];
      return {
        ok: true,
        reports: items.map((r) => ({
          vendorMessageId: r.vendorMessageId,
          messageId: null,
          status: r.status,
          type: r.type ?? "sms",
          fallbackOf: r.fallbackOf ?? null,
          error:
            r.status === "failed"
              ? { code: "UNREACHABLE", rawCode: "X", message: "unreachable" }
              : null,
          at: new Date(),
          raw: r,
        })),
      };
    },
    poll: async () => ({ reports: [] }),
    checkCredentials: async () => ({ ok: true, message: "ok" }),
  };
  return {
    adapter,
    calls,
    async arrived(n) {
      while (calls.length < n) await new Promise<void>((resolve) => arrivals.push(resolve));
    },
    answer(answer) {
      const next = waiting.shift();
      if (!next) throw new Error("no send is waiting for an answer");
      next.resolve(next.messages.map(answer));
    },
    answerAll(answer) {
      always = answer;
    },
  };
}
