// Our side of SOLAPI's Kakao Alimtalk template API (template-wire.ts has its
// shapes, sources and what is unconfirmed): registering a template under the
// account's KakaoTalk channel (its pfId) and having it inspected, changing a
// rejected one and having it inspected again, and reading its review.
//
// The template's SOLAPI id (templateId) is what an Alimtalk sent through this
// account names (kakaoOptions.templateId): the templates module keeps it, and
// the dispatcher hands it to outbound.ts with the message.
import { callVendor, type HttpAnswer, type MappedError } from "../http.ts";
import { parseSettings } from "../settings.ts";
import {
  type ReviewAnswer,
  refusedBefore,
  type TemplateReviewer,
  type VendorTemplateRef,
} from "../template-review.ts";
import type { VendorAccount } from "../vendor.ts";
import { authorizationHeader } from "./auth.ts";
import { mapHttpFailure } from "./map.ts";
import { configOf, type SolapiConfig } from "./settings.ts";
import {
  reviewStateOf,
  type SolapiTemplateSettings,
  SolapiTemplateSettingsSchema,
  TEMPLATES_PATH,
  templatePath,
  toWireTemplate,
} from "./template-wire.ts";

function call(
  config: SolapiConfig,
  request: { method: "GET" | "POST" | "PUT"; path: string; body?: unknown },
): Promise<HttpAnswer> {
  return callVendor({
    vendor: "SOLAPI",
    method: request.method,
    url: `${config.baseUrl}${request.path}`,
    headers: {
      authorization: authorizationHeader(config),
      ...(request.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    timeoutMs: config.timeoutMs,
    transport: config.transport,
  });
}

const failed = (failure: MappedError, refused: boolean): ReviewAnswer => ({
  ok: false,
  failure,
  refused,
});

/** The answer as a review, or why not. */
function answerOf(
  answer: HttpAnswer,
  settings: SolapiTemplateSettings,
  senderKey: string,
): ReviewAnswer {
  if (!answer.ok) return failed(answer.failure, false);
  if (answer.status !== 200) {
    const failure = mapHttpFailure(answer.status, answer.body);
    return failed(failure, !failure.retryable);
  }
  const state = reviewStateOf(answer.body, { statuses: settings.statuses, senderKey });
  if (state === null) {
    return failed(
      {
        error: {
          code: "VENDOR_UNAVAILABLE",
          rawCode: "template.malformed",
          message: "SOLAPI's answer (HTTP 200) is not a template",
        },
        retryable: true,
      },
      false,
    );
  }
  return { ok: true, state };
}

type Setup =
  | { ok: true; config: SolapiConfig; settings: SolapiTemplateSettings }
  | { ok: false; answer: ReviewAnswer };

function setupOf(account: VendorAccount): Setup {
  const checked = configOf(account);
  if (!checked.ok) {
    return { ok: false, answer: refusedBefore(checked.error.rawCode, checked.error.message) };
  }
  const given = account.settings.templates;
  const parsed = parseSettings(
    "SOLAPI",
    SolapiTemplateSettingsSchema,
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
  return { ok: true, config: checked.config, settings: parsed.settings };
}

export const solapiTemplateReviewer: TemplateReviewer = {
  vendor: "solapi",

  async submit(account, template, previous) {
    const setup = setupOf(account);
    if (!setup.ok) return setup.answer;
    const { config, settings } = setup;
    const channelId = previous?.senderKey ?? config.pfId;
    if (channelId === null) {
      return refusedBefore(
        "settings.pfId",
        "the SOLAPI account has no KakaoTalk channel (settings.pfId), and the organization none of its own",
      );
    }
    const body = toWireTemplate(template, {
      categoryCode: settings.categoryCode,
      // A change keeps the template's channel.
      channelId: previous === null ? channelId : null,
    });
    const registered = answerOf(
      await call(
        config,
        previous === null
          ? { method: "POST", path: TEMPLATES_PATH, body }
          : { method: "PUT", path: templatePath(previous.vendorTemplateId), body },
      ),
      settings,
      channelId,
    );
    if (!registered.ok) return registered;
    return inspectIfWaiting(setup, registered, ["PENDING", "REJECTED"]);
  },

  /**
   * Reads the template; one still PENDING (its inspection request failed or
   * was never made) is sent for inspection now, so a lost request heals at
   * the next poll.
   */
  async read(account, ref: VendorTemplateRef) {
    const setup = setupOf(account);
    if (!setup.ok) return setup.answer;
    const read = answerOf(
      await call(setup.config, { method: "GET", path: templatePath(ref.vendorTemplateId) }),
      setup.settings,
      ref.senderKey,
    );
    return read.ok ? inspectIfWaiting(setup, read, ["PENDING"]) : read;
  },
};

/**
 * Asks for the inspection of a template SOLAPI holds in one of `waiting`;
 * one already inspecting (or decided) is left alone. When the request fails,
 * the template is still registered: the answer is the registration's.
 */
async function inspectIfWaiting(
  setup: Extract<Setup, { ok: true }>,
  answer: Extract<ReviewAnswer, { ok: true }>,
  waiting: string[],
): Promise<ReviewAnswer> {
  const { config, settings } = setup;
  const { state } = answer;
  if (!settings.requestInspection || !waiting.includes(state.vendorStatus)) return answer;
  const inspected = answerOf(
    await call(config, {
      method: "PUT",
      path: settings.inspectionPath.replace(
        "{templateId}",
        encodeURIComponent(state.vendorTemplateId),
      ),
    }),
    settings,
    state.senderKey,
  );
  return inspected.ok ? inspected : answer;
}
