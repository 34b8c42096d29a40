// Links a bot gateway can fetch a post's image from without credentials:
// `{publicUrl}/f/{fileId}?sig={token}`, where the token is the file's id, its
// organization and an expiry sealed with the SecretBox (AES-256-GCM), so it
// can be neither forged nor changed to name another file, and every process
// with the same key serves it. An hour is long enough for a gateway to fetch
// an image it was just told about; an expired or altered token is a 404.
import type { SecretBox } from "../../lib/secret-box.ts";

export const FILE_LINK_TTL_MS = 60 * 60 * 1000;

interface Sealed {
  f: string;
  o: string;
  /** Expiry, Unix seconds. */
  e: number;
}

export function fileLinkToken(
  box: SecretBox,
  file: { fileId: string; orgId: string },
  now: Date,
): string {
  const sealed: Sealed = {
    f: file.fileId,
    o: file.orgId,
    e: Math.floor((now.getTime() + FILE_LINK_TTL_MS) / 1000),
  };
  return box.seal(JSON.stringify(sealed));
}

/** The file a token names, if it is genuine and not expired. */
export function openFileLink(
  box: SecretBox,
  token: string,
  now: Date,
): { fileId: string; orgId: string } | null {
  let sealed: Sealed;
  try {
    sealed = JSON.parse(box.open(token)) as Sealed;
  } catch {
    return null;
  }
  if (typeof sealed.f !== "string" || typeof sealed.o !== "string") return null;
  if (!(sealed.e * 1000 > now.getTime())) return null;
  return { fileId: sealed.f, orgId: sealed.o };
}
