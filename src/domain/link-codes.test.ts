import { describe, expect, it } from "vitest";
import {
  CODE_LENGTH,
  createLinkCodeReader,
  decodeLinkCode,
  encodeLinkCode,
  isLinkKey,
  LINK_KEY_LENGTH,
  linkKeyFrom,
  linkSecretOf,
  MAX_CODE_RECIPIENT_INDEX,
} from "./link-codes.ts";
import type { MessageType } from "./message-content.ts";

const signingKey = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 8);
const key = "Ab3xY9";
const secret = linkSecretOf(signingKey, key);

describe("link codes", () => {
  it("are CODE_LENGTH base62 characters starting with the link key", () => {
    const code = encodeLinkCode({ key, secret, recipientIndex: 0, type: "sms" });
    expect(code).toMatch(/^[0-9A-Za-z]+$/);
    expect(code).toHaveLength(CODE_LENGTH);
    expect(code.slice(0, LINK_KEY_LENGTH)).toBe(key);
  });

  it.each<[number, MessageType]>([
    [0, "alimtalk"],
    [1, "sms"],
    [99_999, "lms"],
    [999_999, "mms"],
    [MAX_CODE_RECIPIENT_INDEX, "alimtalk"],
  ])("carry recipient %i and type %s, read back with the signing key", (recipientIndex, type) => {
    const code = encodeLinkCode({ key, secret, recipientIndex, type });
    expect(decodeLinkCode(code, signingKey)).toEqual({ key, recipientIndex, type });
  });

  it("differ per recipient and per type, so an Alimtalk and its fallback are told apart", () => {
    const codes = new Set<string>();
    for (let recipientIndex = 0; recipientIndex < 500; recipientIndex++) {
      for (const type of ["alimtalk", "sms", "lms", "mms"] as const) {
        codes.add(encodeLinkCode({ key, secret, recipientIndex, type }));
      }
    }
    expect(codes.size).toBe(2000);
  });

  it("refuse a recipient index beyond what four characters carry", () => {
    expect(() =>
      encodeLinkCode({ key, secret, recipientIndex: MAX_CODE_RECIPIENT_INDEX + 1, type: "sms" }),
    ).toThrow(/cannot be carried/);
    expect(() => encodeLinkCode({ key, secret, recipientIndex: -1, type: "sms" })).toThrow();
  });

  it("ignore what a phone ran on after the code", () => {
    const code = encodeLinkCode({ key, secret, recipientIndex: 42, type: "lms" });
    expect(decodeLinkCode(`${code}에서`, signingKey)).toMatchObject({ recipientIndex: 42 });
    expect(decodeLinkCode(`${code})`, signingKey)).toMatchObject({ recipientIndex: 42 });
  });

  it("are refused when forged, altered, short or signed with another key", () => {
    const code = encodeLinkCode({ key, secret, recipientIndex: 42, type: "lms" });
    // Another recipient's slot with this recipient's MAC.
    const other = encodeLinkCode({ key, secret, recipientIndex: 43, type: "lms" });
    const swapped = `${other.slice(0, 10)}${code.slice(10)}`;
    const flipped = `${code.slice(0, -1)}${code.endsWith("a") ? "b" : "a"}`;
    for (const bad of [swapped, flipped, code.slice(0, -1), "", "!!!!!!!!!!!!!!!"]) {
      expect(decodeLinkCode(bad, signingKey)).toBeNull();
    }
    expect(decodeLinkCode(code, otherKey)).toBeNull();
  });

  it("MACs are not trivially guessable: 2,000 recipients, no two codes share one", () => {
    const macs = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      macs.add(encodeLinkCode({ key, secret, recipientIndex: i, type: "sms" }).slice(-5));
    }
    expect(macs.size).toBeGreaterThan(1995);
  });

  it("link keys come evenly from random bytes, skipping those that would bias them", () => {
    expect(linkKeyFrom(Uint8Array.from([0, 61, 62, 247, 248, 255, 1, 2, 3]))).toBe("0z0z12");
    expect(() => linkKeyFrom(Uint8Array.from([250, 251, 1]))).toThrow();
    expect(isLinkKey(key)).toBe(true);
    expect(isLinkKey("Ab3xY")).toBe(false);
    expect(isLinkKey("Ab3xY-")).toBe(false);
  });

  it("a reader that keeps link secrets reads as decodeLinkCode does, however small its memory", () => {
    const reader = createLinkCodeReader(signingKey, 2);
    const keys = ["Ab3xY9", "Qq0000", "zz1234"];
    for (let round = 0; round < 3; round++) {
      for (const k of keys) {
        const code = encodeLinkCode({
          key: k,
          secret: linkSecretOf(signingKey, k),
          recipientIndex: round,
          type: "mms",
        });
        expect(reader(code)).toEqual({ key: k, recipientIndex: round, type: "mms" });
        expect(reader(`${code.slice(0, -1)}${code.endsWith("0") ? "1" : "0"}`)).toBeNull();
      }
    }
  });

  it("secrets depend on the signing key and the link key", () => {
    expect(linkSecretOf(signingKey, key)).toEqual(secret);
    expect(linkSecretOf(otherKey, key)).not.toEqual(secret);
    expect(linkSecretOf(signingKey, "Ab3xY8")).not.toEqual(secret);
  });
});
