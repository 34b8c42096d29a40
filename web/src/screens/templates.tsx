// Alimtalk templates: the list with each one's review status; a draft
// written (its body with #{var}, buttons whose web links may carry #{var},
// the fallback text and subject) and saved as it is typed, beside a live
// preview from the server (POST /v1/templates/{code}/preview) for a contact
// picked or variables given: the text, the buttons' links, the fallback's
// type and bytes, and the prices. Then its review requested; the platform
// operator approves or rejects it, saying why; the reviewers' comments; an
// approved template is locked, and copied as a new one to change it.
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, type ErrorDetail, unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import {
  EDITABLE_TEMPLATE,
  type Template,
  type TemplateBody,
  type TemplateButton,
  type TemplatePreview,
  type TemplateStatus,
} from "../api/types.ts";
import { Button, detailText, ErrorBanner, Field, FieldErrors } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { StatusBadge } from "../components/status.tsx";
import { formatCredits, formatPhone, formatTime } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { useIdempotencyKeys } from "../idempotency.ts";
import { historyState, Link, navigate } from "../router.tsx";
import { useLoad } from "../use-load.ts";

const STATUSES: TemplateStatus[] = ["draft", "requested", "inspecting", "approved", "rejected"];
const BUTTON_TYPES: TemplateButton["type"][] = ["WL", "AL", "DS", "BK", "MD", "AC"];
const MAX_BUTTONS = 5;
const SAVE_AFTER_MS = 700;
const PREVIEW_AFTER_MS = 300;
const FIELDS = ["code", "body", "buttons", "fallback"];

