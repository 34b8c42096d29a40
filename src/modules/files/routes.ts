import multipart from "@fastify/multipart";
import type { FastifyRequest } from "fastify";
import { principalOf } from "../../http/auth.ts";
import { ErrorResponse, errorResponses, IdParams } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { hashRequest, idempotencyKeyOf } from "../idempotency/index.ts";
import { File, UploadBody } from "./schemas.ts";
import { fileTooLarge, getFile, getFileContent, MAX_FILE_BYTES, uploadFile } from "./service.ts";

/** Files (MMS images): upload, metadata and bytes. Multipart parsing exists only here. */
export function fileRoutes(app: App, deps: RouteDeps) {
  app.register(async (scope: App) => {
    await scope.register(multipart, {
      limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 5, parts: 6 },
    });

    scope.post(
      "/v1/files",
      {
        config: { scope: "send" },
        // Read by the handler: a multipart body is streamed, not validated as JSON.
        validatorCompiler: () => () => true,
        schema: {
          tags: ["files"],
          summary: "Upload an image (JPEG, PNG or GIF, at most 5 MB)",
          consumes: ["multipart/form-data"],
          body: UploadBody,
          response: { 201: File, 413: ErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const key = idempotencyKeyOf(request.headers);
        const { name, data } = await readUpload(request);
        const result = await uploadFile(deps.db, {
          orgId: principalOf(request).orgId,
          name,
          data,
          idempotency: key
            ? {
                key,
                requestHash: hashRequest("POST /v1/files", { name, data: data.toString("base64") }),
              }
            : null,
        });
        return reply.status(result.statusCode).send(result.body);
      },
    );
  });

  app.get(
    "/v1/files/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["files"],
        summary: "A file's metadata",
        params: IdParams,
        response: { 200: File, ...errorResponses },
      },
    },
    async (request) => getFile(deps.db, request.params.id, principalOf(request).orgPath),
  );

  app.get(
    "/v1/files/:id/content",
    {
      config: { scope: "read" },
      schema: {
        tags: ["files"],
        summary: "A file's bytes",
        params: IdParams,
        produces: ["image/jpeg", "image/png", "image/gif"],
      },
    },
    async (request, reply) => {
      const file = await getFileContent(deps.db, request.params.id, principalOf(request).orgPath);
      return reply
        .type(file.mime)
        .header("cache-control", "private, max-age=86400, immutable")
        .header("x-content-type-options", "nosniff")
        .send(file.data);
    },
  );
}

/** The one `file` part of a multipart request, as bytes; one clear error for anything else. */
async function readUpload(request: FastifyRequest): Promise<{ name: string; data: Buffer }> {
  if (!request.isMultipart()) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "upload the file as multipart/form-data", {
      details: [{ path: "/", code: "INVALID_CONTENT_TYPE", message: "not multipart/form-data" }],
    });
  }
  try {
    for await (const part of request.parts()) {
      if (part.type !== "file") continue;
      if (part.fieldname !== "file") {
        await part.toBuffer();
        continue;
      }
      return { name: part.filename, data: await part.toBuffer() };
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "FST_REQ_FILE_TOO_LARGE") throw fileTooLarge();
    if (code === "FST_FILES_LIMIT" || code === "FST_PARTS_LIMIT" || code === "FST_FIELDS_LIMIT") {
      throw new AppError("VALIDATION_FAILED", "upload one file, in the field `file`", {
        details: [{ path: "/file", code: "TOO_MANY_ITEMS", message: "one file per request" }],
      });
    }
    throw err;
  }
  throw new AppError("VALIDATION_FAILED", "no file: send it in the multipart field `file`", {
    details: [{ path: "/file", code: "REQUIRED", message: "is required" }],
  });
}
