import type { FastifyReply, FastifyRequest } from "fastify";
import type { Db } from "../../db/client.ts";
import { sendError } from "../../http/errors.ts";
import type { App } from "../../http/types.ts";
import { AppError } from "../../lib/errors.ts";
import type { VendorAdapter, VendorName } from "../../vendors/vendor.ts";
import type { VendorDirectory } from "../vendor-accounts/index.ts";
import { type IngestResult, ingestReports, type ParkingPolicy } from "./service.ts";

export interface ReportRouteDeps {
  db: Db;
  directory: VendorDirectory;
  adapters: Record<VendorName, VendorAdapter | undefined>;
  now: () => Date;
  /** How long, and how many, reports about unknown messages may wait (default: DEFAULT_PARKING). */
  parking?: ParkingPolicy;
  /** Called once reports are stored, to wake the settler and the applier. */
  onIngested: (result: IngestResult) => void;
}

/** Vendors post large report batches; 16 MB holds tens of thousands. */
const REPORT_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * Inbound delivery reports: verified by the account's vendor adapter against
 * the exact bytes received, stored once each (and applied where their
 * message is known) in one transaction, and answered 200 once durable.
 * Reports about unknown messages beyond the account's parking limit are
 * dropped and counted, and still answered 200 (`dropped` says how many):
 * a vendor would retry a refusal, which would only bring them again.
 */
export async function reportRoutes(app: App, deps: ReportRouteDeps) {
  await app.register(async (scope) => {
    // Signatures are over the raw body: keep the bytes, parse in the adapter.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      "*",
      { parseAs: "buffer", bodyLimit: REPORT_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    const handler = async (
      request: FastifyRequest<{ Params: { accountId: string; token?: string } }>,
      reply: FastifyReply,
    ) => {
      const account = await deps.directory.get(request.params.accountId);
      const adapter = account ? deps.adapters[account.vendor] : undefined;
      if (!account || !adapter) throw new AppError("NOT_FOUND", "vendor account not found");
      const parsed = adapter.parseReports(account, {
        headers: request.headers,
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        pathToken: request.params.token ?? null,
      });
      if (!parsed.ok) {
        const code = parsed.status === 401 ? "UNAUTHORIZED" : "VALIDATION_FAILED";
        return sendError(request, reply, new AppError(code, parsed.message));
      }
      const result = await ingestReports(deps.db, {
        vendorAccountId: account.id,
        source: "webhook",
        reports: parsed.reports,
        now: deps.now(),
        parking: deps.parking,
      });
      deps.onIngested(result);
      return reply
        .status(200)
        .send({ received: result.received, stored: result.stored, dropped: result.dropped });
    };
    const schema = { hide: true } as const;
    scope.post("/webhooks/vendors/:accountId", { schema }, handler);
    scope.post("/webhooks/vendors/:accountId/:token", { schema }, handler);
  });
}
