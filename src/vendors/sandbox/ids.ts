// The sandbox's own ids ("sbx_…" for messages, "sbxb_…" for report batches).
// One random epoch per sandbox and a counter: unique across restarts, cheap
// enough for 100,000 messages a second, and visibly not ours ("msg_…").
import { randomBytes } from "node:crypto";

export interface SandboxIds {
  message(): string;
  batch(): string;
}

export function createSandboxIds(now = Date.now()): SandboxIds {
  const epoch = now.toString(36) + randomBytes(4).toString("hex");
  let messages = 0;
  let batches = 0;
  return {
    message: () => `sbx_${epoch}${(++messages).toString(36).padStart(7, "0")}`,
    batch: () => `sbxb_${epoch}${(++batches).toString(36).padStart(7, "0")}`,
  };
}
