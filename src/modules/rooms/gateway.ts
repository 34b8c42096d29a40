// The HTTP bot gateway's client: one POST per post, JSON
// `{ roomId, externalId, kind, text?, imageUrl?, postId }`, signed with the
// Standard Webhooks headers (webhook-id = the post's id, the same on every
// attempt, so the gateway can drop a repeat; webhook-timestamp; and
// webhook-signature, HMAC-SHA256 under the gateway's `whsec_` secret). The
// gateway answers `{ ok: true, id? }` with a 2xx; anything else is a failure,
// kept with its status and body for the run log. Redirects are not followed
// and the URL goes through the egress guard at every connection.
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { type Egress, egressRefusalOf } from "../../lib/egress.ts";

export interface GatewayPost {
  postId: string;
  /** Alimi's room id. */
  roomId: string;
  /** The room as the gateway knows it. */
  externalId: string;
  kind: "text" | "image";
  text?: string;
  imageUrl?: string;
}

export type GatewayAnswer =
  | { ok: true; response: { status: number; body: unknown } }
  | {
      ok: false;
      error: { code: string; message: string };
      response?: { status: number; body: unknown };
    };

export interface GatewayTransport {
  egress: Egress;
  /** How long a gateway may take to answer. */
  timeoutMs: number;
}

/** A fresh signing secret as Standard Webhooks writes it: `whsec_` and 32 random bytes in base64. */
export function newGatewaySecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** Whether a secret is one the signing library takes: `whsec_` and 24 to 64 bytes in base64. */
export function isGatewaySecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) return false;
  const bytes = Buffer.from(match[1]!, "base64");
  return bytes.length >= 24 && bytes.length <= 64 && bytes.toString("base64") === match[1];
}

/** What a gateway's answer body is kept as: its JSON, else its text (cut at 2,000 characters). */
function bodyOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 2000);
  }
}

export async function sendToGateway(
  transport: GatewayTransport,
  gateway: { url: string; secret: string },
  post: GatewayPost,
  now: Date,
): Promise<GatewayAnswer> {
  const payload = JSON.stringify(post);
  const signature = new Webhook(gateway.secret).sign(post.postId, now, payload);
  let res: Response;
  try {
    res = await transport.egress.fetch(gateway.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": post.postId,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": signature,
      },
      body: payload,
      signal: AbortSignal.timeout(transport.timeoutMs),
    });
  } catch (err) {
    const refused = egressRefusalOf(err);
    if (refused) return { ok: false, error: { code: "EGRESS_REFUSED", message: refused.message } };
    const timedOut = (err as Error)?.name === "TimeoutError";
    return {
      ok: false,
      error: timedOut
        ? { code: "GATEWAY_TIMEOUT", message: `no answer within ${transport.timeoutMs} ms` }
        : { code: "GATEWAY_UNREACHABLE", message: (err as Error)?.message ?? String(err) },
    };
  }
  const response = { status: res.status, body: bodyOf(await res.text().catch(() => "")) };
  const answer = response.body as { ok?: unknown } | null;
  if (res.status >= 200 && res.status < 300 && answer && answer.ok === true) {
    return { ok: true, response };
  }
  const ok = res.status >= 200 && res.status < 300;
  return {
    ok: false,
    error: ok
      ? { code: "GATEWAY_REFUSED", message: "the gateway did not answer { ok: true }" }
      : { code: "GATEWAY_ERROR", message: `the gateway answered ${res.status}` },
    response,
  };
}
