// One schedule run's posts to chat rooms through their bot gateways.
//
// Each post goes through three steps, each its own transaction or call:
//
// 1. Reserve, under the room's row lock (`select … for update`): the next
//    free slot (one post per 30 s and 50 a day per room, or the stricter
//    limits its organization or an ancestor set; the day is the
//    organization's), the post's price held on the wallet it spends, and a
//    `room_posts` row under the unique (run_id, room_id, seq). The lock is
//    what makes the limits hold across processes: a second reservation for
//    the room waits for the first to commit and then sees its slot. A slot
//    past the run's window is not taken: the post is `rate_limited`, and no
//    money moves.
// 2. Wait for the slot, check again that the room is still the schedule
//    organization's and not deleted, and send: an `http` gateway gets a
//    signed POST (gateway.ts); the `sandbox` gateway records the post here
//    and fails it for rooms whose external id starts with `fail-`.
// 3. Record the outcome (only a `reserved` post moves) with its money in the
//    same transaction: captured when the gateway accepted it, with each
//    ancestor's margin as settlement books them for messages, released when
//    it failed or the room was gone.
//
// A rerun of the same run (after a crash) finds every post already made and
// returns it as it was; a post left `reserved` by the crash is sent again
// with the same postId (the Standard Webhooks `webhook-id`), which the
// gateway uses to drop a repeat, and the sandbox records once.
//
// Test rooms: their posts are not sent to an http gateway but recorded like
// the sandbox's, and not charged (nothing is held); the limits still apply,
// so a test room shows the timing a live one would have.
import type { Db, Queryable } from "../../db/client.ts";
import { formatCredits } from "../../domain/money.ts";
import type { Egress } from "../../lib/egress.ts";
import { newId } from "../../lib/ids.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import { applyMovement, type Movement, spendingWallets, walletOrder } from "../credits/index.ts";
import { findOrgPrices } from "../plans/index.ts";
import { fileLinkToken } from "./file-links.ts";
import { type GatewayAnswer, type GatewayPost, sendToGateway } from "./gateway.ts";
import {
  countDaySlots,
  findEffectiveRoomLimits,
  findLastSlot,
  findRoomTarget,
  findRunPost,
  finishRoomPost,
  insertPostMarginBooking,
  insertRoomPost,
  isOrgFile,
  lockRoomTarget,
  type NewRoomPost,
  type RoomLimits,
  type RoomPostRow,
  type RoomTarget,
} from "./queries.ts";

export interface RoomRunContent {
  text: string | null;
  /** fil_… ids, at most 10, in posting order. */
  imageIds: string[];
  order: "text_first" | "images_first" | "images_only" | "text_only";
  /** The wait between two posts to one room. */
  intervalSeconds: number;
}

export interface RoomPostResult {
  roomId: string;
  kind: "text" | "image";
  fileId?: string;
  status: "posted" | "failed" | "rate_limited" | "skipped";
  error?: { code: string; message: string };
  /** The gateway's answer, kept in the run log. */
  response?: unknown;
  /** The post's id (room_posts), when one was recorded. */
  postId?: string;
}

export interface RoomRunDeps {
  db: Db;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
  publicUrl: () => string;
  /**
   * Opens http gateways' secrets and seals image links. Without it (and
   * `egress`) this process cannot post through http gateways: their posts
   * fail with GATEWAY_UNAVAILABLE, their holds released.
   */
  box?: SecretBox;
  /** How http gateways are called: the egress guard for tenants' URLs. */
  egress?: Egress;
  /** How long an http gateway may take to answer (default 15 s). */
  gatewayTimeoutMs?: number;
}

/** The platform's limits per room; an organization may only make them stricter. */
export const PLATFORM_ROOM_LIMITS: RoomLimits = { minIntervalSeconds: 30, dailyLimit: 50 };

const DEFAULT_GATEWAY_TIMEOUT_MS = 15_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface PlannedPost {
  seq: number;
  kind: "text" | "image";
  fileId: string | null;
}

/** The posts of one room in the content's order (a missing text is no post). */
export function planPosts(content: RoomRunContent): PlannedPost[] {
  const text: PlannedPost[] =
    content.text !== null && content.text !== "" && content.order !== "images_only"
      ? [{ seq: 0, kind: "text", fileId: null }]
      : [];
  const images: PlannedPost[] =
    content.order === "text_only"
      ? []
      : content.imageIds.map((fileId) => ({ seq: 0, kind: "image", fileId }));
  const ordered = content.order === "images_first" ? [...images, ...text] : [...text, ...images];
  return ordered.map((p, seq) => ({ ...p, seq }));
}

