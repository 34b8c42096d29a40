// Builders shared by the Aligo tests: an account pointing at the fake server
// and messages to numbered recipients.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { MessageType } from "../../../../src/domain/message-content.ts";
import type {
  OutboundMessage,
  SendOutcome,
  VendorAccount,
} from "../../../../src/vendors/vendor.ts";
import { testTransport } from "../../vendor-calls.ts";

export const API_KEY = "test-key";
export const USER_ID = "test-user";
export const SENDER_KEY = "test-sender-key";

export function aligoAccount(
  url: string,
  settings: Record<string, unknown> = {},
  credentials: Record<string, string> = { apiKey: API_KEY, userId: USER_ID },
): VendorAccount {
  return {
    id: "va_aligo",
    vendor: "aligo",
    settings: {
      smsBaseUrl: url,
      kakaoBaseUrl: url,
      senderKey: SENDER_KEY,
      timeoutMs: 2000,
      ...settings,
    },
    credentials,
    webhookSecret: "whsec_unused",
    webhookUrl: "http://127.0.0.1/webhooks/vendors/va_aligo",
    transport: testTransport,
  };
}

/** The i-th test recipient: E.164 and the national form Aligo gets. */
export const e164 = (i: number): string => `+8210${String(i).padStart(8, "0")}`;
export const national = (i: number): string => `010${String(i).padStart(8, "0")}`;

let sequence = 0;

export function outbound(
  recipient: number,
  type: MessageType,
  overrides: Partial<OutboundMessage> = {},
): OutboundMessage {
  sequence++;
  return {
    id: `msg_${sequence}`,
    to: e164(recipient),
    from: type === "alimtalk" ? "" : "0212345678",
    type,
    text: `text ${sequence}`,
    subject: type === "lms" || type === "mms" ? "알림" : null,
    alimtalk: type === "alimtalk" ? { templateCode: "TA_0001", buttons: [] } : null,
    nativeFallback: null,
    images: [],
    attempt: 1,
    ...overrides,
  };
}

/** Vendor message ids by our message id (accepted outcomes only). */
export function idsOf(outcomes: SendOutcome[]): Map<string, string> {
  return new Map(
    outcomes.flatMap((o) => (o.outcome === "accepted" ? [[o.id, o.vendorMessageId] as const] : [])),
  );
}

/** A URL where nothing listens. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
