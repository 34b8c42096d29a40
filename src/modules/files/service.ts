import type { Db } from "../../db/client.ts";
import { readImageHeader } from "../../domain/image-header.ts";
import { formatLocalTime } from "../../domain/iso-time.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { type CreatedResponse, type Idempotency, runIdempotent } from "../idempotency/index.ts";
import {
  type FileRow,
  findFileContentInSubtree,
  findFileInSubtree,
  insertFile,
} from "./queries.ts";

/** The largest upload; an MMS image must also be a JPEG of at most 300 KB (checked at send). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface FileView {
  id: string;
  name: string;
  mime: FileRow["mime"];
  size: number;
  width: number;
  height: number;
  createdAt: string;
  createdAtLocal: string;
}

export function fileView(f: FileRow): FileView {
  return {
    id: f.id,
    name: f.name,
    mime: f.mime,
    size: f.size,
    width: f.width,
    height: f.height,
    createdAt: f.createdAt.toISOString(),
    createdAtLocal: formatLocalTime(f.createdAt, f.timezone),
  };
}

/** Stores an image after reading its format and size from its own header (never its name). */
export async function uploadFile(
  db: Db,
  options: { orgId: string; name: string; data: Buffer; idempotency: Idempotency | null },
): Promise<CreatedResponse<FileView>> {
  const { orgId, data } = options;
  if (data.length === 0) {
    throw new AppError("VALIDATION_FAILED", "the file is empty", {
      details: [{ path: "/file", code: "FILE_REQUIRED", message: "the file is empty" }],
    });
  }
  if (data.length > MAX_FILE_BYTES) throw fileTooLarge();
  const header = readImageHeader(data);
  if (!header.ok) {
    throw new AppError("VALIDATION_FAILED", `the file is ${header.reason}`, {
      details: [
        {
          path: "/file",
          code: "UNSUPPORTED_FILE",
          message: `${header.reason}; upload a JPEG, PNG or GIF image`,
        },
      ],
    });
  }
  const name = options.name.trim().slice(0, 200) || "image";
  return runIdempotent(db, { orgId, idempotency: options.idempotency }, async (q) => {
    const row = await insertFile(q, {
      id: newId("fil"),
      orgId,
      name,
      mime: header.mime,
      width: header.width,
      height: header.height,
      data,
    });
    return { statusCode: 201, body: fileView(row) };
  });
}

export function fileTooLarge(): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `a file may have at most ${MAX_FILE_BYTES} bytes (5 MB)`,
    {
      details: [{ path: "/file", code: "FILE_TOO_LARGE", message: "at most 5 MB" }],
    },
  );
}

export async function getFile(db: Db, id: string, scopePath: string): Promise<FileView> {
  const file = await findFileInSubtree(db, id, scopePath);
  if (!file) throw new AppError("NOT_FOUND", "file not found");
  return fileView(file);
}

export async function getFileContent(db: Db, id: string, scopePath: string) {
  const file = await findFileContentInSubtree(db, id, scopePath);
  if (!file) throw new AppError("NOT_FOUND", "file not found");
  return file;
}
