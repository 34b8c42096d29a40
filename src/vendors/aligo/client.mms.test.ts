// MMS through Aligo: `/send/` as multipart with the images as `image1`..`image3`
// file parts (Aligo keeps no upload to reuse); the fake refuses an MMS
// without an image or with a file that is no image. And Aligo's native
// fallback: failover=Y carries fsubject_N with every fmessage_N.
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeAligo,
  startFakeServer,
} from "../../../test/support/vendors/aligo/fake-server.ts";
import {
  API_KEY,
  aligoAccount,
  national,
  outbound,
  USER_ID,
} from "../../../test/support/vendors/aligo/testing.ts";
import { testImage } from "../../../test/support/vendors/images.ts";
import { createAligoAdapter } from "./client.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(): Promise<FakeAligo> {
  const server = await startFakeServer();
  cleanups.push(server.close);
  return server;
}

describe("MMS through /send/ (multipart)", () => {
  it("sends the images as image1..image3 file parts with the text, title and MMS type", async () => {
    const server = await fake();
    const images = [testImage(), testImage({ bytes: 9_000 }), testImage({ bytes: 300 })];
    const [outcome] = await createAligoAdapter().send(aligoAccount(server.url), [
      outbound(1, "mms", { subject: "신상품", images }),
    ]);
    expect(outcome).toMatchObject({ outcome: "accepted" });
    const [request] = server.received("/send/");
    expect(request!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(request!.form).toMatchObject({
      key: API_KEY,
      user_id: USER_ID,
      receiver: national(1),
      msg_type: "MMS",
      title: "신상품",
    });
    expect(Object.keys(request!.files)).toEqual(["image1", "image2", "image3"]);
    images.forEach((image, i) => {
      const part = request!.files[`image${i + 1}`]!;
      expect(part.data.equals(image.data)).toBe(true);
      expect([part.name, part.type]).toEqual([image.name, "image/jpeg"]);
    });
    expect(server.received("/send_mass/")).toHaveLength(0);
  });

  it("one request for receivers of the same text and images; another for other images", async () => {
    const server = await fake();
    const image = testImage();
    const same = { text: "같은 안내", images: [image] };
    const outcomes = await createAligoAdapter().send(aligoAccount(server.url), [
      outbound(1, "mms", same),
      outbound(2, "mms", same),
      outbound(3, "mms", { ...same, images: [testImage()] }),
    ]);
    expect(server.received("/send/").map((r) => r.form.receiver)).toEqual([
      `${national(1)},${national(2)}`,
      national(3),
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(["accepted", "accepted", "accepted"]);
  });

  it("an MMS without images, or with more than 3, is refused before Aligo", async () => {
    const server = await fake();
    const [none, many] = await createAligoAdapter().send(aligoAccount(server.url), [
      outbound(1, "mms", { images: [] }),
      outbound(2, "mms", { images: [1, 2, 3, 4].map(() => testImage()) }),
    ]);
    expect(none).toMatchObject({ outcome: "rejected", error: { rawCode: "images.missing" } });
    expect(many).toMatchObject({ outcome: "rejected", error: { rawCode: "images.count" } });
    expect(server.requests).toHaveLength(0);
  });

  it("the fake refuses an MMS whose image is missing or no image", async () => {
    const server = await fake();
    const post = async (file: Blob | null) => {
      const form = new FormData();
      for (const [k, v] of Object.entries({
        key: API_KEY,
        user_id: USER_ID,
        sender: "0212345678",
        receiver: national(1),
        msg: "안내",
        msg_type: "MMS",
      })) {
        form.set(k, v);
      }
      if (file !== null) form.set("image1", file, "a.jpg");
      const response = await fetch(`${server.url}/send/`, { method: "POST", body: form });
      return (await response.json()) as { result_code: string };
    };
    expect((await post(null)).result_code).toBe("-102");
    expect((await post(new Blob(["not an image"]))).result_code).toBe("-102");
    expect((await post(new Blob([testImage().data]))).result_code).toBe("1");
  });
});

describe("Alimtalk with Aligo's fallback (failover=Y)", () => {
  it("every fmessage_N has its fsubject_N, and the fake refuses a request without one", async () => {
    const server = await fake();
    const [outcome] = await createAligoAdapter().send(
      aligoAccount(server.url, { nativeFallback: true }),
      [
        outbound(1, "alimtalk", {
          from: "0212345678",
          nativeFallback: { type: "sms", text: "짧은 대체", subject: null },
        }),
      ],
    );
    expect(outcome?.outcome).toBe("accepted");
    const [request] = server.received("/akv10/alimtalk/send/");
    expect(request!.form.fsubject_1).toBeTruthy();
    const { fsubject_1: _, ...without } = request!.form;
    const response = await fetch(`${server.url}/akv10/alimtalk/send/`, {
      method: "POST",
      body: new URLSearchParams(without),
    });
    expect(((await response.json()) as { code: number }).code).toBe(-99);
  });
});
