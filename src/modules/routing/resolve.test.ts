import { describe, expect, it } from "vitest";
import { channelOf, resolveRouting } from "./resolve.ts";

describe("resolveRouting", () => {
  const row = (
    orgId: string,
    depth: number,
    channel: "alimtalk" | "sms",
    primary: string,
    secondary: string | null = null,
  ) => ({
    orgId,
    depth,
    channel,
    primaryAccountId: primary,
    secondaryAccountId: secondary,
  });

  it("takes the nearest choice per channel, and the platform default without any", () => {
    const routing = resolveRouting({
      orgId: "org_branch",
      chain: [
        row("org_branch", 3, "sms", "vac_b"),
        row("org_hq", 1, "sms", "vac_hq_sms"),
        row("org_hq", 1, "alimtalk", "vac_hq_at", "vac_hq_at2"),
      ],
      platformDefaultAccountId: "vac_sandbox",
    });
    expect(routing).toEqual({
      alimtalk: {
        primaryAccountId: "vac_hq_at",
        secondaryAccountId: "vac_hq_at2",
        source: { kind: "inherited", fromOrgId: "org_hq" },
      },
      sms: { primaryAccountId: "vac_b", secondaryAccountId: null, source: { kind: "own" } },
    });
    expect(
      resolveRouting({ orgId: "org_x", chain: [], platformDefaultAccountId: "vac_sandbox" }).sms,
    ).toEqual({
      primaryAccountId: "vac_sandbox",
      secondaryAccountId: null,
      source: { kind: "platform-default" },
    });
  });

  it("routes a channel nobody chose nowhere when the platform has no default (sandbox off)", () => {
    const routing = resolveRouting({
      orgId: "org_x",
      chain: [row("org_x", 1, "sms", "vac_own")],
      platformDefaultAccountId: null,
    });
    expect(routing.alimtalk).toEqual({
      primaryAccountId: null,
      secondaryAccountId: null,
      source: { kind: "platform-default" },
    });
    expect(routing.sms.primaryAccountId).toBe("vac_own");
  });

  it("sends LMS and MMS the SMS way", () => {
    expect(["alimtalk", "sms", "lms", "mms"].map(channelOf)).toEqual([
      "alimtalk",
      "sms",
      "sms",
      "sms",
    ]);
  });
});
