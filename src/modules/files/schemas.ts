import Type from "typebox";
import { FILE_MIMES } from "../../domain/vocabulary.ts";
import { IsoTime } from "../../http/schemas.ts";

export const File = Type.Object({
  id: Type.String({ examples: ["fil_01JD…"] }),
  name: Type.String(),
  mime: Type.Enum([...FILE_MIMES]),
  size: Type.Integer({ description: "bytes" }),
  width: Type.Integer({ description: "pixels" }),
  height: Type.Integer({ description: "pixels" }),
  createdAt: IsoTime,
  createdAtLocal: Type.String({
    description: "createdAt in the organization's time zone, with its offset",
    examples: ["2026-12-01T21:05:00+09:00"],
  }),
});

/** For the documentation only: multipart bodies are read by the handler, not validated. */
export const UploadBody = Type.Object({
  file: Type.String({
    format: "binary",
    description: "JPEG, PNG or GIF, at most 5 MB (MMS images: JPEG, at most 300 KB)",
  }),
});
