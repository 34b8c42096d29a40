// NHN Cloud's KakaoTalk Bizmessage template API (Alimtalk API v2.3) as JSON
// shapes, with the mapping of its answers to a review; shared by our client
// (templates.ts) and the fake server. Pure. Not in
// /work/shared/reference/vendors.md beyond the registration path; read from
// NHN's documents:
//
//   POST {alimtalk root}/senders/{senderKey}/templates                 { templateCode, templateName, templateContent, categoryCode?, buttons? } → { header }
//   PUT  {alimtalk root}/senders/{senderKey}/templates/{templateCode}  { templateName, templateContent, categoryCode?, buttons? } → { header }
//   GET  {alimtalk root}/senders/{senderKey}/templates/{templateCode}  → { header, templates: { templateCode, status, comments[], … } }
//   {alimtalk root} = {alimtalkBaseUrl}/alimtalk/v2.3/appkeys/{appkey}; the X-Secret-Key header on every call.
//   status: TSC01 요청 (requested), TSC02 검수 중 (inspecting), TSC03 승인 (approved), TSC04 반려 (rejected).
//   comments: [{ id, content, userName, createdAt, attachment[], status: INQ 문의 | APR 승인 | REJ 반려 | REP 답변 | REQ 검수 중 }].
//   Buttons: { ordering (1–5), type, name, linkMo?, linkPc?, schemeIos?, schemeAndroid? }.
//   Limits: templateCode ≤ 20 characters, templateName ≤ 150, templateContent ≤ 1,300.
//
// A registered template is reviewed without asking: "템플릿 등록 시, 요청 > 검수 중 >
// 승인/반려 상태의 순서로 업데이트됩니다", and a changed one "검수 중 상태부터 다시
// 검수가 진행됩니다" (the console guide).
//
// Sources (TOAST-DOCS/Alimtalk @8dc8f5c, 2026-06):
// - https://github.com/TOAST-DOCS/Alimtalk/blob/master/ko/alimtalk-api-guide.md
//   (템플릿 등록, 템플릿 수정, 템플릿 단건 조회, 템플릿 카테고리 조회: categoryCode default 999999)
// - https://github.com/TOAST-DOCS/Alimtalk/blob/master/ko/alimtalk-console-guide.md (템플릿 검수)
// - https://github.com/TOAST-DOCS/Alimtalk/blob/master/ko/webhook-api-guide.md (the template status
//   hook, which carries the same status and comments; Alimi polls instead)
//
// UNCONFIRMED, and handled leniently or kept configurable (settings.templates):
// - The single read's `templates` is documented as one object; a one-item list is read too.
// - Refusals (a code already registered, a bad sender key) come as isSuccessful: false in the
//   header, as in the rest of NHN's API; their result codes are not listed for templates.
// - Statuses beyond TSC01–TSC04: `statuses` maps NHN's codes to ours; a code not mapped
//   leaves the template as it is.
import Type, { type Static } from "typebox";
import type {
  ReviewState,
  ReviewStatus,
  TemplateToSubmit,
  VendorComment,
} from "../template-review.ts";
import type { AlimtalkButton } from "../vendor.ts";
import { parseNhnDate } from "./dates.ts";
import { integerOf, isObject, stringOf } from "./wire.ts";

export const NHN_TEMPLATE_CODE_MAX = 20;

export const templatesPath = (senderKey: string) =>
  `/senders/${encodeURIComponent(senderKey)}/templates`;
export const templatePath = (senderKey: string, templateCode: string) =>
  `${templatesPath(senderKey)}/${encodeURIComponent(templateCode)}`;

export const DEFAULT_NHN_STATUSES: Record<string, ReviewStatus> = {
  TSC01: "requested",
  TSC02: "inspecting",
  TSC03: "approved",
  TSC04: "rejected",
};

const Status = Type.Enum(["requested", "inspecting", "approved", "rejected"]);

/** What an NHN account may configure about its template API: `settings.templates`. */
export const NhnTemplateSettingsSchema = Type.Object({
  categoryCode: Type.String({ minLength: 1, default: "999999" }),
  statuses: Type.Record(Type.String(), Status, { default: DEFAULT_NHN_STATUSES }),
});
export type NhnTemplateSettings = Static<typeof NhnTemplateSettingsSchema>;

export interface WireTemplateButton {
  ordering: number;
  type: string;
  name: string;
  linkMo?: string;
  linkPc?: string;
  schemeIos?: string;
  schemeAndroid?: string;
}

export interface WireTemplateRequest {
  /** On registration only. */
  templateCode?: string;
  templateName: string;
  templateContent: string;
  categoryCode: string;
  buttons?: WireTemplateButton[];
}

export interface WireTemplateComment {
  id: number;
  content: string;
  userName: string;
  createdAt: string;
  status: string;
}

export function toWireTemplate(
  template: TemplateToSubmit,
  options: { categoryCode: string; register: boolean },
): WireTemplateRequest {
  return {
    ...(options.register ? { templateCode: template.code } : {}),
    templateName: template.code,
    templateContent: template.body,
    categoryCode: options.categoryCode,
    ...(template.buttons.length > 0 ? { buttons: template.buttons.map(toWireButton) } : {}),
  };
}

function toWireButton(button: AlimtalkButton, index: number): WireTemplateButton {
  return {
    ordering: index + 1,
    type: button.type,
    name: button.name,
    ...(button.linkMobile ? { linkMo: button.linkMobile } : {}),
    ...(button.linkPc ? { linkPc: button.linkPc } : {}),
    ...(button.schemeIos ? { schemeIos: button.schemeIos } : {}),
    ...(button.schemeAndroid ? { schemeAndroid: button.schemeAndroid } : {}),
  };
}

/** A single read's answer as a review; null when it holds no template. */
export function reviewStateOf(
  body: unknown,
  options: { statuses: Readonly<Record<string, ReviewStatus>>; senderKey: string },
): ReviewState | null {
  if (!isObject(body)) return null;
  const found = Array.isArray(body.templates) ? body.templates[0] : body.templates;
  if (!isObject(found)) return null;
  const code = stringOf(found.templateCode);
  const status = stringOf(found.status);
  if (code === null || status === null) return null;
  return {
    vendorTemplateId: code,
    senderKey: stringOf(found.senderKey) ?? options.senderKey,
    status: Object.hasOwn(options.statuses, status) ? options.statuses[status]! : null,
    vendorStatus: status,
    comments: Array.isArray(found.comments) ? found.comments.flatMap(commentOf) : [],
  };
}

function commentOf(value: unknown): VendorComment[] {
  if (!isObject(value)) return [];
  const body = stringOf(value.content);
  const id = integerOf(value.id) ?? stringOf(value.id);
  if (body === null || id === null) return [];
  return [
    {
      key: `nhn:${id}`,
      author: stringOf(value.userName),
      body,
      status: stringOf(value.status),
      // The docs name it createdAt in the example and createAt in the table.
      at: parseNhnDate(value.createdAt ?? value.createAt),
    },
  ];
}
