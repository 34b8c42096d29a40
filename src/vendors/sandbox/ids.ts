// The sandbox's own ids ("sbx_…" for messages, "sbxb_…" for report batches):
// 128 random bits each, in hex, so that no id says anything about another.
// They were once an epoch and a counter, which let anyone who saw one id
// name its neighbours — other tenants' messages. Random bytes are drawn in
// blocks, which keeps 100,000 ids a second cheap.
import { randomBytes } from "node:crypto";

const ID_BYTES = 16;
/** Ids per draw of random bytes. */
const BLOCK = 1024;

export interface SandboxIds {
  message(): string;
  batch(): string;
}

export function createSandboxIds(): SandboxIds {
  let block = randomBytes(0);
  let offset = 0;
  const random = () => {
    if (offset >= block.length) {
      block = randomBytes(ID_BYTES * BLOCK);
      offset = 0;
    }
    const hex = block.toString("hex", offset, offset + ID_BYTES);
    offset += ID_BYTES;
    return hex;
  };
  return {
    message: () => `sbx_${random()}`,
    batch: () => `sbxb_${random()}`,
  };
}

/** The shape of a sandbox message id. */
export const SANDBOX_MESSAGE_ID = /^sbx_[0-9a-f]{32}$/;
