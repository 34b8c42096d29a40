// Form parts: a labelled field that shows the API's messages for it, the
// banner for an error no field owns, and a button that waits for its work.
import type { ReactNode } from "react";
import { ApiError, type ErrorDetail, fieldMessages, namesAField } from "../api/errors.ts";
import { type MessageKey, type Translate, useI18n } from "../i18n.tsx";

/** A detail's message in the console's language when its code is known. */
export function detailText(t: Translate, detail: ErrorDetail): string {
  const key = `detail.${detail.code}` as MessageKey;
  const known = t(key);
  return known === key ? (detail.message ?? detail.code ?? "") : known;
}

/** An error's message in the console's language when its code is known. */
export function errorText(t: Translate, error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const key = `error.${error.code}` as MessageKey;
  const known = t(key);
  return known === key ? error.message : known;
}

interface FieldProps {
  id: string;
  label: string;
  /** The request's field this input fills: its errors are shown here. */
  name?: string;
  error?: unknown;
  hint?: ReactNode;
  /** What to say before each message, e.g. which line of a list it is about. */
  describe?: (detail: ErrorDetail) => string | undefined;
  children: ReactNode;
}

export function Field({ id, label, name, error, hint, describe, children }: FieldProps) {
  const invalid = name ? fieldMessages(error, name).length > 0 : false;
  return (
    <div className={invalid ? "field invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? <div className="hint">{hint}</div> : null}
      {name ? <FieldErrors name={name} error={error} describe={describe} /> : null}
    </div>
  );
}

/** The API's messages about the request's field `name`. */
export function FieldErrors({
  name,
  error,
  describe,
}: {
  name: string;
  error: unknown;
  describe?: FieldProps["describe"];
}) {
  const { t } = useI18n();
  const messages = fieldMessages(error, name);
  if (messages.length === 0) return null;
  return (
    <ul className="field-errors" data-field-error={name}>
      {messages.map((d) => (
        <li key={`${d.path}:${d.code}:${d.message}`}>
          {describe?.(d) ? `${describe(d)}: ` : ""}
          {detailText(t, d)}
        </li>
      ))}
    </ul>
  );
}

/** The error, unless every part of it is shown beside a field of `fields`. */
export function ErrorBanner({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  const { t } = useI18n();
  if (!error) return null;
  if (namesAField(error, fields)) {
    return (
      <div className="banner error" role="alert">
        {t("form.fixFields")}
      </div>
    );
  }
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <div className="banner error" role="alert">
      <span>{errorText(t, error)}</span>
      {requestId ? <span className="muted small"> ({requestId})</span> : null}
    </div>
  );
}

interface ButtonProps {
  children: ReactNode;
  busy?: boolean;
  kind?: "primary" | "secondary" | "danger" | "ghost";
  type?: "button" | "submit";
  disabled?: boolean;
  onClick?: () => void;
  small?: boolean;
  label?: string;
}

export function Button({
  children,
  busy = false,
  kind = "secondary",
  type = "button",
  disabled = false,
  onClick,
  small = false,
  label,
}: ButtonProps) {
  const className = `button ${kind}${small ? " small" : ""}`;
  return (
    <button
      type={type === "submit" ? "submit" : "button"}
      className={className}
      disabled={disabled || busy}
      aria-busy={busy}
      aria-label={label}
      onClick={onClick}
    >
      {children}
    </button>
  );
}
