// SOLAPI's Kakao Alimtalk template API as JSON shapes, with the mapping of
// its answers to a review; shared by our client (templates.ts) and the fake
// server. Pure. Not in /work/shared/reference/vendors.md; read from SOLAPI's
// own code and documents:
//
//   POST /kakao/v2/templates                   { name, content, categoryCode, channelId, buttons? } → 200 template
//   GET  /kakao/v2/templates/{templateId}      → 200 template
//   PUT  /kakao/v2/templates/{templateId}      { name, content, categoryCode, buttons? } → 200 template ("수정(검수 X)")
//   PUT  /kakao/v2/templates/{templateId}/inspection  → 200 template (inspection requested)
//   template: { templateId, name, channelId, content, buttons, status: PENDING | INSPECTING | APPROVED | REJECTED,
//               comments?: [{ isAdmin, memberId, content, dateCreated }], … }
//   Anything else: a non-200 status with { errorCode, errorMessage }, as everywhere in SOLAPI's API.
//   Buttons: { buttonName, buttonType, linkMo?, linkPc?, linkAnd?, linkIos? }.
//
// Sources:
// - https://github.com/solapi/solapi-nodejs/blob/master/src/services/kakao/templates/kakaoTemplateService.ts
//   (create, get, update, remove, cancel inspection: the paths above; SDK @b733b97, 2026-04)
// - https://github.com/solapi/solapi-nodejs/blob/master/src/models/requests/kakao/createKakaoAlimtalkTemplateRequest.ts
//   (name, content, categoryCode, buttons, channelId | channelGroupId)
// - https://github.com/solapi/solapi-nodejs/blob/master/src/models/base/kakao/kakaoAlimtalkTemplate.ts
//   (the statuses and the comments' fields), …/kakaoButton.ts (button fields)
// - requestInspectionKakaoAlimtalkTemplate: PUT kakao/v2/templates/{templateId}/inspection in the SDK's
//   src/solapi.ts @6a69b23 (2022-12); and SOLAPI's v1 reference,
//   https://github.com/solapi/documents/blob/master/api-reference/kakao/templateinspection.md
//   ("PUT https://api.solapi.com/kakao/v1/templates/:templateId/inspection").
//
// UNCONFIRMED, and kept configurable (settings.templates):
// - Whether registering through v2 starts the inspection by itself (today's SDK has no
//   inspection call): we ask for it only when SOLAPI's answer still says PENDING
//   (`requestInspection`, default on), at `inspectionPath`.
// - The category: SOLAPI requires categoryCode and documents no default; "999999" is
//   Kakao's "기타" (other), NHN's documented default (`categoryCode`).
// - The statuses beyond the four the SDK names: `statuses` maps SOLAPI's words to ours; a
//   word not mapped leaves the template as it is.
import { createHash } from "node:crypto";
import Type, { type Static } from "typebox";
import type {
  ReviewState,
  ReviewStatus,
  TemplateToSubmit,
  VendorComment,
} from "../template-review.ts";
import type { AlimtalkButton } from "../vendor.ts";
import { isObject } from "./wire.ts";

export const TEMPLATES_PATH = "/kakao/v2/templates";
export const templatePath = (templateId: string) =>
  `${TEMPLATES_PATH}/${encodeURIComponent(templateId)}`;

export const DEFAULT_SOLAPI_STATUSES: Record<string, ReviewStatus> = {
  PENDING: "requested",
  INSPECTING: "inspecting",
  APPROVED: "approved",
  REJECTED: "rejected",
};

const Status = Type.Enum(["requested", "inspecting", "approved", "rejected"]);

