import { describe, expect, it } from "vitest";
import { type AudienceContact, type AudienceRules, resolveAudience } from "./audience.ts";

const contact = (phone: string, more: Partial<AudienceContact> = {}): AudienceContact => ({
  phone,
  name: null,
  attributes: {},
  adConsent: false,
  nightConsent: false,
  ...more,
});

const DAY: AudienceRules = {
  advertising: false,
  consentConfirmed: false,
  nightPolicy: "defer",
  sendsAt: new Date("2026-12-02T14:00:00+09:00"),
  timeZone: "Asia/Seoul",
};
const NIGHT = { ...DAY, advertising: true, sendsAt: new Date("2026-12-02T22:00:00+09:00") };

describe("resolveAudience", () => {
  it("merges group members after the request's recipients, once per number, the request's winning", () => {
    const a = resolveAudience({
      recipients: [{ to: "010-1000-0001", variables: { name: "직접" } }, { to: "not a number" }],
      phones: ["+821010000001", null],
      members: [
        contact("+821010000001", { name: "김민지", attributes: { 매장: "강남" } }),
        contact("+821010000002", { name: "이서준", attributes: { points: 10, vip: true } }),
      ],
      contacts: new Map([
        [
          "+821010000001",
          contact("+821010000001", { name: "김민지", attributes: { 매장: "강남" } }),
        ],
      ]),
      optOuts: new Map(),
      rules: DAY,
    });
    expect(a.recipients).toEqual([
      { to: "010-1000-0001", name: "김민지", variables: { 매장: "강남", name: "직접" } },
      { to: "not a number" },
      {
        to: "+821010000002",
        name: "이서준",
        variables: { points: "10", vip: "true", name: "이서준" },
      },
    ]);
    expect(a.origin).toEqual([0, 1, 2]);
    expect(a.rejected).toEqual([]);
  });

  it("refuses opted-out numbers: everything with scope all, advertising with scope advertising", () => {
    const input = {
      recipients: [{ to: "a" }, { to: "b" }],
      phones: ["+821010000001", "+821010000002"],
      members: [],
      contacts: new Map(),
      optOuts: new Map([
        ["+821010000001", "all" as const],
        ["+821010000002", "advertising" as const],
      ]),
    };
    expect(
      resolveAudience({ ...input, rules: DAY }).rejected.map((r) => [r.index, r.code]),
    ).toEqual([[0, "OPTED_OUT"]]);
    const ad = resolveAudience({
      ...input,
      rules: { ...DAY, advertising: true, consentConfirmed: true },
    });
    expect(ad.rejected.map((r) => [r.index, r.code])).toEqual([
      [0, "OPTED_OUT"],
      [1, "OPTED_OUT"],
    ]);
  });

  it("sends advertising to contacts with consent, and to other numbers only when confirmed", () => {
    const input = {
      recipients: [{ to: "a" }, { to: "raw" }],
      phones: ["+821010000001", "+821010000009"],
      members: [contact("+821010000002", { adConsent: true })],
      contacts: new Map([["+821010000001", contact("+821010000001")]]),
      optOuts: new Map(),
    };
    const ad = { ...DAY, advertising: true };
    expect(resolveAudience({ ...input, rules: ad }).rejected.map((r) => [r.index, r.code])).toEqual(
      [
        [0, "NO_AD_CONSENT"],
        [1, "NO_AD_CONSENT"],
      ],
    );
    const confirmed = resolveAudience({ ...input, rules: { ...ad, consentConfirmed: true } });
    expect(confirmed.origin).toEqual([1, 2]);
  });

  it("at night defers advertising to those without night consent until 08:00, or refuses it", () => {
    const input = {
      recipients: [],
      phones: [],
      members: [
        contact("+821010000001", { adConsent: true }),
        contact("+821010000002", { adConsent: true, nightConsent: true }),
      ],
      contacts: new Map(),
      optOuts: new Map(),
    };
    const deferred = resolveAudience({ ...input, rules: NIGHT });
    expect(deferred.recipients.map((r) => r.to)).toEqual(["+821010000001", "+821010000002"]);
    expect([...deferred.deferred.indexes]).toEqual([0]);
    expect(deferred.deferred.until?.toISOString()).toBe("2026-12-02T23:00:00.000Z");
    const rejected = resolveAudience({ ...input, rules: { ...NIGHT, nightPolicy: "reject" } });
    expect(rejected.rejected.map((r) => [r.index, r.code])).toEqual([[0, "NIGHT_TIME_AD"]]);
    // Not advertising: the night does not matter.
    expect(
      resolveAudience({ ...input, rules: { ...NIGHT, advertising: false } }).deferred.until,
    ).toBeNull();
  });
});
