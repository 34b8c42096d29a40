// The vendor adapters this build knows, by vendor name.
import { sandboxAdapter } from "./sandbox/client.ts";
import type { VendorAdapter, VendorName } from "./vendor.ts";

export const adapters: Record<VendorName, VendorAdapter | undefined> = {
  sandbox: sandboxAdapter,
  solapi: undefined,
  nhn: undefined,
  aligo: undefined,
};
