// Imports of contacts from Excel and CSV files: upload (multipart), the
// import and its rows while it is parsed and once it is staged, commit and
// discard. The work is the workers'; these answer at once.
import multipart from "@fastify/multipart";
import type { FastifyRequest } from "fastify";
import Type from "typebox";
import type { Db } from "../../db/client.ts";
import { IMPORT_ROW_STATUSES } from "../../domain/import-rows.ts";
import { auditActor, principalOf } from "../../http/auth.ts";
import { decodeCursor, Page, toPage } from "../../http/pagination.ts";
import { ErrorResponse, errorResponses, IdParams } from "../../http/schemas.ts";
import type { App } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import { idempotencyKeyOf } from "../idempotency/index.ts";
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from "./file.ts";
import { findImport, listImportRows, listImports } from "./queries.ts";
import { discardImport, getImport, requestCommit, uploadImport } from "./service.ts";
import { Import, ImportRowView, ImportSummary, importRowView, importSummaryView } from "./view.ts";

export interface ImportRouteDeps {
  db: Db;
  now: () => Date;
  /** Called after an import is stored or handed on for commit: the workers have work. */
  onQueued: () => void;
  limits?: ImportLimits;
}

/** For the documentation only: multipart bodies are read by the handler, not validated. */
const UploadBody = Type.Object({
  file: Type.String({
    format: "binary",
    description: "an .xlsx workbook or a CSV (UTF-8, with or without BOM, or CP949), at most 20 MB",
  }),
  groupId: Type.Optional(
    Type.String({ description: "the group the contacts join (default: 미지정)" }),
  ),
  mapping: Type.Optional(
    Type.String({
      description:
        'JSON naming the columns by header: {"phone": "휴대폰", "name": "이름", "attributes": {"shop": "매장"}}; without it the header row is recognised, and with attributes only those are read',
    }),
  ),
});

const FIELDS = new Set(["groupId", "mapping"]);

function tooLarge(limits: ImportLimits): AppError {
  const mb = Math.round(limits.maxFileBytes / (1024 * 1024));
  return new AppError("PAYLOAD_TOO_LARGE", `an import file may have at most ${mb} MB`, {
    details: [{ path: "/file", code: "FILE_TOO_LARGE", message: `at most ${mb} MB` }],
  });
}

/** The multipart upload: the one `file` part as bytes, and the text fields. */
async function readUpload(
  request: FastifyRequest,
  limits: ImportLimits,
): Promise<{ name: string; data: Buffer; fields: Record<string, string> }> {
  if (!request.isMultipart()) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "upload the file as multipart/form-data", {
      details: [{ path: "/", code: "INVALID_CONTENT_TYPE", message: "not multipart/form-data" }],
    });
  }
  const fields: Record<string, string> = {};
  let file: { name: string; data: Buffer } | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === "file") {
        if (part.fieldname !== "file" || file) {
          await part.toBuffer();
          throw new AppError("VALIDATION_FAILED", "upload one file, in the field `file`", {
            details: [
              { path: `/${part.fieldname}`, code: "UNKNOWN_FIELD", message: "one file, as `file`" },
            ],
          });
        }
        file = { name: part.filename, data: await part.toBuffer() };
      } else {
        if (!FIELDS.has(part.fieldname)) {
          throw new AppError("VALIDATION_FAILED", `unknown field ${part.fieldname}`, {
            details: [
              { path: `/${part.fieldname}`, code: "UNKNOWN_FIELD", message: "unknown field" },
            ],
          });
        }
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "FST_REQ_FILE_TOO_LARGE") throw tooLarge(limits);
    if (code === "FST_FILES_LIMIT" || code === "FST_PARTS_LIMIT" || code === "FST_FIELDS_LIMIT") {
      throw new AppError("VALIDATION_FAILED", "upload one file, in the field `file`", {
        details: [{ path: "/file", code: "TOO_MANY_ITEMS", message: "one file per request" }],
      });
    }
    if (code === "FST_PROTO_VIOLATION" || code === "FST_INVALID_MULTIPART_CONTENT_TYPE") {
      throw new AppError("VALIDATION_FAILED", "the multipart body is not valid", {
        details: [{ path: "/", code: "INVALID_MULTIPART", message: (err as Error).message }],
      });
    }
    throw err;
  }
  if (!file) {
    throw new AppError("VALIDATION_FAILED", "no file: send it in the multipart field `file`", {
      details: [{ path: "/file", code: "REQUIRED", message: "is required" }],
    });
  }
  return { ...file, fields };
}

