import { describe, expect, it } from "vitest";
import {
  channelOf,
  fallbackIdOf,
  nationalNumberOf,
  parseVendorMessageId,
  typeOfChannel,
  vendorMessageIdOf,
} from "./ids.ts";

describe("nationalNumberOf", () => {
  it.each([
    ["+821012345678", "01012345678"],
    ["+82212345678", "0212345678"],
    ["+8201012345678", "01012345678"],
    ["+14155550100", null],
    ["+8210", null],
    ["01012345678", null],
    ["+82 10 1234 5678", null],
  ])("%s → %s", (e164, national) => {
    expect(nationalNumberOf(e164)).toBe(national);
  });
});

describe("vendor message ids", () => {
  it("round-trips channel, mid and receiver", () => {
    const id = vendorMessageIdOf({ channel: "lms", mid: "583009869", receiver: "01012345678" });
    expect(id).toBe("lms:583009869:01012345678");
    expect(parseVendorMessageId(id)).toEqual({
      channel: "lms",
      mid: "583009869",
      receiver: "01012345678",
      fallback: false,
    });
  });

  it("parses the id of an Alimtalk's fallback", () => {
    expect(parseVendorMessageId("at:336962435:01012345678:fallback")).toEqual({
      channel: "at",
      mid: "336962435",
      receiver: "01012345678",
      fallback: true,
    });
  });

  it.each([
    "sms:583009869:01012345678:fallback",
    "kakao:1:01012345678",
    "sms::01012345678",
    "sms:12:+821012345678",
    "sbx_123",
  ])("does not parse %s", (id) => {
    expect(parseVendorMessageId(id)).toBeNull();
  });

  it("names the fallback after the Alimtalk and maps types to channels", () => {
    expect(fallbackIdOf("at:1:01012345678")).toBe("at:1:01012345678:fallback");
    expect(channelOf("alimtalk")).toBe("at");
    expect(channelOf("mms")).toBe("mms");
    expect(typeOfChannel("at")).toBe("alimtalk");
    expect(typeOfChannel("sms")).toBe("sms");
  });
});
