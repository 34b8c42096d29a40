// Sending: an Alimtalk template or a text, to numbers pasted one a line,
// now or at a time; the estimate is asked for as the form changes, and the
// send goes out with an Idempotency-Key so a retried click sends once.
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { type ErrorDetail, unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Estimate, SendBody } from "../api/types.ts";
import { EstimatePanel } from "../components/estimate-panel.tsx";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { PageHeader, Panel } from "../components/panel.tsx";
import { randomKey, smsBytes } from "../format.ts";
import { useI18n } from "../i18n.tsx";
import { navigate } from "../router.tsx";
import { buildSendBody, parseRecipients, type SendForm } from "../send-body.ts";
import { useLoad } from "../use-load.ts";

const FIELDS = ["recipients", "template", "text", "subject", "from", "sendAt", "type", "strategy"];
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
};

export function SendScreen() {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const [form, setForm] = useState<SendForm>(EMPTY);
  const set = <K extends keyof SendForm>(key: K, value: SendForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

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
    recipients.length > 0 &&
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
  }, [api, bodyJson, ready]);

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
      navigate(`/campaigns/${sent.campaignId}`);
    } catch (err) {
      setError(err);
      setSending(false);
    }
  };

  const shownError = error ?? estimate.error;
  const describeRecipient = (d: ErrorDetail) => {
    const line = d.index === undefined ? undefined : recipients[d.index]?.line;
    return line === undefined ? undefined : t("send.line", { n: line });
  };
  const bytes = smsBytes(form.text);

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
                    onChange={() => set("mode", mode)}
                  />
                  {t(mode === "template" ? "send.modeTemplate" : "send.modeText")}
                </label>
              ))}
            </div>
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
                  hint={t(bytes > SMS_BYTES ? "send.bytesLms" : "send.bytesSms", {
                    n: bytes,
                    max: SMS_BYTES,
                  })}
                >
                  <textarea
                    id="send-text"
                    rows={5}
                    value={form.text}
                    onChange={(e) => set("text", e.target.value)}
                  />
                </Field>
              </>
            )}
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
          <Panel title={t("send.recipients")}>
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
          <Panel title={t("send.estimate")}>
            <EstimatePanel
              estimate={estimate.json === bodyJson ? estimate.value : null}
              error={estimate.json === bodyJson ? estimate.error : null}
              loading={estimating}
              recipients={recipients}
            />
            <ErrorBanner error={error} fields={FIELDS} />
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
