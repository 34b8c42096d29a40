import Type from "typebox";
import { AppError } from "../lib/errors.ts";

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const Page = <T extends Type.TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** Cursors are opaque to clients: the last key of the page, base64url-encoded. */
export function decodeCursor(cursor: string | undefined): string | null {
  if (!cursor) return null;
  const key = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[\w-]{1,100}$/.test(key)) {
    throw new AppError("VALIDATION_FAILED", "the cursor is not valid", {
      details: [{ path: "/querystring/cursor", code: "INVALID_VALUE", message: "not a cursor" }],
    });
  }
  return key;
}

/** Builds a page from `limit + 1` fetched rows: the extra row only tells that there is more. */
export function toPage<R, V>(
  rows: R[],
  limit: number,
  keyOf: (row: R) => string,
  view: (row: R) => V,
): { data: V[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    data: page.map(view),
    nextCursor: more && last ? Buffer.from(keyOf(last)).toString("base64url") : null,
  };
}
