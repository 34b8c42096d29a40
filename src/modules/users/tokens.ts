import { createHash, randomBytes } from "node:crypto";

/** A fresh secret token for a cookie, an invitation or a reset: 256 random bits. */
export const newToken = (): string => randomBytes(32).toString("base64url");

/** What the database keeps of a token: its SHA-256, so a leaked table opens nothing. */
export const hashToken = (token: string): string =>
  createHash("sha256").update(token).digest("hex");
