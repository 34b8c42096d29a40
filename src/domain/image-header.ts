// The format and pixel size of an uploaded image, read from its header: enough to accept or
// refuse an MMS image without an image library. Only the header is trusted, never the name.

export type ImageMime = "image/jpeg" | "image/png" | "image/gif";

export type ImageHeader =
  | { ok: true; mime: ImageMime; width: number; height: number }
  | { ok: false; reason: string };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads a JPEG, PNG or GIF header; anything else, or a truncated header, is refused. */
export function readImageHeader(data: Uint8Array): ImageHeader {
  if (startsWith(data, PNG_SIGNATURE)) return readPng(data);
  if (startsWith(data, [0x47, 0x49, 0x46, 0x38]) && (data[4] === 0x37 || data[4] === 0x39)) {
    return readGif(data);
  }
  if (data[0] === 0xff && data[1] === 0xd8) return readJpeg(data);
  return { ok: false, reason: "not a JPEG, PNG or GIF image" };
}

function readPng(data: Uint8Array): ImageHeader {
  // The first chunk is IHDR: length (4), "IHDR" (4), width (4), height (4), big-endian.
  if (data.length < 24 || ascii(data, 12, 4) !== "IHDR") {
    return { ok: false, reason: "a PNG without its IHDR header" };
  }
  return sized("image/png", uint32(data, 16), uint32(data, 20));
}

function readGif(data: Uint8Array): ImageHeader {
  // "GIF87a"/"GIF89a", then the logical screen width and height, little-endian.
  if (data.length < 10 || data[5] !== 0x61) return { ok: false, reason: "a truncated GIF header" };
  return sized(
    "image/gif",
    (data[6] ?? 0) | ((data[7] ?? 0) << 8),
    (data[8] ?? 0) | ((data[9] ?? 0) << 8),
  );
}

function readJpeg(data: Uint8Array): ImageHeader {
  // Segments after SOI: 0xFF, a marker, a 2-byte big-endian length that counts itself; the
  // size is in the first start-of-frame segment (SOF0–SOF15 but DHT C4, JPG C8, DAC CC).
  let at = 2;
  while (at + 4 <= data.length) {
    if (data[at] !== 0xff) return { ok: false, reason: "a JPEG with a broken segment" };
    const marker = data[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // no length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, start of scan
    const length = uint16(data, at + 2);
    if (length < 2) return { ok: false, reason: "a JPEG with a broken segment" };
    const isFrame =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (at + 9 > data.length) break;
      // length (2), precision (1), height (2), width (2)
      return sized("image/jpeg", uint16(data, at + 7), uint16(data, at + 5));
    }
    at += 2 + length;
  }
  return { ok: false, reason: "a JPEG without a frame header (truncated?)" };
}

function sized(mime: ImageMime, width: number, height: number): ImageHeader {
  if (width === 0 || height === 0)
    return { ok: false, reason: `an image of ${width}×${height} pixels` };
  return { ok: true, mime, width, height };
}

function startsWith(data: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => data[i] === byte);
}

function ascii(data: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...data.subarray(at, at + length));
}

function uint16(data: Uint8Array, at: number): number {
  return ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
}

function uint32(data: Uint8Array, at: number): number {
  return (
    (((data[at] ?? 0) << 24) >>> 0) +
    (((data[at + 1] ?? 0) << 16) | ((data[at + 2] ?? 0) << 8) | (data[at + 3] ?? 0))
  );
}
