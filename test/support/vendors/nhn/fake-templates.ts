// The fake NHN's Alimtalk templates (src/vendors/nhn/template-wire.ts has the
// protocol and its sources): registered per sender key as TSC01 (요청: a
// registration is a review request), changed while not under review (which
// puts it back to TSC02, 검수 중), read one at a time, and moved on by the test
// as Kakao would: into inspection, approved, or rejected with a comment. No
// HTTP here (fake-server.ts).
import { NHN_TEMPLATE_CODE_MAX } from "../../../../src/vendors/nhn/template-wire.ts";
import { isObject } from "../../../../src/vendors/nhn/wire.ts";
import { apiError, type FakeAnswer, ok } from "./fake-store.ts";

export interface FakeNhnTemplate {
  senderKey: string;
  templateCode: string;
  templateName: string;
  templateContent: string;
  categoryCode: string | null;
  buttons: Record<string, unknown>[];
  status: "TSC01" | "TSC02" | "TSC03" | "TSC04";
  comments: { id: number; content: string; userName: string; createdAt: string; status: string }[];
  createDate: string;
  updateDate: string;
}

export interface FakeNhnTemplates {
  /** By `${senderKey}/${templateCode}`. */
  byKey: Map<string, FakeNhnTemplate>;
  /** Kakao's next step: into inspection (TSC02), approved (TSC03), rejected (TSC04) with a comment. */
  advance(templateCode: string, status: "TSC02" | "TSC03" | "TSC04", comment?: string): void;
  /** Answers a template call: `rest` is the path after /alimtalk/v2.3/appkeys/{appkey}. */
  handle(method: string, rest: string, json: unknown): FakeAnswer | null;
}

/** The path of the template API after the appkey. */
export const TEMPLATE_REST = /^\/senders\/([^/]+)\/templates(?:\/([^/]+))?$/;

// NHN's error codes for templates are not listed; the fake's own, in NHN's envelope.
const DUPLICATE = -6001;
const NOT_FOUND = -6002;
const INVALID = -6003;
const UNDER_REVIEW = -6004;

function stamp(date: Date): string {
  const kst = new Date(date.getTime() + 9 * 3600_000).toISOString();
  return `${kst.slice(0, 10)} ${kst.slice(11, 19)}`;
}

export function createFakeNhnTemplates(): FakeNhnTemplates {
  const byKey = new Map<string, FakeNhnTemplate>();
  let commentId = 100;

  function view(t: FakeNhnTemplate) {
    return {
      plusFriendId: "@fake",
      senderKey: t.senderKey,
      plusFriendType: "NORMAL",
      templateCode: t.templateCode,
      kakaoTemplateCode: t.templateCode,
      templateName: t.templateName,
      templateContent: t.templateContent,
      buttons: t.buttons,
      comments: t.comments,
      status: t.status,
      statusName: { TSC01: "요청", TSC02: "검수 중", TSC03: "승인", TSC04: "반려" }[t.status],
      categoryCode: t.categoryCode,
      block: false,
      dormant: false,
      createDate: t.createDate,
      updateDate: t.updateDate,
    };
  }

  function content(json: unknown): { ok: true; value: Record<string, unknown> } | FakeAnswer {
    if (!isObject(json)) return apiError(INVALID, "Invalid API parameters.");
    const { templateName, templateContent, buttons } = json;
    if (typeof templateName !== "string" || templateName === "" || templateName.length > 150) {
      return apiError(INVALID, "templateName is required (at most 150 characters).");
    }
    if (
      typeof templateContent !== "string" ||
      templateContent === "" ||
      templateContent.length > 1300
    ) {
      return apiError(INVALID, "templateContent is required (at most 1,300 characters).");
    }
    if (buttons !== undefined && (!Array.isArray(buttons) || buttons.length > 5)) {
      return apiError(INVALID, "buttons: at most 5.");
    }
    return { ok: true, value: json };
  }

  return {
    byKey,
    advance(templateCode, status, comment) {
      const t = [...byKey.values()].find((c) => c.templateCode === templateCode);
      if (!t) throw new Error(`the fake NHN has no template ${templateCode}`);
      t.status = status;
      t.updateDate = stamp(new Date());
      if (comment) {
        t.comments.push({
          id: ++commentId,
          content: comment,
          userName: "카카오 검수자",
          createdAt: stamp(new Date()),
          status: status === "TSC04" ? "REJ" : status === "TSC03" ? "APR" : "REQ",
        });
      }
    },
    handle(method, rest, json) {
      const match = TEMPLATE_REST.exec(rest);
      if (!match) return null;
      const senderKey = decodeURIComponent(match[1]!);
      const code = match[2] === undefined ? null : decodeURIComponent(match[2]);
      const now = new Date();
      if (code === null) {
        if (method !== "POST") return apiError(-9998, "Not exist API.", 404);
        const given = content(json);
        if (!("ok" in given)) return given;
        const templateCode = given.value.templateCode;
        if (
          typeof templateCode !== "string" ||
          templateCode === "" ||
          templateCode.length > NHN_TEMPLATE_CODE_MAX
        ) {
          return apiError(INVALID, "templateCode is required (at most 20 characters).");
        }
        const key = `${senderKey}/${templateCode}`;
        if (byKey.has(key)) return apiError(DUPLICATE, "Template code already exists.");
        byKey.set(key, {
          senderKey,
          templateCode,
          templateName: given.value.templateName as string,
          templateContent: given.value.templateContent as string,
          categoryCode:
            typeof given.value.categoryCode === "string" ? given.value.categoryCode : null,
          buttons: (given.value.buttons as Record<string, unknown>[] | undefined) ?? [],
          status: "TSC01",
          comments: [],
          createDate: stamp(now),
          updateDate: stamp(now),
        });
        return ok({});
      }
      const t = byKey.get(`${senderKey}/${code}`);
      if (!t) return apiError(NOT_FOUND, "Template not found.");
      if (method === "GET") return ok({ templates: view(t) });
      if (method !== "PUT") return apiError(-9998, "Not exist API.", 404);
      if (t.status === "TSC01" || t.status === "TSC02") {
        return apiError(UNDER_REVIEW, "A template under review cannot be changed.");
      }
      const given = content(json);
      if (!("ok" in given)) return given;
      t.templateName = given.value.templateName as string;
      t.templateContent = given.value.templateContent as string;
      t.buttons = (given.value.buttons as Record<string, unknown>[] | undefined) ?? [];
      // "수정한 템플릿은 검수 중 상태부터 다시 검수가 진행됩니다."
      t.status = "TSC02";
      t.updateDate = stamp(now);
      return ok({});
    },
  };
}
