// Each account's call slots: a few at a time per account, whoever else is
// busy; a waiter is handed the next slot that frees, or gives up in time.
import { describe, expect, it } from "vitest";
import { createAccountSlots } from "./account-slots.ts";

describe("account call slots", () => {
  it("lets `limit` calls per account through, and other accounts regardless", async () => {
    const slots = createAccountSlots(2);
    const a1 = await slots.acquire("a", 0);
    const a2 = await slots.acquire("a", 0);
    expect(a1).not.toBeNull();
    expect(a2).not.toBeNull();
    expect(await slots.acquire("a", 0)).toBeNull();
    expect(await slots.acquire("b", 0)).not.toBeNull();
    expect(slots.inUse("a")).toBe(2);
    a1!();
    a1!(); // releasing twice frees one slot only
    expect(slots.inUse("a")).toBe(1);
    expect(await slots.acquire("a", 0)).not.toBeNull();
    expect(await slots.acquire("a", 0)).toBeNull();
  });

  it("hands a freed slot to the first waiter, and a waiter gives up after its wait", async () => {
    const slots = createAccountSlots(1);
    const held = (await slots.acquire("a", 0))!;
    const first = slots.acquire("a", 5_000);
    const second = slots.acquire("a", 5_000);
    const late = slots.acquire("a", 20);
    expect(await late).toBeNull();
    held();
    const firstRelease = await first;
    expect(firstRelease).not.toBeNull();
    expect(slots.inUse("a")).toBe(1);
    firstRelease!();
    const secondRelease = await second;
    expect(secondRelease).not.toBeNull();
    secondRelease!();
    expect(slots.inUse("a")).toBe(0);
  });
});