export function importRoutes(app: App, deps: ImportRouteDeps) {
  const { db } = deps;
  const limits = deps.limits ?? DEFAULT_IMPORT_LIMITS;

  app.register(async (scope: App) => {
    await scope.register(multipart, {
      limits: {
        fileSize: limits.maxFileBytes,
        files: 1,
        fields: FIELDS.size,
        parts: FIELDS.size + 1,
        fieldSize: 64 * 1024,
      },
    });

    scope.post(
      "/v1/imports",
      {
        config: { scope: "send" },
        // Read by the handler: a multipart body is streamed, not validated as JSON.
        validatorCompiler: () => () => true,
        schema: {
          tags: ["imports"],
          summary: "Upload contacts from an .xlsx or CSV file, to be checked and then committed",
          description:
            "The file's type is told by its content. Its first non-blank row is the header; the import is then parsed in the background: poll GET /v1/imports/{id}.",
          consumes: ["multipart/form-data"],
          body: UploadBody,
          response: { 202: Import, 413: ErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const key = idempotencyKeyOf(request.headers);
        const upload = await readUpload(request, limits);
        const result = await uploadImport(db, {
          orgId: principalOf(request).orgId,
          fileName: upload.name,
          data: upload.data,
          groupId: upload.fields.groupId?.trim() || null,
          mapping: upload.fields.mapping ?? null,
          idempotencyKey: key,
          limits,
          now: deps.now(),
        });
        deps.onQueued();
        return reply.status(result.statusCode).send(result.body);
      },
    );
  });

  app.get(
    "/v1/imports",
    {
      config: { scope: "read" },
      schema: {
        tags: ["imports"],
        summary: "The organization's imports, newest first",
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ImportSummary), ...errorResponses },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await listImports(db, {
        orgId: principalOf(request).orgId,
        before: decodeCursor(request.query.cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (i) => i.id, importSummaryView);
    },
  );

  app.get(
    "/v1/imports/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["imports"],
        summary: "An import: its status, progress, row counts and first 1,000 errors",
        params: IdParams,
        response: { 200: Import, ...errorResponses },
      },
    },
    async (request) => getImport(db, principalOf(request).orgId, request.params.id),
  );

  app.get(
    "/v1/imports/:id/rows",
    {
      config: { scope: "read" },
      schema: {
        tags: ["imports"],
        summary: "An import's rows, by the sheet's row numbers, optionally of one status",
        params: IdParams,
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Enum([...IMPORT_ROW_STATUSES])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ImportRowView), ...errorResponses },
      },
    },
    async (request) => {
      const found = await findImport(db, principalOf(request).orgId, request.params.id);
      if (!found) throw new AppError("NOT_FOUND", "import not found");
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor);
      if (after !== null && !/^\d{1,9}$/.test(after)) {
        throw new AppError("VALIDATION_FAILED", "the cursor is not valid", {
          details: [
            { path: "/querystring/cursor", code: "INVALID_VALUE", message: "not a cursor" },
          ],
        });
      }
      const rows = await listImportRows(db, {
        importId: found.id,
        status: request.query.status ?? null,
        after: after === null ? null : Number(after),
        limit: limit + 1,
      });
      return toPage(rows, limit, (r) => String(r.rowNumber), importRowView);
    },
  );

  app.post(
    "/v1/imports/:id/commit",
    {
      config: { scope: "send" },
      schema: {
        tags: ["imports"],
        summary: "Store a ready import's valid rows as contacts in its group (in the background)",
        description:
          "Valid and existing rows are stored, less excludeRows, in one transaction. onExisting update (default): an existing contact gets the row's name and attributes and joins the group; skip: it is left as it is.",
        params: IdParams,
        body: Type.Object(
          {
            excludeRows: Type.Optional(
              Type.Array(Type.Integer({ minimum: 1, maximum: 10_000_000 }), {
                maxItems: 100_000,
                description: "row numbers (the sheet's) to leave out",
              }),
            ),
            onExisting: Type.Optional(Type.Enum(["update", "skip"], { default: "update" })),
          },
          { additionalProperties: false },
        ),
        response: { 202: Import, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { view, queued } = await requestCommit(db, {
        orgId: p.orgId,
        id: request.params.id,
        excludeRows: request.body.excludeRows ?? [],
        onExisting: request.body.onExisting ?? "update",
        actor: auditActor(p),
        now: deps.now(),
      });
      if (queued) deps.onQueued();
      return reply.status(202).send(view);
    },
  );

  app.delete(
    "/v1/imports/:id",
    {
      config: { scope: "send" },
      schema: {
        tags: ["imports"],
        summary: "Discard an import that is not committed: its staged rows are deleted",
        params: IdParams,
        response: { 200: Import, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return discardImport(db, {
        orgId: p.orgId,
        id: request.params.id,
        actor: auditActor(p),
        now: deps.now(),
      });
    },
  );
}