/** What a SOLAPI account may configure about its template API: `settings.templates`. */
export const SolapiTemplateSettingsSchema = Type.Object({
  categoryCode: Type.String({ minLength: 1, default: "999999" }),
  requestInspection: Type.Boolean({ default: true }),
  /** `{templateId}` stands for the template's SOLAPI id. */
  inspectionPath: Type.String({
    pattern: "^/.*\\{templateId\\}",
    default: "/kakao/v2/templates/{templateId}/inspection",
  }),
  statuses: Type.Record(Type.String(), Status, { default: DEFAULT_SOLAPI_STATUSES }),
});
export type SolapiTemplateSettings = Static<typeof SolapiTemplateSettingsSchema>;

export interface WireTemplateButton {
  buttonName: string;
  buttonType: string;
  linkMo?: string;
  linkPc?: string;
  linkAnd?: string;
  linkIos?: string;
}

export interface WireTemplateRequest {
  name: string;
  content: string;
  categoryCode: string;
  /** On registration only: the channel's pfId. */
  channelId?: string;
  buttons?: WireTemplateButton[];
}

export interface WireTemplateComment {
  isAdmin: boolean;
  memberId: string;
  content: string | null;
  dateCreated: string;
}

export interface WireTemplate {
  templateId: string;
  name: string;
  channelId?: string | null;
  content?: string;
  buttons?: WireTemplateButton[];
  status: string;
  comments?: WireTemplateComment[];
  dateCreated?: string;
  dateUpdated?: string;
}

export function toWireTemplate(
  template: TemplateToSubmit,
  options: { categoryCode: string; channelId: string | null },
): WireTemplateRequest {
  return {
    name: template.code,
    content: template.body,
    categoryCode: options.categoryCode,
    ...(options.channelId === null ? {} : { channelId: options.channelId }),
    ...(template.buttons.length > 0 ? { buttons: template.buttons.map(toWireButton) } : {}),
  };
}

function toWireButton(button: AlimtalkButton): WireTemplateButton {
  return {
    buttonName: button.name,
    buttonType: button.type,
    ...(button.linkMobile ? { linkMo: button.linkMobile } : {}),
    ...(button.linkPc ? { linkPc: button.linkPc } : {}),
    ...(button.schemeAndroid ? { linkAnd: button.schemeAndroid } : {}),
    ...(button.schemeIos ? { linkIos: button.schemeIos } : {}),
  };
}

/** A template answer as a review; null when the answer is not a template. */
export function reviewStateOf(
  body: unknown,
  options: { statuses: Readonly<Record<string, ReviewStatus>>; senderKey: string },
): ReviewState | null {
  if (!isObject(body)) return null;
  const { templateId, status } = body;
  if (typeof templateId !== "string" || templateId === "" || typeof status !== "string") {
    return null;
  }
  const mapped = Object.hasOwn(options.statuses, status) ? options.statuses[status]! : null;
  return {
    vendorTemplateId: templateId,
    senderKey:
      typeof body.channelId === "string" && body.channelId !== ""
        ? body.channelId
        : options.senderKey,
    status: mapped,
    vendorStatus: status,
    comments: Array.isArray(body.comments) ? body.comments.flatMap(commentOf) : [],
  };
}

function commentOf(value: unknown): VendorComment[] {
  if (!isObject(value) || typeof value.content !== "string" || value.content.trim() === "") {
    return [];
  }
  const author =
    typeof value.memberId === "string" && value.memberId !== "" ? value.memberId : null;
  const created = typeof value.dateCreated === "string" ? value.dateCreated : "";
  const at = created === "" ? null : new Date(created);
  // SOLAPI's comments have no id: one is their author, time and text.
  const key = createHash("sha256")
    .update(`${author ?? ""}\u0000${created}\u0000${value.content}`)
    .digest("base64url")
    .slice(0, 22);
  return [
    {
      key: `solapi:${key}`,
      author: value.isAdmin === true ? (author ?? "SOLAPI") : author,
      body: value.content,
      status: value.isAdmin === true ? "REVIEWER" : null,
      at: at !== null && !Number.isNaN(at.getTime()) ? at : null,
    },
  ];
}
