// Sending: an Alimtalk template or a text, to numbers pasted one a line and
// to contact groups, now or at a time, as advertising within its rules
// (consent, the night) or not; the estimate is asked for as the form
// changes, and the send goes out with an Idempotency-Key so a retried click
// sends once. The answer (who was left out, who waits for the morning) goes
// along to the campaign's screen.
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, type ErrorDetail, unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Estimate, SendBody } from "../api/types.ts";
import { EstimatePanel } from "../components/estimate-panel.tsx";
import { Button, ErrorBanner, Field, FieldErrors } from "../components/form.tsx";
import { GroupPicker } from "../components/group-picker.tsx";
import { PageHeader, Panel } from "../components/panel.tsx";
import { randomKey, smsBytes } from "../format.ts";
import { useI18n } from "../i18n.tsx";
import { historyState, navigate } from "../router.tsx";
import {
  AD_PREFIX,
  buildSendBody,
  hasLink,
  parseRecipients,
  type SendForm,
  withAdPrefix,
} from "../send-body.ts";
import { useLoad } from "../use-load.ts";
import type { SentState } from "./campaign-detail.tsx";

const FIELDS = [
  "recipients",
  "groupIds",
  "template",
  "text",
  "subject",
  "from",
  "sendAt",
  "type",
  "strategy",
  "advertising",
];
const SMS_BYTES = 90;

const EMPTY: SendForm = {
  mode: "template",
  templateCode: "",
  variables: {},
  strategy: "alimtalk_first",
  textType: "auto",
  text: "",
  subject: "",
  from: "",
  recipients: "",
  when: "now",
  sendAt: "",
  groupIds: [],
  advertising: false,
  consentConfirmed: false,
  nightPolicy: "defer",
  trackLinks: true,
};

/**
 * The error as the form's fields show it: without the group members it
 * refuses (the estimate lists those, however many), which are numbered after
 * the pasted recipients.
 */
function pastedOnly(error: unknown, pasted: number): unknown {
  if (!(error instanceof ApiError)) return error;
  const details = error.details.filter((d) => typeof d.index !== "number" || d.index < pasted);
  return new ApiError({
    status: error.status,
    code: error.code,
    message: error.message,
    details,
    requestId: error.requestId,
  });
}

/** What another screen hands the send screen: groups to send to (a group's "send to it"). */
export interface SendState {
  groupIds: string[];
}

function initialForm(): SendForm {
  const handed = (historyState() as Partial<SendState> | null)?.groupIds;
  const groupIds = Array.isArray(handed) ? handed.filter((id) => typeof id === "string") : [];
  return { ...EMPTY, groupIds };
}

