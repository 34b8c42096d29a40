// MMS images for vendor tests and the fake servers' checks of them: a small
// valid-looking JPEG of a chosen size, and the format of a file by its magic
// number (what a vendor looks at before it believes a file's name).
import type { OutboundImage } from "../../../src/vendors/vendor.ts";

/** JPEG, PNG or GIF by their magic numbers; null for anything else. */
export function imageFormatOf(data: Buffer): "jpeg" | "png" | "gif" | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "jpeg";
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return "png";
  }
  if (data.subarray(0, 4).toString("latin1") === "GIF8") return "gif";
  return null;
}

/** `bytes` bytes starting with a JPEG SOI/APP0 header and ending with EOI. */
export function jpegBytes(bytes = 2_048, fill = 0x11): Buffer {
  const data = Buffer.alloc(bytes, fill);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]).copy(data, 0);
  data[bytes - 2] = 0xff;
  data[bytes - 1] = 0xd9;
  return data;
}

/** A PNG header: a file a vendor that takes JPEG only must refuse. */
export const PNG_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 0),
]);

let counter = 0;

/** An image as dispatch hands it to an adapter; a fresh file id unless given. */
export function testImage(
  options: { fileId?: string; bytes?: number; data?: Buffer } = {},
): OutboundImage {
  counter += 1;
  return {
    fileId: options.fileId ?? `fil_test${Date.now().toString(36)}${counter}`,
    name: `image-${counter}.jpg`,
    mime: "image/jpeg",
    data: options.data ?? jpegBytes(options.bytes),
  };
}
