// The small interface the dispatcher owns. Each vendor (sandbox, SOLAPI, NHN,
// Aligo) implements it in its own folder; everything vendor-specific — wire
// format, authentication, status codes — stays behind it.
//
// Every vendor folder has the same seven files:
//   client.ts    the VendorAdapter (send, parseReports, poll, checkCredentials)
//   settings.ts  the account's settings as one TypeBox schema, and its credentials
//   http.ts      its authenticated call, on the shared one (../http.ts)
//   wire.ts      the vendor's documented request and answer shapes (pure)
//   map.ts       the vendor's codes as ours, retryable or not (pure)
//   callback.ts  the vendor's delivery reports as DeliveryReports (pure)
//   poll.ts      asking the vendor for results (the reconciler's poll)
// and helpers beyond those named for what they hold. Written once for all of
// them: http.ts (one call with a timeout, JSON body, transport failures),
// outcomes.ts (a request's failure for each message; a message without a
// result is retried), settings.ts (the schema reader), file-cache.ts (the
// vendor's id of an uploaded MMS image, per account). The fake vendor servers
// the tests use live in test/support/vendors/, not here.
import type { MessageType } from "../domain/message-content.ts";
import type { VendorTransport } from "./http.ts";

/** A vendor account as the adapter sees it: settings plus decrypted credentials. */
export interface VendorAccount {
  id: string;
  vendor: VendorName;
  settings: Record<string, unknown>;
  credentials: Record<string, string>;
  /** Secret used to verify this account's inbound reports (signature key or path token). */
  webhookSecret: string;
  /** Where inbound reports for this account must be sent (our /webhooks/vendors/{id}). */
  webhookUrl: string;
  /**
   * How its calls leave this server: through the egress guard for URLs the
   * owner may have set, with the operator's longest timeout.
   */
  transport: VendorTransport;
}

export type VendorName = "sandbox" | "solapi" | "nhn" | "aligo";

export interface AlimtalkButton {
  type: string;
  name: string;
  linkMobile?: string;
  linkPc?: string;
  schemeAndroid?: string;
  schemeIos?: string;
}

/** One message, rendered and ready to hand to a vendor. */
export interface OutboundMessage {
  /** Our message id: also the vendor-side idempotency key where the vendor supports one. */
  id: string;
  /** E.164. */
  to: string;
  /** Caller number, national digits ("0212345678"); "" when none (Alimtalk only). */
  from: string;
  type: MessageType;
  text: string;
  subject: string | null;
  alimtalk: {
    templateCode: string;
    buttons: AlimtalkButton[];
    /** The vendor's own id for the template, when it was reviewed through this account. */
    vendorTemplateId?: string;
  } | null;
  /**
   * For Alimtalk with a fallback: what the vendor sends itself if Alimtalk
   * fails, when the account uses the vendor's native fallback.
   */
  nativeFallback: { type: "sms" | "lms"; text: string; subject: string | null } | null;
  /** MMS only: the attached images, in order (at most 3 JPEG of at most 300 KB each). */
  images: OutboundImage[];
  /** 1 on the first attempt. */
  attempt: number;
}

/** An image attached to an MMS, as uploaded with POST /v1/files. */
export interface OutboundImage {
  /** Our file id ("fil_…"): stable, so an adapter may cache the vendor's own id for it. */
  fileId: string;
  name: string;
  mime: "image/jpeg";
  data: Buffer;
}

/** Normalized error codes, the same for every vendor. */
export type VendorErrorCode =
  | "NOT_KAKAO_USER"
  | "UNREACHABLE"
  | "INVALID_NUMBER"
  | "BLOCKED"
  | "TEMPLATE_MISMATCH"
  | "SENDER_NOT_REGISTERED"
  | "CONTENT_REJECTED"
  | "INSUFFICIENT_VENDOR_BALANCE"
  | "AUTH_FAILED"
  | "RATE_LIMITED"
  | "VENDOR_UNAVAILABLE"
  | "TIMEOUT"
  | "UNKNOWN";

export interface VendorError {
  code: VendorErrorCode;
  /** The vendor's own code, as it sent it. */
  rawCode: string;
  message: string;
}

/** The vendor's answer for one message of a batch. */
export type SendOutcome =
  | { id: string; outcome: "accepted"; vendorMessageId: string }
  | { id: string; outcome: "rejected"; error: VendorError }
  | { id: string; outcome: "retry"; error: VendorError };

/** What a vendor says happened to one message, from a webhook or a poll. */
export interface DeliveryReport {
  vendorMessageId: string;
  /** Our message id when the vendor echoes it back (custom field), else null. */
  messageId: string | null;
  status: "sent" | "delivered" | "failed";
  /** The channel the report is about (a native fallback reports its own channel). */
  type: MessageType;
  /** For a vendor's native fallback: the vendor id of the Alimtalk message it replaces. */
  fallbackOf: string | null;
  error: VendorError | null;
  at: Date;
  /** The report as received, for the trace (never containing credentials). */
  raw: unknown;
}

export interface InboundRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received: signatures are computed over bytes. */
  rawBody: Buffer;
  /** The path after /webhooks/vendors/{accountId}, for vendors verified by a path token. */
  pathToken: string | null;
}

export type ParsedReports =
  | { ok: true; reports: DeliveryReport[] }
  | { ok: false; status: 400 | 401; message: string };

export interface PollResult {
  /** Reports for the messages whose results the vendor knows. */
  reports: DeliveryReport[];
}

export interface VendorAdapter {
  readonly vendor: VendorName;
  /** Most messages one send request may carry. */
  readonly batchSize: number;
  /** Whether results can be polled (reconciliation); else silent messages expire. */
  readonly canPoll: boolean;
  /**
   * Sends a batch. Never throws for vendor trouble: transport errors and 5xx
   * come back as `retry` outcomes for every message of the batch.
   */
  send(account: VendorAccount, messages: OutboundMessage[]): Promise<SendOutcome[]>;
  /** Verifies and parses an inbound report request. */
  parseReports(account: VendorAccount, request: InboundRequest): ParsedReports;
  poll(
    account: VendorAccount,
    messages: { id: string; vendorMessageId: string }[],
  ): Promise<PollResult>;
  checkCredentials(account: VendorAccount): Promise<{ ok: boolean; message: string }>;
}