export function SendScreen() {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const [form, setForm] = useState<SendForm>(initialForm);
  const set = <K extends keyof SendForm>(key: K, value: SendForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const groups = useLoad(acting.id, () => unwrap(api.GET("/v1/groups")));
  const templates = useLoad(acting.id, () =>
    unwrap(api.GET("/v1/templates", { params: { query: { limit: 100 } } })),
  );
  const senders = useLoad(acting.id, () => unwrap(api.GET("/v1/senders")));
  const approved = (templates.data?.data ?? []).filter((tpl) => tpl.status === "approved");
  const verified = (senders.data?.data ?? []).filter((s) => s.status === "verified");
  const template = approved.find((tpl) => tpl.code === form.templateCode);

  // The first approved template, once the templates are known.
  const firstCode = approved[0]?.code;
  useEffect(() => {
    if (firstCode) setForm((f) => (f.templateCode ? f : { ...f, templateCode: firstCode }));
  }, [firstCode]);

  const recipients = useMemo(() => parseRecipients(form.recipients), [form.recipients]);
  const body = useMemo(() => buildSendBody(form, recipients), [form, recipients]);
  const bodyJson = JSON.stringify(body);
  const ready =
    (recipients.length > 0 || form.groupIds.length > 0) &&
    (form.mode === "template" ? Boolean(form.templateCode) : Boolean(form.text));

  const [estimate, setEstimate] = useState<{
    json: string;
    value: Estimate | null;
    error: unknown;
  }>({
    json: "",
    value: null,
    error: null,
  });
  const [estimating, setEstimating] = useState(false);
  // Asked again on request, and on coming back to the page: an opt-out or a
  // consent recorded meanwhile changes who is sent to.
  const [round, setRound] = useState(0);
  useEffect(() => {
    const again = () => {
      if (document.visibilityState === "visible") setRound((r) => r + 1);
    };
    document.addEventListener("visibilitychange", again);
    return () => document.removeEventListener("visibilitychange", again);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new round asks the same body again
  useEffect(() => {
    if (!ready) {
      setEstimate({ json: "", value: null, error: null });
      return;
    }
    let live = true;
    setEstimating(true);
    const timer = setTimeout(async () => {
      const request = JSON.parse(bodyJson) as SendBody;
      try {
        const value = await unwrap(api.POST("/v1/messages/estimate", { body: request }));
        if (live) setEstimate({ json: bodyJson, value, error: null });
      } catch (error) {
        if (live) setEstimate({ json: bodyJson, value: null, error });
      } finally {
        if (live) setEstimating(false);
      }
    }, 350);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, bodyJson, ready, round]);

  // Groups deleted meanwhile (or of another organization) are let go.
  const groupList = groups.data?.data;
  useEffect(() => {
    if (!groupList) return;
    const known = new Set(groupList.map((g) => g.id));
    setForm((f) =>
      f.groupIds.every((id) => known.has(id))
        ? f
        : { ...f, groupIds: f.groupIds.filter((id) => known.has(id)) },
    );
  }, [groupList]);

  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const idempotency = useRef({ json: "", key: "" });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (idempotency.current.json !== bodyJson)
      idempotency.current = { json: bodyJson, key: randomKey() };
    setSending(true);
    setError(null);
    try {
      const sent = await unwrap(
        api.POST("/v1/messages", {
          body,
          headers: { "idempotency-key": idempotency.current.key },
        }),
      );
      const state: SentState = { sent: { result: sent, lines: recipients.map((r) => r.line) } };
      navigate(`/campaigns/${sent.campaignId}`, { state });
    } catch (err) {
      setError(err);
      setSending(false);
    }
  };

  const shownError = pastedOnly(error ?? estimate.error, recipients.length);
  const describeRecipient = (d: ErrorDetail) => {
    const line = d.index === undefined ? undefined : recipients[d.index]?.line;
    return line === undefined ? undefined : t("send.line", { n: line });
  };
  const bytes = smsBytes(form.text);
  // Links go out as tracked links: the server counts the text with them, and so does its estimate.
  const links =
    form.mode === "text"
      ? hasLink(form.text)
      : Boolean(
          template?.buttons.some((b) => hasLink(b.linkMobile) || hasLink(b.linkPc)) ||
            hasLink(template?.fallback?.text),
        );
  const shownEstimate = estimate.json === bodyJson ? estimate.value : null;
  const sentAs = shownEstimate
    ? shownEstimate.cost.expected.byType.lms !== "0.00"
      ? "lms"
      : shownEstimate.cost.expected.byType.sms !== "0.00"
        ? "sms"
        : null
    : null;
  const bytesHint =
    form.mode === "text" && links && form.trackLinks
      ? t(sentAs ? "send.bytesTrackedAs" : "send.bytesTracked", {
          n: bytes,
          type: sentAs ? t(`type.${sentAs}`) : "",
        })
      : t(bytes > SMS_BYTES ? "send.bytesLms" : "send.bytesSms", { n: bytes, max: SMS_BYTES });
  const setAdvertising = (on: boolean) =>
    setForm((f) => ({ ...f, advertising: on, ...(on ? { mode: "text" as const } : {}) }));

  return (
    <>
      <PageHeader title={t("send.title")} />
      <form className="send-layout" onSubmit={submit} noValidate>
        <div className="send-main">
          <Panel title={t("send.content")}>
            <div className="segmented" role="radiogroup" aria-label={t("send.contentKind")}>
              {(["template", "text"] as const).map((mode) => (
                <label key={mode} className={form.mode === mode ? "on" : undefined}>
                  <input
                    type="radio"
                    name="mode"
                    value={mode}
                    checked={form.mode === mode}
                    disabled={mode === "template" && form.advertising}
                    onChange={() => set("mode", mode)}
                  />
                  {t(mode === "template" ? "send.modeTemplate" : "send.modeText")}
                </label>
              ))}
            </div>
            {form.advertising ? <p className="hint">{t("send.adTextOnly")}</p> : null}
            {form.mode === "template" ? (
              <>
                <Field
                  id="send-template"
                  label={t("send.template")}
                  name="template"
                  error={shownError}
                >
                  <select
                    id="send-template"
                    value={form.templateCode}
                    onChange={(e) => set("templateCode", e.target.value)}
                  >
                    {approved.length === 0 ? (
                      <option value="">{t("send.noTemplates")}</option>
                    ) : null}
                    {approved.map((tpl) => (
                      <option key={tpl.code} value={tpl.code}>
                        {tpl.code}
                      </option>
                    ))}
                  </select>
                </Field>
                {template ? <pre className="template-body">{template.body}</pre> : null}
                {template?.variables.map((name) => (
                  <Field
                    key={name}
                    id={`send-var-${name}`}
                    label={t("send.variable", { name })}
                    hint={name === "name" ? t("send.nameFromRecipient") : undefined}
                  >
                    <input
                      id={`send-var-${name}`}
                      value={form.variables[name] ?? ""}
                      onChange={(e) =>
                        set("variables", { ...form.variables, [name]: e.target.value })
                      }
                    />
                  </Field>
                ))}
                <Field
                  id="send-strategy"
                  label={t("send.strategy")}
                  name="strategy"
                  error={shownError}
                >
                  <select
                    id="send-strategy"
                    value={form.strategy}
                    onChange={(e) => set("strategy", e.target.value as SendForm["strategy"])}
                  >
                    <option value="alimtalk_first">{t("strategy.alimtalk_first")}</option>
                    <option value="alimtalk_only">{t("strategy.alimtalk_only")}</option>
                    <option value="cost_optimized">{t("strategy.cost_optimized")}</option>
                  </select>
                </Field>
              </>
            ) : (
              <>
                <Field id="send-type" label={t("send.textType")} name="type" error={shownError}>
                  <select
                    id="send-type"
                    value={form.textType}
                    onChange={(e) => set("textType", e.target.value as SendForm["textType"])}
                  >
                    <option value="auto">{t("type.auto")}</option>
                    <option value="sms">{t("type.sms")}</option>
                    <option value="lms">{t("type.lms")}</option>
                  </select>
                </Field>
                {form.textType !== "sms" ? (
                  <Field
                    id="send-subject"
                    label={t("send.subject")}
                    name="subject"
                    error={shownError}
                  >
                    <input
                      id="send-subject"
                      value={form.subject}
                      onChange={(e) => set("subject", e.target.value)}
                    />
                  </Field>
                ) : null}
                <Field
                  id="send-text"
                  label={t("send.text")}
                  name="text"
                  error={shownError}
                  hint={bytesHint}
                >
                  <textarea
                    id="send-text"
                    rows={5}
                    value={form.text}
                    onChange={(e) => set("text", e.target.value)}
                  />
                </Field>
                {form.advertising ? (
                  <div className="banner info small stack tight" data-testid="ad-rules">
                    <span>{t("send.adRules")}</span>
                    {form.text.startsWith(AD_PREFIX) ? null : (
                      <Button small onClick={() => set("text", withAdPrefix(form.text))}>
                        {t("send.adPrefix")}
                      </Button>
                    )}
                  </div>
                ) : null}
              </>
            )}
            {links ? (
              <div className="track-links" data-testid="track-links">
                <label className="check">
                  <input
                    type="checkbox"
                    checked={form.trackLinks}
                    onChange={(e) => set("trackLinks", e.target.checked)}
                  />
                  {t("send.trackLinks")}
                </label>
                <div className="hint">
                  {t(form.trackLinks ? "send.trackLinksOn" : "send.trackLinksOff")}
                </div>
              </div>
            ) : null}
            <Field id="send-from" label={t("send.from")} name="from" error={shownError}>
              <select
                id="send-from"
                value={form.from}
                onChange={(e) => set("from", e.target.value)}
              >
                <option value="">{t("send.fromDefault")}</option>
                {verified.map((s) => (
                  <option key={s.id} value={s.number}>
                    {s.number}
                    {s.isDefault ? ` (${t("send.default")})` : ""}
                  </option>
                ))}
              </select>
            </Field>
          </Panel>
          <Panel title={t("send.advertising")} id="send-advertising">
            <label className="check">
              <input
                type="checkbox"
                checked={form.advertising}
                onChange={(e) => setAdvertising(e.target.checked)}
              />
              {t("send.isAdvertising")}
            </label>
            <FieldErrors name="advertising" error={shownError} />
            {form.advertising ? (
              <>
                <p className="hint">{t("send.adConsentHint")}</p>
                <fieldset className="field">
                  <legend>{t("send.nightPolicy")}</legend>
                  <div className="segmented" role="radiogroup" aria-label={t("send.nightPolicy")}>
                    {(["defer", "reject"] as const).map((policy) => (
                      <label
                        key={policy}
                        className={form.nightPolicy === policy ? "on" : undefined}
                      >
                        <input
                          type="radio"
                          name="nightPolicy"
                          value={policy}
                          checked={form.nightPolicy === policy}
                          onChange={() => set("nightPolicy", policy)}
                        />
                        {t(policy === "defer" ? "send.nightDefer" : "send.nightReject")}
                      </label>
                    ))}
                  </div>
                  <div className="hint">{t("send.nightHint")}</div>
                </fieldset>
                {recipients.length > 0 ? (
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={form.consentConfirmed}
                      onChange={(e) => set("consentConfirmed", e.target.checked)}
                    />
                    {t("send.consentConfirmed")}
                  </label>
                ) : null}
              </>
            ) : null}
          </Panel>
          <Panel title={t("send.recipients")}>
            <GroupPicker
              groups={groups.data?.data}
              value={form.groupIds}
              onChange={(ids) => set("groupIds", ids)}
            />
            <FieldErrors name="groupIds" error={shownError} />
            <Field
              id="send-recipients"
              label={t("send.recipientsLabel", { n: recipients.length })}
              name="recipients"
              error={shownError}
              hint={t("send.recipientsHint")}
              describe={describeRecipient}
            >
              <textarea
                id="send-recipients"
                className="mono"
                rows={8}
                spellCheck={false}
                placeholder={"010-1234-5678, 홍길동\n010-0000-0001"}
                value={form.recipients}
                onChange={(e) => set("recipients", e.target.value)}
              />
            </Field>
          </Panel>
          <Panel title={t("send.when")}>
            <div className="segmented" role="radiogroup" aria-label={t("send.whenKind")}>
              {(["now", "later"] as const).map((when) => (
                <label key={when} className={form.when === when ? "on" : undefined}>
                  <input
                    type="radio"
                    name="when"
                    value={when}
                    checked={form.when === when}
                    onChange={() => set("when", when)}
                  />
                  {t(when === "now" ? "send.now" : "send.later")}
                </label>
              ))}
            </div>
            {form.when === "later" ? (
              <Field
                id="send-at"
                label={t("send.sendAt")}
                name="sendAt"
                error={shownError}
                hint={t("send.sendAtZone", {
                  zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
                })}
              >
                <input
                  id="send-at"
                  type="datetime-local"
                  value={form.sendAt}
                  onChange={(e) => set("sendAt", e.target.value)}
                />
              </Field>
            ) : null}
          </Panel>
        </div>
        <aside className="send-side">
          <Panel
            title={t("send.estimate")}
            actions={
              ready ? (
                <Button small kind="ghost" onClick={() => setRound((r) => r + 1)}>
                  {t("send.estimateAgain")}
                </Button>
              ) : null
            }
          >
            <EstimatePanel
              estimate={shownEstimate}
              error={estimate.json === bodyJson ? estimate.error : null}
              loading={estimating}
              recipients={recipients}
              groups={form.groupIds.length}
              timeZone={acting.timezone}
            />
            <ErrorBanner error={pastedOnly(error, recipients.length)} fields={FIELDS} />
            <Button
              type="submit"
              kind="primary"
              busy={sending}
              disabled={!ready || (form.when === "later" && !form.sendAt)}
            >
              {form.when === "later" ? t("send.schedule") : t("send.submit")}
            </Button>
          </Panel>
        </aside>
      </form>
    </>
  );
}
