// Our side of NHN Cloud's Alimtalk template API (template-wire.ts has its
// shapes, sources and what is unconfirmed): registering a template under the
// KakaoTalk channel's sender key (registration is a review request at NHN),
// changing a rejected one (which sends it to review again), and reading its
// review. NHN names the template by our code, so an Alimtalk sent through
// the account names it as it is.
import { callVendor, type HttpAnswer } from "../http.ts";
import { parseSettings } from "../settings.ts";
import {
  type ReviewAnswer,
  refusedBefore,
  type TemplateReviewer,
  type VendorTemplateRef,
} from "../template-review.ts";
import type { VendorAccount } from "../vendor.ts";
import { mapAnswerFailure } from "./map.ts";
import { configOf, type ProductConfig } from "./settings.ts";
import {
  NHN_TEMPLATE_CODE_MAX,
  type NhnTemplateSettings,
  NhnTemplateSettingsSchema,
  reviewStateOf,
  templatePath,
  templatesPath,
  toWireTemplate,
} from "./template-wire.ts";
import { headerOf, JSON_CONTENT_TYPE, SECRET_KEY_HEADER } from "./wire.ts";

type Setup =
  | {
      ok: true;
      product: ProductConfig;
      timeoutMs: number;
      senderKey: string | null;
      settings: NhnTemplateSettings;
    }
  | { ok: false; answer: ReviewAnswer };

function setupOf(account: VendorAccount): Setup {
  const config = configOf(account);
  if (typeof config.alimtalk === "string") {
    return { ok: false, answer: refusedBefore("credentials", config.alimtalk) };
  }
  const given = account.settings.templates;
  const parsed = parseSettings(
    "NHN",
    NhnTemplateSettingsSchema,
    typeof given === "object" && given !== null ? (given as Record<string, unknown>) : {},
  );
  if (!parsed.ok) {
    return {
      ok: false,
      answer: refusedBefore(
        parsed.error.rawCode.replace(/^settings\./, "settings.templates."),
        parsed.error.message.replace("settings", "settings.templates"),
      ),
    };
  }
  return {
    ok: true,
    product: config.alimtalk,
    timeoutMs: config.timeoutMs,
    senderKey: config.senderKey,
    settings: parsed.settings,
  };
}

function call(
  setup: Extract<Setup, { ok: true }>,
  request: { method: "GET" | "POST" | "PUT"; path: string; body?: unknown },
): Promise<HttpAnswer> {
  return callVendor({
    vendor: "NHN",
    method: request.method,
    url: `${setup.product.root}${request.path}`,
    headers: { [SECRET_KEY_HEADER]: setup.product.secretKey, "content-type": JSON_CONTENT_TYPE },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    timeoutMs: setup.timeoutMs,
    transport: setup.product.transport,
  });
}

/** Null when NHN took the call (HTTP 200, header.isSuccessful), else the failed answer. */
function failureOf(answer: HttpAnswer): ReviewAnswer | null {
  if (!answer.ok) return { ok: false, failure: answer.failure, refused: false };
  if (answer.status === 200 && headerOf(answer.body)?.isSuccessful === true) return null;
  const failure = mapAnswerFailure("alimtalk", answer.status, answer.body);
  return { ok: false, failure, refused: !failure.retryable };
}

async function readTemplate(
  setup: Extract<Setup, { ok: true }>,
  ref: VendorTemplateRef,
): Promise<ReviewAnswer> {
  const answer = await call(setup, {
    method: "GET",
    path: templatePath(ref.senderKey, ref.vendorTemplateId),
  });
  const failure = failureOf(answer);
  if (failure !== null) return failure;
  const state = reviewStateOf((answer as { body: unknown }).body, {
    statuses: setup.settings.statuses,
    senderKey: ref.senderKey,
  });
  if (state !== null) return { ok: true, state };
  return {
    ok: false,
    refused: false,
    failure: {
      error: {
        code: "VENDOR_UNAVAILABLE",
        rawCode: "template.malformed",
        message: "NHN's answer holds no template",
      },
      retryable: true,
    },
  };
}

export const nhnTemplateReviewer: TemplateReviewer = {
  vendor: "nhn",

  async submit(account, template, previous) {
    const setup = setupOf(account);
    if (!setup.ok) return setup.answer;
    const senderKey = previous?.senderKey ?? setup.senderKey;
    if (senderKey === null) {
      return refusedBefore(
        "settings.senderKey",
        "the NHN account has no Kakao sender key (settings.senderKey), and the organization no KakaoTalk channel of its own",
      );
    }
    if (template.code.length > NHN_TEMPLATE_CODE_MAX) {
      return refusedBefore(
        "templateCode",
        `NHN takes template codes of at most ${NHN_TEMPLATE_CODE_MAX} characters; ${template.code} has ${template.code.length}: make a template with a shorter code`,
      );
    }
    const body = toWireTemplate(template, {
      categoryCode: setup.settings.categoryCode,
      register: previous === null,
    });
    const answer = await call(
      setup,
      previous === null
        ? { method: "POST", path: templatesPath(senderKey), body }
        : { method: "PUT", path: templatePath(senderKey, previous.vendorTemplateId), body },
    );
    const failure = failureOf(answer);
    if (failure !== null) return failure;
    const ref = { vendorTemplateId: previous?.vendorTemplateId ?? template.code, senderKey };
    const read = await readTemplate(setup, ref);
    if (read.ok) return read;
    // Registered (NHN said so) but not read back: it is under review; the poller reads it.
    return {
      ok: true,
      state: { ...ref, status: "requested", vendorStatus: "registered", comments: [] },
    };
  },

  async read(account, ref) {
    const setup = setupOf(account);
    if (!setup.ok) return setup.answer;
    return readTemplate(setup, ref);
  },
};
