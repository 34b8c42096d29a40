import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox } from "./secret-box.ts";

describe("secret box", () => {
  const box = createSecretBox(randomBytes(32));

  it("round-trips, with a fresh nonce each time", () => {
    const secret = JSON.stringify({ apiKey: "NCS1234", apiSecret: "비밀" });
    const a = box.seal(secret);
    const b = box.seal(secret);
    expect(a).not.toBe(b);
    expect(a).not.toContain("NCS1234");
    expect(box.open(a)).toBe(secret);
    expect(box.open(b)).toBe(secret);
  });

  it("refuses a tampered value and another key", () => {
    const sealed = box.seal("secret");
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[3]!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    parts[3] = flipped.toString("base64url");
    expect(() => box.open(parts.join("."))).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => box.open("plain")).toThrow(/not a sealed secret/);
  });
});