/** Carries out one schedule run's posts; a post's failure is a result, not an exception. */
export async function runRoomPosts(
  deps: RoomRunDeps,
  input: {
    orgId: string;
    runId: string;
    roomIds: string[];
    content: RoomRunContent;
    windowEndsAt: Date;
  },
): Promise<RoomPostResult[]> {
  const posts = planPosts(input.content);
  // Rooms post at once, each room's posts one after another.
  const perRoom = await Promise.all(
    [...new Set(input.roomIds)].map(async (roomId) => {
      const results: RoomPostResult[] = [];
      for (const post of posts) results.push(await carryOut(deps, input, roomId, post));
      return results;
    }),
  );
  return perRoom.flat();
}

type RunInput = Parameters<typeof runRoomPosts>[1];

function resultOf(row: RoomPostRow): RoomPostResult {
  const status = row.status === "reserved" ? "failed" : row.status;
  return {
    roomId: row.roomId,
    kind: row.kind,
    ...(row.fileId ? { fileId: row.fileId } : {}),
    status,
    ...(row.errorCode ? { error: { code: row.errorCode, message: row.errorMessage ?? "" } } : {}),
    ...(row.response !== null && row.response !== undefined ? { response: row.response } : {}),
    postId: row.id,
  };
}

async function carryOut(
  deps: RoomRunDeps,
  input: RunInput,
  roomId: string,
  post: PlannedPost,
): Promise<RoomPostResult> {
  const reserved = await reserve(deps, input, roomId, post);
  if (!("id" in reserved)) return reserved;
  if (reserved.status !== "reserved") return resultOf(reserved);
  const wait = (reserved.slotAt?.getTime() ?? 0) - deps.now().getTime();
  if (wait > 0) await (deps.sleep ?? defaultSleep)(wait);
  const target = await findRoomTarget(deps.db, roomId, input.orgId);
  const outcome: Outcome = target
    ? await send(deps, input, target, reserved)
    : {
        status: "skipped",
        error: { code: "ROOM_NOT_FOUND", message: "the room was deleted or moved before its post" },
      };
  return resultOf(await finish(deps, reserved, outcome));
}

/**
 * Step 1: the post as this run recorded it before, or its reservation now;
 * or, for a room that is gone, a skipped result that records nothing.
 */
async function reserve(
  deps: RoomRunDeps,
  input: RunInput,
  roomId: string,
  post: PlannedPost,
): Promise<RoomPostRow | RoomPostResult> {
  return deps.db.tx(async (q) => {
    const key = { runId: input.runId, roomId, seq: post.seq };
    const before = await findRunPost(q, key);
    if (before) return before;
    const target = await lockRoomTarget(q, roomId, input.orgId);
    if (!target) {
      return {
        roomId,
        kind: post.kind,
        ...(post.fileId ? { fileId: post.fileId } : {}),
        status: "skipped" as const,
        error: { code: "ROOM_NOT_FOUND", message: "the room is deleted or not the organization's" },
      };
    }
    // A reservation of the same post by another process committed while this one waited.
    const raced = await findRunPost(q, key);
    if (raced) return raced;

    const base: NewRoomPost = {
      id: newId("rps"),
      orgId: input.orgId,
      runId: input.runId,
      roomId,
      gatewayId: target.gatewayId,
      seq: post.seq,
      kind: post.kind,
      fileId: post.fileId,
      status: "failed",
      slotAt: null,
      test: target.mode === "test",
      walletOrgId: null,
      priceHeld: 0n,
      priceChain: null,
      errorCode: null,
      errorMessage: null,
    };
    const refuse = (code: string, message: string, status: "failed" | "rate_limited" = "failed") =>
      insertRoomPost(q, { ...base, status, errorCode: code, errorMessage: message });

    if (post.fileId && !(await isOrgFile(q, input.orgId, post.fileId))) {
      return refuse("FILE_NOT_FOUND", `file ${post.fileId} is not the organization's`);
    }
    const pricing = await findOrgPrices(q, input.orgId);
    if (!pricing) throw new Error(`organization ${input.orgId} has no prices`);
    const self = pricing.levels[pricing.levels.length - 1]!;
    if (self.status === "suspended") {
      return refuse("ORG_SUSPENDED", "the organization is suspended");
    }

    const slot = await nextSlot(q, {
      target,
      runId: input.runId,
      intervalSeconds: input.content.intervalSeconds,
      timezone: self.timezone,
      now: deps.now(),
    });
    if (slot.getTime() > input.windowEndsAt.getTime()) {
      return refuse(
        "RATE_LIMITED",
        `the room's next free slot, ${slot.toISOString()}, is after the run's window`,
        "rate_limited",
      );
    }

    const price = base.test ? 0n : pricing.bot;
    if (price > 0n) {
      const held = await applyMovement(q, {
        id: newId("led"),
        orgId: pricing.walletOrgId,
        forOrgId: input.orgId,
        kind: "hold",
        balanceDelta: 0n,
        heldDelta: price,
        idempotencyKey: `hold:room-post:${base.id}`,
        memo: `room post ${base.id}`,
      });
      if (!held) {
        return refuse(
          "INSUFFICIENT_CREDITS",
          `a room post costs ${formatCredits(price)} credits, more than the wallet has available`,
        );
      }
    }
    return insertRoomPost(q, {
      ...base,
      status: "reserved",
      slotAt: slot,
      walletOrgId: price > 0n ? pricing.walletOrgId : null,
      priceHeld: price,
      priceChain:
        price > 0n ? pricing.chain.map((l) => ({ orgId: l.orgId, bot: String(l.bot) })) : null,
    });
  });
}

