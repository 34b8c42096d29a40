import { describe, expect, it } from "vitest";
import {
  type Captured,
  loadChain,
  marginsOf,
  markUp,
  parseMarkupPercent,
  platformShare,
  priceChain,
  storeChain,
} from "./pricing.ts";

const c = (credits: string) => BigInt(Math.round(Number(credits) * 1_000_000));

const plan = {
  platform: { alimtalk: c("8"), sms: c("15"), lms: c("45"), mms: c("120") },
  own: { alimtalk: c("2"), sms: c("3"), lms: c("5"), mms: c("10") },
  bot: c("10"),
};

describe("parseMarkupPercent", () => {
  it.each([
    [0, 0],
    ["0", 0],
    [12.5, 1250],
    ["12.50", 1250],
    ["0.01", 1],
    [1000, 100_000],
    ["999.99", 99_999],
  ])("%s is %i basis points", (input, bp) => {
    expect(parseMarkupPercent(input)).toEqual({ ok: true, bp });
  });

  it.each([-1, "1000.01", 1001, "12.345", 0.1 + 0.2, "abc", "", "1e2", " 5"])(
    "refuses %s",
    (input) => {
      expect(parseMarkupPercent(input).ok).toBe(false);
    },
  );
});

describe("markUp", () => {
  it.each([
    ["15", 0, "15"],
    ["15", 1000, "16.5"],
    ["8", 1250, "9"],
    // 8.88 × 1.125 = 9.99 exactly
    ["8.88", 1250, "9.99"],
    // 0.01 × 1.5 = 0.015: half rounds up
    ["0.01", 5000, "0.02"],
    // 0.01 × 1.49 = 0.0149: rounds down
    ["0.01", 4900, "0.01"],
    ["45", 100_000, "495"],
    // a plan price with more decimals than a hundredth is rounded too
    ["7.123456", 0, "7.12"],
  ])("%s credits marked up %i bp is %s", (price, bp, expected) => {
    expect(markUp(c(price), bp)).toBe(c(expected));
  });
});

describe("priceChain and marginsOf", () => {
  // headquarters (plan) › distributor +10 % › agency +5 % › branch +20 %
  const chain = priceChain({ orgId: "hq", plan }, [
    { orgId: "dist", markupBp: 1000 },
    { orgId: "agency", markupBp: 500 },
    { orgId: "branch", markupBp: 2000 },
  ]);

  it("compounds the markups down the chain, rounding at each level", () => {
    expect(chain.map((l) => l.orgId)).toEqual(["branch", "agency", "dist", "hq"]);
    // sms: 15 → 16.50 → 17.325 → 17.33 → 20.796 → 20.80
    expect(chain.map((l) => l.platform.sms)).toEqual([c("20.8"), c("17.33"), c("16.5"), c("15")]);
    // alimtalk: 8 → 8.80 → 9.24 → 11.088 → 11.09
    expect(chain[0]!.platform.alimtalk).toBe(c("11.09"));
    // own sms: 3 → 3.30 → 3.465 → 3.47 → 4.164 → 4.16
    expect(chain[0]!.own.sms).toBe(c("4.16"));
  });

  it("books each ancestor the difference between its child's price and its own", () => {
    const captured: Captured[] = [
      { type: "sms", own: false, count: 3 },
      { type: "alimtalk", own: false, count: 2 },
    ];
    const margins = marginsOf(chain, captured);
    expect(margins.map((m) => [m.orgId, m.childId, m.messages])).toEqual([
      ["agency", "branch", 5],
      ["dist", "agency", 5],
      ["hq", "dist", 5],
    ]);
    const paid = 3n * chain[0]!.platform.sms + 2n * chain[0]!.platform.alimtalk;
    expect(margins[0]!.charged).toBe(paid);
    // What the sender paid is the platform's share plus every margin above it.
    const booked = margins.reduce((s, m) => s + m.margin, 0n);
    expect(platformShare(chain, captured) + booked).toBe(paid);
    expect(platformShare(chain, captured)).toBe(3n * c("15") + 2n * c("8"));
    expect(margins[2]!.margin).toBe(3n * c("1.5") + 2n * c("0.8"));
  });

  it("has no margins for an organization priced by its own plan", () => {
    const alone = priceChain({ orgId: "hq", plan }, []);
    expect(marginsOf(alone, [{ type: "sms", own: false, count: 9 }])).toEqual([]);
    expect(platformShare(alone, [{ type: "lms", own: true, count: 2 }])).toBe(2n * c("5"));
  });

  it("survives being stored as JSON", () => {
    const stored = JSON.parse(JSON.stringify(storeChain(chain)));
    expect(loadChain(stored)).toEqual(chain);
  });
});
