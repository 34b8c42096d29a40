// Waking idle workers: LISTEN/NOTIFY on PostgreSQL, so an API process wakes
// the workers of another process; within one process the signal is also
// delivered directly (and is all there is on PGlite, which has one process).
import { EventEmitter } from "node:events";
import type { Db } from "../db/client.ts";

/**
 * `config`: routing or a vendor account changed; caches must forget.
 * `campaigns`: a draft was launched; its messages are to be queued.
 * `imports`: an import was uploaded or its commit asked for.
 * `schedules`: a schedule was made or changed; it may be due sooner.
 * `webhooks`: webhook events or deliveries were written (also notified by the triggers that write them).
 */
export type WakeTopic =
  | "dispatch"
  | "reports"
  | "settle"
  | "config"
  | "campaigns"
  | "imports"
  | "schedules"
  | "webhooks";

const CHANNEL = "alimi_wake";
const TOPICS: readonly WakeTopic[] = [
  "dispatch",
  "reports",
  "settle",
  "config",
  "campaigns",
  "imports",
  "schedules",
  "webhooks",
];

export interface WakeBus {
  wake(topic: WakeTopic): void;
  on(topic: WakeTopic, listener: () => void): void;
  close(): Promise<void>;
}

export async function createWakeBus(db: Db): Promise<WakeBus> {
  const local = new EventEmitter();
  local.setMaxListeners(100);
  let unlisten: (() => Promise<void>) | null = null;
  if (db.engine === "postgres") {
    unlisten = await db.listen(CHANNEL, (payload) => {
      if ((TOPICS as string[]).includes(payload)) local.emit(payload);
    });
  }
  // Many wakes in one tick become one notification per topic.
  const pending = new Set<WakeTopic>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    for (const topic of pending) {
      local.emit(topic);
      if (db.engine === "postgres") db.notify(CHANNEL, topic).catch(() => {});
    }
    pending.clear();
  };
  return {
    wake(topic) {
      pending.add(topic);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    },
    on(topic, listener) {
      local.on(topic, listener);
    },
    async close() {
      local.removeAllListeners();
      await unlisten?.();
    },
  };
}
