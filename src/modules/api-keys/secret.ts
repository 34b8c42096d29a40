import { createHash, randomBytes } from "node:crypto";

// "ak_" + 32 random bytes in base64url: 256 bits, so a plain SHA-256 is a
// sufficient at-rest hash (no password stretching needed for random secrets).
export function generateApiKeySecret(): string {
  return `ak_${randomBytes(32).toString("base64url")}`;
}

export function hashApiKeySecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** What may be shown later to recognise a key without revealing it. */
export function apiKeyPrefix(secret: string): string {
  return secret.slice(0, 8);
}