export function TemplatesScreen() {
  const { t, locale } = useI18n();
  const { api, acting, role } = useSession();
  const writable = role !== "viewer";
  const [status, setStatus] = useState<TemplateStatus | "">("");
  const paged = usePaged(`${acting.id}:${status}`, (cursor) =>
    unwrap(
      api.GET("/v1/templates", {
        params: { query: { limit: 50, cursor, ...(status ? { status } : {}) } },
      }),
    ),
  );
  const list = paged.data?.data ?? [];
  return (
    <>
      <PageHeader
        title={t("templates.title")}
        actions={
          writable ? (
            <Link to="/templates/new" className="button primary">
              {t("templates.new")}
            </Link>
          ) : null
        }
      />
      <p className="intro muted">{t("templates.intro")}</p>
      <Panel
        actions={
          <label className="inline">
            <span>{t("template.status")}</span>
            <select
              value={status}
              onChange={(e) => setStatus(e.target.value as TemplateStatus | "")}
            >
              <option value="">{t("campaigns.all")}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
        }
      >
        <ErrorBanner error={paged.error} />
        {paged.data && list.length === 0 ? (
          <Empty>{t("templates.none")}</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="templates">
              <thead>
                <tr>
                  <th>{t("template.code")}</th>
                  <th>{t("template.status")}</th>
                  <th className="hide-sm">{t("template.body")}</th>
                  <th className="hide-sm">{t("template.updatedAt")}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((tpl) => (
                  <tr key={tpl.code} data-template={tpl.code}>
                    <td>
                      <Link to={`/templates/${encodeURIComponent(tpl.code)}`} className="strong">
                        {tpl.code}
                      </Link>
                      <div className="muted small">
                        {tpl.variables.map((v) => `#{${v}}`).join(" ")}
                      </div>
                    </td>
                    <td>
                      <StatusBadge status={tpl.status} />
                    </td>
                    <td className="hide-sm small clip">{tpl.body}</td>
                    <td className="hide-sm small">
                      {formatTime(tpl.updatedAt, locale, acting.timezone)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager paged={paged} />
      </Panel>
    </>
  );
}

/** The editor's fields. */
interface Draft {
  code: string;
  body: string;
  buttons: TemplateButton[];
  fallbackText: string;
  fallbackSubject: string;
}

const EMPTY_DRAFT: Draft = {
  code: "",
  body: "",
  buttons: [],
  fallbackText: "",
  fallbackSubject: "",
};

function draftOf(t: Template): Draft {
  return {
    code: t.code,
    body: t.body,
    buttons: t.buttons,
    fallbackText: t.fallback?.text ?? "",
    fallbackSubject: t.fallback?.subject ?? "",
  };
}

/** A button as the API takes it: its type's fields, none of them blank. */
function cleanButton(b: TemplateButton): TemplateButton {
  const out: TemplateButton = { type: b.type, name: b.name };
  const keep = (key: "linkMobile" | "linkPc" | "schemeAndroid" | "schemeIos") => {
    const value = b[key]?.trim();
    if (value) out[key] = value;
  };
  if (b.type === "WL") {
    keep("linkMobile");
    keep("linkPc");
  } else if (b.type === "AL") {
    keep("linkMobile");
    keep("schemeAndroid");
    keep("schemeIos");
  }
  return out;
}

function contentOf(d: Draft): Omit<TemplateBody, "code"> {
  const fallback =
    d.fallbackText || d.fallbackSubject
      ? {
          ...(d.fallbackText ? { text: d.fallbackText } : {}),
          ...(d.fallbackSubject ? { subject: d.fallbackSubject } : {}),
        }
      : undefined;
  return {
    body: d.body,
    buttons: d.buttons.map(cleanButton),
    ...(fallback ? { fallback } : {}),
  };
}

/** What the copy of an approved template starts from (its code made new). */
interface CopyState {
  copyOf: Draft;
}

function initialDraft(): Draft {
  const copy = (historyState() as Partial<CopyState> | null)?.copyOf;
  if (!copy || typeof copy.body !== "string") return EMPTY_DRAFT;
  return { ...EMPTY_DRAFT, ...copy };
}

/** The details an error gives one button: "/buttons/2/…". */
function buttonDetails(error: unknown, index: number): ErrorDetail[] {
  if (!(error instanceof ApiError)) return [];
  return error.details.filter((d) => d.path?.startsWith(`/buttons/${index}`));
}

function ButtonsEditor({
  buttons,
  onChange,
  disabled,
  error,
}: {
  buttons: TemplateButton[];
  onChange(buttons: TemplateButton[]): void;
  disabled: boolean;
  error: unknown;
}) {
  const { t } = useI18n();
  const set = (i: number, change: Partial<TemplateButton>) =>
    onChange(buttons.map((b, j) => (j === i ? { ...b, ...change } : b)));
  return (
    <fieldset className="field" data-testid="template-buttons">
      <legend>{t("template.buttons")}</legend>
      {buttons.length === 0 ? <p className="muted small">{t("template.noButtons")}</p> : null}
      {buttons.map((b, i) => {
        const problems = buttonDetails(error, i);
        const n = i + 1;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: buttons are told apart by their place
          <div key={i} className={problems.length ? "button-row invalid" : "button-row"}>
            <div className="button-row-head">
              <select
                aria-label={t("template.buttonType", { n })}
                value={b.type}
                disabled={disabled}
                onChange={(e) => set(i, { type: e.target.value as TemplateButton["type"] })}
              >
                {BUTTON_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {t(`button.${type}` as MessageKey)}
                  </option>
                ))}
              </select>
              <input
                aria-label={t("template.buttonName", { n })}
                value={b.name}
                placeholder={t("template.buttonNamePlaceholder")}
                disabled={disabled}
                onChange={(e) => set(i, { name: e.target.value })}
              />
              {disabled ? null : (
                <Button
                  small
                  kind="ghost"
                  label={t("template.buttonRemove", { n })}
                  onClick={() => onChange(buttons.filter((_, j) => j !== i))}
                >
                  ✕
                </Button>
              )}
            </div>
            {b.type === "WL" || b.type === "AL" ? (
              <div className="grid-2">
                {(b.type === "WL"
                  ? (["linkMobile", "linkPc"] as const)
                  : (["schemeAndroid", "schemeIos"] as const)
                ).map((key) => (
                  <label key={key} className="mini-field">
                    <span>{t(`template.${key}Short` as MessageKey)}</span>
                    <input
                      aria-label={t(`template.${key}` as MessageKey, { n })}
                      value={b[key] ?? ""}
                      placeholder={
                        key.startsWith("link")
                          ? "https://example.com/coupon?c=#{code}"
                          : "myapp://coupon"
                      }
                      disabled={disabled}
                      onChange={(e) => set(i, { [key]: e.target.value })}
                    />
                  </label>
                ))}
              </div>
            ) : null}
            {problems.length > 0 ? (
              <ul className="field-errors" data-field-error={`buttons/${i}`}>
                {problems.map((d) => (
                  <li key={`${d.path}:${d.code}`}>{detailText(t, d)}</li>
                ))}
              </ul>
            ) : null}
          </div>
        );
      })}
      {disabled || buttons.length >= MAX_BUTTONS ? null : (
        <div>
          <Button
            small
            onClick={() => onChange([...buttons, { type: "WL", name: "", linkMobile: "" }])}
          >
            {t("template.buttonAdd")}
          </Button>
        </div>
      )}
      <div className="hint">{t("template.buttonsHint")}</div>
    </fieldset>
  );
}

/** The template's fields; `locked`: shown, not changed. */
function TemplateFields({
  draft,
  onChange,
  locked,
  isNew,
  error,
}: {
  draft: Draft;
  onChange(draft: Draft): void;
  locked: boolean;
  isNew: boolean;
  error: unknown;
}) {
  const { t } = useI18n();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    onChange({ ...draft, [key]: value });
  return (
    <div className="stack">
      {isNew ? (
        <Field
          id="template-code"
          label={t("template.code")}
          name="code"
          error={error}
          hint={t("template.codeHint")}
        >
          <input
            id="template-code"
            value={draft.code}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => set("code", e.target.value)}
          />
        </Field>
      ) : null}
      <Field
        id="template-body"
        label={t("template.body")}
        name="body"
        error={error}
        hint={t("template.bodyHint")}
      >
        <textarea
          id="template-body"
          rows={7}
          value={draft.body}
          readOnly={locked}
          onChange={(e) => set("body", e.target.value)}
        />
      </Field>
      <ButtonsEditor
        buttons={draft.buttons}
        onChange={(buttons) => set("buttons", buttons)}
        disabled={locked}
        error={error}
      />
      <fieldset className="field">
        <legend>{t("template.fallback")}</legend>
        <p className="hint">{t("template.fallbackHint")}</p>
        <Field id="template-fallback-subject" label={t("template.fallbackSubject")}>
          <input
            id="template-fallback-subject"
            value={draft.fallbackSubject}
            readOnly={locked}
            onChange={(e) => set("fallbackSubject", e.target.value)}
          />
        </Field>
        <Field id="template-fallback-text" label={t("template.fallbackText")}>
          <textarea
            id="template-fallback-text"
            rows={3}
            value={draft.fallbackText}
            readOnly={locked}
            onChange={(e) => set("fallbackText", e.target.value)}
          />
        </Field>
        <FieldErrors name="fallback" error={error} />
      </fieldset>
    </div>
  );
}

function NewTemplate() {
  const { t } = useI18n();
  const { api } = useSession();
  const [start] = useState<Draft>(initialDraft);
  const [draft, setDraft] = useState<Draft>(start);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const keys = useIdempotencyKeys();
  // Copied from an approved template (its "copy as new").
  const copied = start !== EMPTY_DRAFT;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body: TemplateBody = { code: draft.code.trim(), ...contentOf(draft) };
    setBusy(true);
    setError(null);
    try {
      const created = await unwrap(
        api.POST("/v1/templates", { body, headers: { "idempotency-key": keys.keyFor(body) } }),
      );
      keys.done();
      navigate(`/templates/${encodeURIComponent(created.code)}`, { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <>
      <PageHeader title={t("templates.new")} />
      <p className="crumbs">
        <Link to="/templates">{t("templates.title")}</Link> / {t("templates.new")}
      </p>
      <form onSubmit={submit} className="template-layout" noValidate data-testid="new-template">
        <div className="template-content">
          <Panel title={t("template.content")}>
            {copied ? <p className="banner info small">{t("template.copyNote")}</p> : null}
            <ErrorBanner error={error} fields={FIELDS} />
            <TemplateFields draft={draft} onChange={setDraft} locked={false} isNew error={error} />
            <Button
              type="submit"
              kind="primary"
              busy={busy}
              disabled={!draft.code.trim() || !draft.body.trim()}
            >
              {t("template.saveDraft")}
            </Button>
          </Panel>
        </div>
        <div className="template-preview">
          <Panel title={t("template.preview")}>
            <p className="muted">{t("template.previewAfterSave")}</p>
          </Panel>
        </div>
      </form>
    </>
  );
}

type SaveState = "saved" | "unsaved" | "saving" | "failed";

/** Keeps an editable template saved as it is typed; the latest stored template comes back. */
function useAutoSave(template: Template, draft: Draft, editable: boolean) {
  const { api } = useSession();
  const [stored, setStored] = useState(template);
  const [state, setState] = useState<SaveState>("saved");
  const [error, setError] = useState<unknown>(null);
  const savedJson = useRef(JSON.stringify(contentOf(draftOf(template))));
  const json = JSON.stringify(contentOf(draft));
  useEffect(() => {
    if (!editable || json === savedJson.current) return;
    setState("unsaved");
    let live = true;
    const timer = setTimeout(async () => {
      setState("saving");
      const content = JSON.parse(json) as ReturnType<typeof contentOf>;
      try {
        const saved = await unwrap(
          api.PATCH("/v1/templates/{code}", {
            params: { path: { code: template.code } },
            body: { ...content, fallback: content.fallback ?? null },
          }),
        );
        savedJson.current = json;
        if (!live) return;
        setStored(saved);
        setError(null);
        setState("saved");
      } catch (err) {
        if (!live) return;
        setError(err);
        setState("failed");
      }
    }, SAVE_AFTER_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, editable, json, template.code]);
  return { stored, setStored, state, error };
}

/** Contacts found by name or number, one picked for the preview. */
function ContactPicker({
  value,
  onChange,
}: {
  value: { id: string; label: string } | null;
  onChange(contact: { id: string; label: string } | null): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const found = useLoad(`preview-contacts:${query}`, () =>
    query
      ? unwrap(api.GET("/v1/contacts", { params: { query: { search: query, limit: 8 } } }))
      : Promise.resolve(null),
  );
  if (value) {
    return (
      <div className="row wrap" data-testid="preview-contact">
        <span className="badge info">{value.label}</span>
        <Button small kind="ghost" onClick={() => onChange(null)}>
          {t("template.previewNoContact")}
        </Button>
      </div>
    );
  }
  const results = found.data?.data ?? [];
  return (
    <div className="stack tight">
      <input
        type="search"
        aria-label={t("template.previewContact")}
        placeholder={t("contacts.searchPlaceholder")}
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      {query && found.data && results.length === 0 ? (
        <span className="muted small">{t("contacts.noneFound")}</span>
      ) : null}
      {results.length > 0 ? (
        <ul className="pick-list bordered" data-testid="preview-contacts">
          {results.map((c) => {
            const label = `${c.name ?? t("contact.noName")} · ${formatPhone(c.phone)}`;
            return (
              <li key={c.id}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    setSearch("");
                    onChange({ id: c.id, label });
                  }}
                >
                  {label}
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}

function PreviewView({ preview }: { preview: TemplatePreview }) {
  const { t, locale } = useI18n();
  // Variables without a value are said once, above.
  const problems = preview.problems.filter((p) => p.code !== "MISSING_VARIABLE");
  return (
    <div className="stack" data-testid="template-preview">
      <div className="kakao">
        <div className="kakao-head">{t("template.previewHead")}</div>
        <div className="kakao-body" data-testid="preview-body">
          {preview.body}
        </div>
        {preview.buttons.length > 0 ? (
          <ul className="kakao-buttons" data-testid="preview-buttons">
            {preview.buttons.map((b, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the buttons in their order
              <li key={i}>
                <span className="kakao-button">{b.name}</span>
                {b.linkMobile ? (
                  <span className="kakao-link break" data-testid="preview-link">
                    {b.linkMobile}
                  </span>
                ) : null}
                {b.linkPc && b.linkPc !== b.linkMobile ? (
                  <span className="kakao-link break">PC: {b.linkPc}</span>
                ) : null}
                {b.schemeAndroid || b.schemeIos ? (
                  <span className="kakao-link break">
                    {[b.schemeAndroid, b.schemeIos].filter(Boolean).join(" · ")}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <div className="small muted" data-testid="preview-characters">
        {t("template.characters", { n: preview.characters.toLocaleString(locale) })}
      </div>
      {preview.missing.length > 0 ? (
        <p className="banner info small" data-testid="preview-missing">
          {t("template.missing", { names: preview.missing.map((n) => `#{${n}}`).join(", ") })}
        </p>
      ) : null}
      <dl className="kv" data-testid="preview-fallback">
        <dt>{t("template.fallbackType")}</dt>
        <dd>
          {preview.fallback.type
            ? t("template.fallbackTypeBytes", {
                type: t(`type.${preview.fallback.type}` as MessageKey),
                n: preview.fallback.bytes.toLocaleString(locale),
              })
            : t("template.fallbackNone")}
        </dd>
        <dt>{t("template.priceAlimtalk")}</dt>
        <dd>{formatCredits(preview.price.alimtalk)}</dd>
        <dt>{t("template.priceFallback")}</dt>
        <dd>{formatCredits(preview.price.fallback)}</dd>
        <dt>{t("template.priceWorst")}</dt>
        <dd className="strong" data-testid="preview-worst">
          {formatCredits(preview.price.worstCase)}
        </dd>
      </dl>
      {preview.fallback.text ? (
        <div className="sms-preview" data-testid="preview-fallback-text">
          {preview.fallback.subject && preview.fallback.type === "lms" ? (
            <div className="strong">{preview.fallback.subject}</div>
          ) : null}
          {preview.fallback.text}
        </div>
      ) : null}
      {problems.length > 0 ? (
        <ul className="field-errors" data-testid="preview-problems">
          {problems.map((p) => (
            <li key={`${p.path}:${p.code}`}>{detailText(t, p)}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function LivePreview({ template }: { template: Template }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [contact, setContact] = useState<{ id: string; label: string } | null>(null);
  const [variables, setVariables] = useState<Record<string, string>>({});
  const [answer, setAnswer] = useState<{ value: TemplatePreview | null; error: unknown }>({
    value: null,
    error: null,
  });
  const filled = useMemo(
    () => Object.fromEntries(Object.entries(variables).filter(([, v]) => v !== "")),
    [variables],
  );
  const request = JSON.stringify({
    ...(contact ? { contactId: contact.id } : {}),
    ...(Object.keys(filled).length > 0 ? { variables: filled } : {}),
  });
  // The stored template changed (saved as typed): the same request shows it anew.
  const version = `${template.code}@${template.updatedAt}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version previews the same request again
  useEffect(() => {
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const value = await unwrap(
          api.POST("/v1/templates/{code}/preview", {
            params: { path: { code: template.code } },
            body: JSON.parse(request) as { contactId?: string; variables?: Record<string, string> },
          }),
        );
        if (live) setAnswer({ value, error: null });
      } catch (error) {
        if (live) setAnswer((a) => ({ value: a.value, error }));
      }
    }, PREVIEW_AFTER_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, request, template.code, version]);
  return (
    <div className="stack">
      <fieldset className="field">
        <legend>{t("template.previewFor")}</legend>
        <ContactPicker value={contact} onChange={setContact} />
        {template.variables.map((name) => (
          <Field key={name} id={`preview-var-${name}`} label={t("send.variable", { name })}>
            <input
              id={`preview-var-${name}`}
              value={variables[name] ?? ""}
              placeholder={contact ? t("template.fromContact") : undefined}
              onChange={(e) => setVariables({ ...variables, [name]: e.target.value })}
            />
          </Field>
        ))}
      </fieldset>
      <ErrorBanner error={answer.error} />
      {answer.value ? (
        <PreviewView preview={answer.value} />
      ) : (
        <p className="muted">{t("common.loading")}</p>
      )}
    </div>
  );
}

function Review({
  template,
  pending,
  onChanged,
}: {
  template: Template;
  /** Changes typed and not saved yet: the review waits for them. */
  pending: boolean;
  onChanged(t: Template): void;
}) {
  const { t, locale } = useI18n();
  const { api, acting, home, role } = useSession();
  const writable = role !== "viewer";
  const operator = home.kind === "platform" && (role === "admin" || role === "owner");
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const comments = useLoad(`${template.code}@${template.updatedAt}:${template.status}`, () =>
    unwrap(
      api.GET("/v1/templates/{code}/comments", {
        params: { path: { code: template.code }, query: { limit: 50 } },
      }),
    ),
  );
  const run = async (what: string, call: () => Promise<Template>) => {
    setBusy(what);
    setError(null);
    try {
      onChanged(await call());
      setComment("");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const path = { params: { path: { code: template.code } } };
  const underReview = template.status === "requested" || template.status === "inspecting";
  const byOperator = template.review?.reviewer !== "vendor";
  const review = template.review;
  const list = comments.data?.data ?? [];
  return (
    <Panel title={t("template.review")} id="template-review">
      <div className="campaign-head">
        <StatusBadge status={template.status} testId="template-status" />
        <span className="muted small">
          {t(`template.statusHint.${template.status}` as MessageKey)}
        </span>
      </div>
      {review ? (
        <dl className="kv">
          <dt>{t("template.reviewer")}</dt>
          <dd>
            {review.reviewer === "vendor"
              ? t("template.reviewerVendor", { status: review.vendorStatus ?? "–" })
              : t("template.reviewerOperator")}
          </dd>
          <dt>{t("template.requestedAt")}</dt>
          <dd>{formatTime(review.requestedAt, locale, acting.timezone)}</dd>
          {review.reviewedAt ? (
            <>
              <dt>{t("template.reviewedAt")}</dt>
              <dd>{formatTime(review.reviewedAt, locale, acting.timezone)}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <ErrorBanner error={error} fields={["comment"]} />
      {writable && EDITABLE_TEMPLATE.includes(template.status) ? (
        <div>
          <Button
            kind="primary"
            busy={busy === "request"}
            disabled={busy !== null || pending}
            onClick={() =>
              void run("request", () =>
                unwrap(api.POST("/v1/templates/{code}/request-review", path)),
              )
            }
          >
            {t("template.requestReview")}
          </Button>
          {pending ? <p className="hint">{t("template.savingFirst")}</p> : null}
        </div>
      ) : null}
      {operator && underReview && byOperator ? (
        <div className="operator-box stack tight" data-testid="operator-review">
          <strong>{t("template.operatorTitle")}</strong>
          <Field id="review-comment" label={t("template.comment")} name="comment" error={error}>
            <textarea
              id="review-comment"
              rows={2}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
            />
          </Field>
          <div className="row wrap">
            <Button
              kind="primary"
              busy={busy === "approve"}
              disabled={busy !== null}
              onClick={() =>
                void run("approve", () => unwrap(api.POST("/v1/templates/{code}/approve", path)))
              }
            >
              {t("template.approve")}
            </Button>
            <Button
              kind="danger"
              busy={busy === "reject"}
              disabled={busy !== null || !comment.trim()}
              onClick={() =>
                void run("reject", () =>
                  unwrap(
                    api.POST("/v1/templates/{code}/reject", {
                      ...path,
                      body: { comment: comment.trim() },
                    }),
                  ),
                )
              }
            >
              {t("template.reject")}
            </Button>
          </div>
          <p className="hint">{t("template.rejectHint")}</p>
        </div>
      ) : null}
      <div>
        <h3>{t("template.comments")}</h3>
        <ErrorBanner error={comments.error} />
        {comments.data && list.length === 0 ? (
          <p className="muted small">{t("template.noComments")}</p>
        ) : (
          <ul className="comments" data-testid="template-comments">
            {list.map((c) => (
              <li key={c.id}>
                <div className="small muted">
                  {t(c.source === "vendor" ? "template.fromVendor" : "template.fromOperator")}
                  {c.author ? ` · ${c.author}` : ""} ·{" "}
                  {formatTime(c.createdAt, locale, acting.timezone)}
                </div>
                <div>{c.body}</div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Panel>
  );
}

function TemplateEditor({ template }: { template: Template }) {
  const { t } = useI18n();
  const { api, role } = useSession();
  const writable = role !== "viewer";
  const [draft, setDraft] = useState<Draft>(() => draftOf(template));
  const [current, setCurrent] = useState(template);
  const editable = writable && EDITABLE_TEMPLATE.includes(current.status);
  const save = useAutoSave(template, draft, editable);
  const { stored, setStored } = save;
  // What the server stored last: saved as typed, or changed by a review.
  useEffect(() => {
    if (stored.updatedAt !== current.updatedAt || stored.status !== current.status) {
      setCurrent(stored);
    }
  }, [stored, current]);
  const changed = (next: Template) => {
    setStored(next);
    setCurrent(next);
  };
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const remove = async () => {
    if (!window.confirm(t("template.deleteConfirm", { code: current.code }))) return;
    setDeleting(true);
    try {
      await unwrap(
        api.DELETE("/v1/templates/{code}", { params: { path: { code: current.code } } }),
      );
      navigate("/templates", { replace: true });
    } catch (err) {
      setError(err);
      setDeleting(false);
    }
  };
  const copy = () => {
    const state: CopyState = { copyOf: { ...draftOf(current), code: `${current.code}_2` } };
    navigate("/templates/new", { state });
  };
  const locked = !editable;
  const pending = save.state === "unsaved" || save.state === "saving" || save.state === "failed";
  return (
    <>
      <PageHeader
        title={current.code}
        actions={
          <>
            {writable && current.status !== "approved" ? (
              <Button onClick={copy}>{t("template.copy")}</Button>
            ) : null}
            {writable && EDITABLE_TEMPLATE.includes(current.status) ? (
              <Button kind="danger" busy={deleting} onClick={() => void remove()}>
                {t("common.delete")}
              </Button>
            ) : null}
          </>
        }
      />
      <p className="crumbs">
        <Link to="/templates">{t("templates.title")}</Link> / <code>{current.code}</code>
      </p>
      <ErrorBanner error={error} />
      {current.status === "approved" ? (
        <div className="banner info row wrap" data-testid="template-locked">
          <span>{t("template.lockedApproved")}</span>
          {writable ? (
            <Button small kind="primary" onClick={copy}>
              {t("template.copy")}
            </Button>
          ) : null}
        </div>
      ) : null}
      {current.status === "requested" || current.status === "inspecting" ? (
        <div className="banner info" data-testid="template-locked">
          {t("template.lockedReview")}
        </div>
      ) : null}
      <div className="template-layout">
        <div className="template-content">
          <Panel
            title={t("template.content")}
            actions={
              editable ? (
                <span
                  className={`save-state ${save.state}`}
                  data-testid="save-state"
                  data-state={save.state}
                >
                  {t(`template.save.${save.state}` as MessageKey)}
                </span>
              ) : null
            }
          >
            <ErrorBanner error={save.error} fields={FIELDS} />
            <TemplateFields
              draft={draft}
              onChange={setDraft}
              locked={locked}
              isNew={false}
              error={save.error}
            />
          </Panel>
        </div>
        <div className="template-preview">
          <Panel title={t("template.preview")} id="template-preview-panel">
            <LivePreview template={current} />
          </Panel>
        </div>
        <div className="template-review">
          <Review template={current} pending={pending} onChanged={changed} />
        </div>
      </div>
    </>
  );
}

export function TemplateScreen({ code }: { code: string }) {
  const { api } = useSession();
  const loaded = useLoad(code, () =>
    code === "new"
      ? Promise.resolve(null)
      : unwrap(api.GET("/v1/templates/{code}", { params: { path: { code } } })),
  );
  if (code === "new") return <NewTemplate />;
  return (
    <>
      <ErrorBanner error={loaded.error} />
      {loaded.data ? <TemplateEditor key={loaded.data.id} template={loaded.data} /> : null}
    </>
  );
}
