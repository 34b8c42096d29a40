import { describe, expect, it } from "vitest";
import { jpegBytes, pngBytes } from "../../test/images.ts";
import { type ImageHeader, readImageHeader } from "./image-header.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

// The first bytes of real files (a 32×32 PNG favicon, a 1×1 GIF89a) and a 1×1 JPEG laid out
// as encoders write it: JFIF, a quantization table, the frame, a Huffman table, the scan.
const REAL_PNG = hex("89504e470d0a1a0a0000000d4948445200000020000000200804000000d973b2");
const REAL_GIF = hex(
  "47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b",
);
const REAL_JPEG = hex(
  `ffd8 ffe0 0010 4a46494600 0101 01 0048 0048 0000
   ffdb 0043 00 ${"01".repeat(64)}
   ffc0 000b 08 0001 0001 01 011100
   ffc4 0014 00 01${"00".repeat(15)} 03
   ffda 0008 01 0100 00 3f 00 37 ffd9`,
);

describe("readImageHeader", () => {
  it.each<[string, Uint8Array, ImageHeader]>([
    ["a real PNG", REAL_PNG, { ok: true, mime: "image/png", width: 32, height: 32 }],
    ["a real GIF", REAL_GIF, { ok: true, mime: "image/gif", width: 1, height: 1 }],
    ["a real JPEG", REAL_JPEG, { ok: true, mime: "image/jpeg", width: 1, height: 1 }],
    [
      "a wide PNG (width > 65,535)",
      pngBytes({ width: 70_000, height: 3 }),
      { ok: true, mime: "image/png", width: 70_000, height: 3 },
    ],
    [
      "a JPEG whose frame comes after a large comment",
      jpegBytes({ width: 800, height: 600, size: 200_000 }),
      { ok: true, mime: "image/jpeg", width: 800, height: 600 },
    ],
    [
      "a progressive JPEG (SOF2)",
      hex("ffd8 ffc2 0011 08 0258 0320 03 012200 021101 031101 ffd9"),
      { ok: true, mime: "image/jpeg", width: 800, height: 600 },
    ],
    [
      "a JPEG with fill bytes and a restart marker before the frame",
      hex("ffd8 ffff ffd0 ffc0 000b 08 0010 0020 01 011100 ffd9"),
      { ok: true, mime: "image/jpeg", width: 32, height: 16 },
    ],
    [
      "a JPEG's Huffman table (C4) is not a frame",
      hex("ffd8 ffc4 0004 0000 ffc0 000b 08 0002 0003 01 011100 ffd9"),
      { ok: true, mime: "image/jpeg", width: 3, height: 2 },
    ],
    [
      "a GIF87a",
      hex("474946383761 4001 f000 00"),
      { ok: true, mime: "image/gif", width: 320, height: 240 },
    ],
    ["text", Buffer.from("hello, world"), { ok: false, reason: "not a JPEG, PNG or GIF image" }],
    ["nothing", new Uint8Array(), { ok: false, reason: "not a JPEG, PNG or GIF image" }],
    [
      "a WebP",
      hex("52494646 24000000 57454250"),
      { ok: false, reason: "not a JPEG, PNG or GIF image" },
    ],
    [
      "a PNG cut short",
      REAL_PNG.subarray(0, 20),
      { ok: false, reason: "a PNG without its IHDR header" },
    ],
    ["a GIF cut short", REAL_GIF.subarray(0, 8), { ok: false, reason: "a truncated GIF header" }],
    [
      "a JPEG without a frame before its scan",
      hex("ffd8 ffe0 0004 0000 ffda 0008"),
      { ok: false, reason: "a JPEG without a frame header (truncated?)" },
    ],
    [
      "a JPEG cut inside its frame header",
      hex("ffd8 ffc0 000b 08 00"),
      { ok: false, reason: "a JPEG without a frame header (truncated?)" },
    ],
    [
      "a JPEG with garbage between segments",
      hex("ffd8 ffe0 0004 0000 1234 ffc0"),
      { ok: false, reason: "a JPEG with a broken segment" },
    ],
    [
      "a JPEG of zero pixels",
      hex("ffd8 ffc0 000b 08 0000 0020 01 011100"),
      { ok: false, reason: "an image of 32×0 pixels" },
    ],
  ])("%s", (_, data, expected) => {
    expect(readImageHeader(data)).toEqual(expected);
  });
});
