// The fake SOLAPI's Kakao Alimtalk templates (src/vendors/solapi/template-wire.ts
// has the protocol and its sources): registered PENDING (or, told so, straight
// into INSPECTING, for a SOLAPI that inspects on registration), sent for
// inspection only from PENDING, changed only while PENDING or REJECTED (which
// makes it PENDING again), and decided by the test as Kakao would: approved,
// or rejected with a reviewer's comment. No HTTP here (fake-server.ts).
import { randomBytes } from "node:crypto";
import {
  TEMPLATES_PATH,
  type WireTemplate,
  type WireTemplateButton,
} from "../../../../src/vendors/solapi/template-wire.ts";
import { isObject } from "../../../../src/vendors/solapi/wire.ts";

export interface FakeTemplateOptions {
  /** The status a new template gets: PENDING (default), or INSPECTING. */
  createStatus?: "PENDING" | "INSPECTING";
  /** The inspection request's path, `{templateId}` standing for the id (default SOLAPI's). */
  inspectionPath?: string;
}

export interface FakeTemplates {
  /** By templateId. */
  byId: Map<string, WireTemplate & { categoryCode: string }>;
  /** Kakao's decision: approved, or rejected with the reviewer's comment. */
  decide(templateId: string, status: "APPROVED" | "REJECTED", comment?: string): void;
  /** The next `count` inspection requests fail with HTTP 503. */
  failInspections(count: number): void;
  /** Answers a template call; null when the path is not the template API's. */
  handle(method: string, path: string, body: unknown, now: Date): FakeTemplateAnswer | null;
}

export type FakeTemplateAnswer = { status: number; body: unknown };

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function templateId(now: Date): string {
  const date = now.toISOString().replace(/\D/g, "").slice(0, 14);
  const tail = [...randomBytes(15)].map((b) => ALPHANUMERIC[b % 36]).join("");
  return `KA01TP${date}${tail}`;
}

const error = (status: number, errorCode: string, errorMessage: string): FakeTemplateAnswer => ({
  status,
  body: { errorCode, errorMessage },
});

function buttonsOf(value: unknown): WireTemplateButton[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 5) return "buttons must be a list of at most 5";
  const buttons: WireTemplateButton[] = [];
  for (const b of value) {
    if (!isObject(b) || typeof b.buttonName !== "string" || typeof b.buttonType !== "string") {
      return "each button needs buttonName and buttonType";
    }
    if (b.buttonType === "WL" && typeof b.linkMo !== "string") return "a WL button needs linkMo";
    buttons.push(b as unknown as WireTemplateButton);
  }
  return buttons;
}

export function createFakeTemplates(options: FakeTemplateOptions = {}): FakeTemplates {
  const byId = new Map<string, WireTemplate & { categoryCode: string }>();
  let inspectionFailures = 0;
  const inspection = options.inspectionPath ?? `${TEMPLATES_PATH}/{templateId}/inspection`;
  const [inspectionBefore, inspectionAfter] = inspection.split("{templateId}") as [string, string];

  function register(body: unknown, now: Date): FakeTemplateAnswer {
    if (!isObject(body)) return error(400, "ValidationError", "the body must be an object");
    const { name, content, categoryCode, channelId } = body;
    if (typeof name !== "string" || name === "") return error(400, "ValidationError", "name");
    if (typeof content !== "string" || content === "" || content.length > 1000) {
      return error(400, "ValidationError", "content must be 1 to 1,000 characters");
    }
    if (typeof categoryCode !== "string" || categoryCode === "") {
      return error(400, "ValidationError", "categoryCode is required");
    }
    if (typeof channelId !== "string" || channelId === "") {
      return error(400, "ValidationError", "channelId is required");
    }
    const buttons = buttonsOf(body.buttons);
    if (typeof buttons === "string") return error(400, "ValidationError", buttons);
    for (const t of byId.values()) {
      if (t.channelId === channelId && t.name === name) {
        return error(400, "ValidationError", "a template with this name exists in the channel");
      }
    }
    const at = now.toISOString();
    const t = {
      templateId: templateId(now),
      name,
      channelId,
      content,
      buttons,
      categoryCode,
      status: options.createStatus ?? "PENDING",
      comments: [],
      dateCreated: at,
      dateUpdated: at,
    };
    byId.set(t.templateId, t);
    return { status: 200, body: structuredClone(t) };
  }

  function change(t: WireTemplate & { categoryCode: string }, body: unknown, now: Date) {
    if (t.status !== "PENDING" && t.status !== "REJECTED") {
      return error(400, "InvalidStatus", `a ${t.status} template cannot be changed`);
    }
    if (!isObject(body)) return error(400, "ValidationError", "the body must be an object");
    const buttons = buttonsOf(body.buttons);
    if (typeof buttons === "string") return error(400, "ValidationError", buttons);
    if (typeof body.content === "string") t.content = body.content;
    if (typeof body.name === "string") t.name = body.name;
    if (typeof body.categoryCode === "string") t.categoryCode = body.categoryCode;
    t.buttons = buttons;
    t.status = "PENDING";
    t.dateUpdated = now.toISOString();
    return { status: 200, body: structuredClone(t) };
  }

  return {
    byId,
    failInspections(count) {
      inspectionFailures += count;
    },
    decide(id, status, comment) {
      const t = byId.get(id);
      if (!t) throw new Error(`the fake SOLAPI has no template ${id}`);
      t.status = status;
      if (comment) {
        t.comments = [
          ...(t.comments ?? []),
          {
            isAdmin: true,
            memberId: "KAKAO-REVIEWER",
            content: comment,
            dateCreated: new Date().toISOString(),
          },
        ];
      }
    },
    handle(method, path, body, now) {
      if (method === "POST" && path === TEMPLATES_PATH) return register(body, now);
      if (
        method === "PUT" &&
        path.startsWith(inspectionBefore) &&
        path.endsWith(inspectionAfter) &&
        path.length > inspectionBefore.length + inspectionAfter.length
      ) {
        const id = decodeURIComponent(
          path.slice(inspectionBefore.length, path.length - inspectionAfter.length),
        );
        if (inspectionFailures > 0) {
          inspectionFailures--;
          return error(503, "InternalError", "try again");
        }
        const t = byId.get(id);
        if (!t) return error(404, "ResourceNotFound", `no template ${id}`);
        if (t.status !== "PENDING") {
          return error(400, "InvalidStatus", "only a PENDING template can be inspected");
        }
        t.status = "INSPECTING";
        t.dateUpdated = now.toISOString();
        return { status: 200, body: structuredClone(t) };
      }
      if (!path.startsWith(`${TEMPLATES_PATH}/`)) return null;
      const id = decodeURIComponent(path.slice(TEMPLATES_PATH.length + 1));
      if (id.includes("/")) return null;
      const t = byId.get(id);
      if (!t) return error(404, "ResourceNotFound", `no template ${id}`);
      if (method === "GET") return { status: 200, body: structuredClone(t) };
      if (method === "PUT") return change(t, body, now);
      return null;
    },
  };
}