/**
 * The room's next free slot: its last slot plus the interval (the
 * content's between posts of one run, when longer than the limit's), not
 * before now, and in the next day (the organization's) when this one has
 * its day's posts already. Slots only grow, so no later day has any yet.
 */
async function nextSlot(
  q: Queryable,
  options: {
    target: RoomTarget;
    runId: string;
    intervalSeconds: number;
    timezone: string;
    now: Date;
  },
): Promise<Date> {
  const { target, now } = options;
  const limits = await findEffectiveRoomLimits(q, target.orgId, PLATFORM_ROOM_LIMITS);
  const last = await findLastSlot(q, target.roomId);
  let slot = now;
  if (last) {
    const gapSeconds =
      last.runId === options.runId
        ? Math.max(limits.minIntervalSeconds, options.intervalSeconds)
        : limits.minIntervalSeconds;
    const earliest = new Date(last.slotAt.getTime() + gapSeconds * 1000);
    if (earliest > slot) slot = earliest;
  }
  const day = await countDaySlots(q, {
    roomId: target.roomId,
    at: slot,
    timezone: options.timezone,
  });
  return day.count >= limits.dailyLimit ? day.nextDayStart : slot;
}

type Outcome =
  | { status: "posted"; response: unknown }
  | { status: "failed"; error: { code: string; message: string }; response?: unknown }
  | { status: "skipped"; error: { code: string; message: string } };

/** Step 2: the post sent, or recorded for the sandbox and test rooms. */
async function send(
  deps: RoomRunDeps,
  input: RunInput,
  target: RoomTarget,
  post: RoomPostRow,
): Promise<Outcome> {
  const now = deps.now();
  const body: GatewayPost = {
    postId: post.id,
    roomId: target.roomId,
    externalId: target.externalId,
    kind: post.kind,
  };
  if (post.kind === "text") body.text = input.content.text ?? "";
  if (post.fileId) {
    if (!deps.box) return unavailable("image links cannot be signed in this process");
    const sig = fileLinkToken(deps.box, { fileId: post.fileId, orgId: input.orgId }, now);
    body.imageUrl = `${deps.publicUrl()}/f/${post.fileId}?sig=${encodeURIComponent(sig)}`;
  }
  if (target.mode === "test" || target.gatewayKind === "sandbox") {
    const recorded = {
      recorded: true,
      ...(target.mode === "test" ? { test: true } : {}),
      post: body,
    };
    if (target.gatewayKind === "sandbox" && target.externalId.startsWith("fail-")) {
      return {
        status: "failed",
        error: { code: "GATEWAY_REFUSED", message: "the sandbox gateway fails rooms named fail-…" },
        response: { status: 422, body: { ok: false, error: "room refused" }, ...recorded },
      };
    }
    return {
      status: "posted",
      response: { status: 200, body: { ok: true, id: post.id }, ...recorded },
    };
  }
  if (!deps.box || !deps.egress || !target.gatewayUrl || !target.gatewaySecretEnc) {
    return unavailable("this process has no transport for http gateways");
  }
  const answer: GatewayAnswer = await sendToGateway(
    { egress: deps.egress, timeoutMs: deps.gatewayTimeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS },
    { url: target.gatewayUrl, secret: deps.box.open(target.gatewaySecretEnc) },
    body,
    now,
  );
  return answer.ok
    ? { status: "posted", response: answer.response }
    : {
        status: "failed",
        error: answer.error,
        ...(answer.response ? { response: answer.response } : {}),
      };
}

