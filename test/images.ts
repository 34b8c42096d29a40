// Image bytes for tests: headers that real encoders write, padded to a chosen size.

/**
 * A baseline JPEG: SOI, a JFIF APP0, an optional comment segment that pads the file to
 * `size` bytes, SOF0 with the pixel size, EOI.
 */
export function jpegBytes(options: { width: number; height: number; size?: number }): Buffer {
  const soi = [0xff, 0xd8];
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const { width, height } = options;
  const sof0 = [
    0xff,
    0xc0,
    0x00,
    0x0b,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    1,
    1,
    0x11,
    0,
  ];
  const eoi = [0xff, 0xd9];
  const fixed = soi.length + app0.length + sof0.length + eoi.length;
  const parts = [Buffer.from(soi), Buffer.from(app0)];
  let padding = (options.size ?? fixed) - fixed;
  // Comment segments of at most 65,535 bytes each (4 bytes of marker and length included).
  while (padding > 0) {
    const length = Math.min(padding, 65_535 + 2) - 2;
    const body = Math.max(length, 2);
    parts.push(Buffer.from([0xff, 0xfe, body >> 8, body & 0xff]), Buffer.alloc(body - 2, 0x20));
    padding -= body + 2;
  }
  parts.push(Buffer.from(sof0), Buffer.from(eoi));
  return Buffer.concat(parts);
}

/** A PNG signature and IHDR chunk, as a 32×32 favicon starts. */
export function pngBytes(options: { width: number; height: number }): Buffer {
  const ihdr = Buffer.alloc(8);
  ihdr.writeUInt32BE(options.width, 0);
  ihdr.writeUInt32BE(options.height, 4);
  return Buffer.concat([
    Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"),
    ihdr,
    Buffer.from("0804000000d973b2", "hex"),
  ]);
}
