// The sandbox vendor's HTTP side, under /sandbox/v1/. Mounted on Alimi's own
// app in embedded mode (registerSandboxRoutes), or alone on a port for tests
// (startSandboxServer). The JSON shapes are in wire.ts.
//
// Every route wants the API key of one of the sandbox's accounts (accounts.ts)
// and answers for that account alone; any other key is a 401.
//
// The routes answer like a vendor, not like Alimi: errors are
// `{ errorCode, errorMessage }` (a route-level error handler, so Alimi's
// handler does not rewrite them when embedded), and they are hidden from
// Alimi's OpenAPI document.
import type { AddressInfo } from "node:net";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { SANDBOX_ERRORS, type SandboxErrorCode } from "./map.ts";
import { createSandbox, type Sandbox, type SandboxOptions } from "./sandbox.ts";
import { checkSendRequest, checkStatusRequest, type WireErrorBody } from "./wire.ts";

export {
  type FixedSandboxAccount,
  fixedSandboxAccounts,
  type SandboxAccounts,
} from "./accounts.ts";
export {
  createSandbox,
  type Sandbox,
  type SandboxFailure,
  type SandboxOptions,
} from "./sandbox.ts";

// 1,000 LMS of 2,000 EUC-KR bytes are about 3 MB as UTF-8 JSON; leave room.
const SEND_BODY_LIMIT = 16 * 1024 * 1024;

/** The sandbox's fake balance, for credential checks. */
const BALANCE = { balance: 1_000_000, currency: "KRW" };

interface Answer {
  status: number;
  body: unknown;
}

export function registerSandboxRoutes(app: FastifyInstance, sandbox: Sandbox): void {
  const options = { schema: { hide: true }, errorHandler: answerError };

  app.post(
    "/sandbox/v1/messages",
    { ...options, bodyLimit: SEND_BODY_LIMIT },
    async (request, reply) =>
      handle(sandbox, request, reply, async (accountId) => {
        const checked = checkSendRequest(request.body);
        if (!checked.ok) return errorAnswer(checked.status, checked.error, checked.message);
        const answer = await sandbox.send(accountId, checked);
        if (!answer.ok) return errorAnswer(400, "request.invalid", answer.message);
        return { status: 200, body: answer.response };
      }),
  );

  app.post("/sandbox/v1/messages/status", options, async (request, reply) =>
    handle(sandbox, request, reply, async (accountId) => {
      const checked = checkStatusRequest(request.body);
      if (!checked.ok) return errorAnswer(checked.status, checked.error, checked.message);
      return { status: 200, body: await sandbox.status(accountId, checked.messageIds) };
    }),
  );

  app.get("/sandbox/v1/balance", options, async (request, reply) =>
    handle(sandbox, request, reply, () => ({ status: 200, body: BALANCE })),
  );
}

/**
 * Injected failures first (an outage does not look at credentials), then the
 * API key — the caller's account, or 401 — then the work, for that account.
 */
async function handle(
  sandbox: Sandbox,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (accountId: string) => Answer | Promise<Answer>,
): Promise<FastifyReply> {
  if (sandbox.closing.aborted) return send(reply, errorAnswer(503, "server.unavailable"));
  const failure = sandbox.takeFailure();
  if (failure === "5xx") return send(reply, errorAnswer(503, "server.unavailable"));
  if (failure === "timeout") return hold(reply, sandbox.closing);
  const accountId = await sandbox.authenticate(request.headers.authorization);
  if (accountId === null) return send(reply, errorAnswer(401, "auth.invalid_key"));
  const answer = await work(accountId);
  if (failure === "lost-response") return hold(reply, sandbox.closing);
  return send(reply, answer);
}

/** Never answers: keeps the connection until the client gives up or the sandbox closes. */
async function hold(reply: FastifyReply, closing: AbortSignal): Promise<FastifyReply> {
  reply.hijack();
  await new Promise<void>((resolve) => {
    const release = () => {
      closing.removeEventListener("abort", release);
      resolve();
    };
    reply.raw.once("close", release);
    closing.addEventListener("abort", release);
    if (closing.aborted) release();
  });
  reply.raw.destroy();
  return reply;
}

const send = (reply: FastifyReply, answer: Answer) => reply.status(answer.status).send(answer.body);

function errorAnswer(status: number, errorCode: SandboxErrorCode, message?: string): Answer {
  const body: WireErrorBody = {
    errorCode,
    errorMessage: message ?? SANDBOX_ERRORS[errorCode].message,
  };
  return { status, body };
}

/** Body-parsing errors (bad JSON, too large, wrong content type) in the sandbox's own format. */
function answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500;
  if (status >= 500) {
    request.log.error({ err: error }, "sandbox: request failed");
    return send(reply, errorAnswer(500, "server.unavailable"));
  }
  return send(reply, errorAnswer(status, "request.invalid", error.message));
}

export interface SandboxServerOptions extends Omit<SandboxOptions, "logger"> {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  logger?: FastifyBaseLogger;
}

export interface SandboxServer {
  url: string;
  sandbox: Sandbox;
  close(): Promise<void>;
}

/** A sandbox on its own port (tests, benchmarks). */
export async function startSandboxServer(options: SandboxServerOptions): Promise<SandboxServer> {
  const { port = 0, host = "127.0.0.1", logger, ...sandboxOptions } = options;
  const app = Fastify({ loggerInstance: logger, forceCloseConnections: true });
  const sandbox = createSandbox({ ...sandboxOptions, logger: app.log });
  registerSandboxRoutes(app, sandbox);
  await app.listen({ port, host });
  const { port: bound } = app.server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
    sandbox,
    async close() {
      // The sandbox first: it releases held requests, which the server would wait for.
      await sandbox.close();
      await app.close();
    },
  };
}