const unavailable = (message: string): Outcome => ({
  status: "failed",
  error: { code: "GATEWAY_UNAVAILABLE", message },
});

/**
 * Step 3: the outcome and its money in one transaction. A post another
 * process finished first is returned as that one recorded it.
 */
async function finish(
  deps: RoomRunDeps,
  post: RoomPostRow,
  outcome: Outcome,
): Promise<RoomPostRow> {
  return deps.db.tx(async (q) => {
    const posted = outcome.status === "posted";
    const done = await finishRoomPost(q, {
      id: post.id,
      status: outcome.status,
      postedAt: posted ? deps.now() : null,
      priceCharged: posted ? post.priceHeld : 0n,
      errorCode: "error" in outcome ? outcome.error.code : null,
      errorMessage: "error" in outcome ? outcome.error.message : null,
      response: "response" in outcome ? outcome.response : undefined,
    });
    if (!done) {
      const current = await findRunPost(q, post);
      return current ?? post;
    }
    if (done.priceHeld === 0n || !done.walletOrgId) return done;
    const movements: Movement[] = [
      {
        id: newId("led"),
        orgId: done.walletOrgId,
        forOrgId: done.orgId,
        kind: posted ? "capture" : "release",
        balanceDelta: posted ? -done.priceHeld : 0n,
        heldDelta: -done.priceHeld,
        idempotencyKey: `${posted ? "capture" : "release"}:room-post:${done.id}`,
        memo: `room post ${done.id}`,
      },
    ];
    if (posted) movements.push(...(await bookMargins(q, done)));
    const order = await walletOrder(
      q,
      movements.map((m) => m.orgId),
    );
    movements.sort((a, b) => order(a.orgId) - order(b.orgId));
    for (const m of movements) {
      // The hold was taken at reservation; a wallet that cannot give it back is a bug.
      if (!(await applyMovement(q, m))) throw new Error(`wallet ${m.orgId} cannot ${m.kind}`);
    }
    return done;
  });
}

/**
 * Each ancestor's margin on a captured post, as settlement books them for
 * messages (credits/margins.ts): the difference between the bot price it
 * sold at (its child's) and its own, into the wallet it spends, with a
 * margin booking for the margin report (the run's id in place of a campaign).
 */
async function bookMargins(q: Queryable, post: RoomPostRow): Promise<Movement[]> {
  const chain = post.priceChain ?? [];
  const earned: { orgId: string; margin: bigint }[] = [];
  for (let i = 1; i < chain.length; i++) {
    const child = chain[i - 1]!;
    const self = chain[i]!;
    const charged = BigInt(child.bot);
    const margin = charged - BigInt(self.bot);
    await insertPostMarginBooking(q, {
      id: newId("mgn"),
      orgId: self.orgId,
      childId: child.orgId,
      senderOrgId: post.orgId,
      runId: post.runId,
      charged,
      margin: margin > 0n ? margin : 0n,
    });
    if (margin > 0n) earned.push({ orgId: self.orgId, margin });
  }
  if (earned.length === 0) return [];
  const wallets = await spendingWallets(
    q,
    earned.map((e) => e.orgId),
  );
  return earned.map((e) => ({
    id: newId("led"),
    orgId: wallets.get(e.orgId) ?? e.orgId,
    forOrgId: e.orgId,
    kind: "margin" as const,
    balanceDelta: e.margin,
    heldDelta: 0n,
    idempotencyKey: `margin:room-post:${post.id}:${e.orgId}`,
    memo: `room post ${post.id}`,
  }));
}
