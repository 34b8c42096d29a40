// The parts of a contact's form: its attributes as rows of a name and a
// value, and its consents (advertising, and advertising at night) with where
// they were given.
import type { ErrorDetail } from "../api/errors.ts";
import type { AttributeValue, Contact, Group } from "../api/types.ts";
import { formatTime } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { Button, FieldErrors } from "./form.tsx";

export interface AttributeRow {
  /** Stable across edits, for React. */
  id: number;
  key: string;
  value: string;
  /** The value as stored: a number or a boolean keeps its type while its text is unchanged. */
  original?: AttributeValue;
}

let nextRowId = 1;

export function newAttributeRow(key = "", value = ""): AttributeRow {
  return { id: nextRowId++, key, value };
}

/** The rows of stored attributes, by name (as the CSV export has them). */
export function rowsFromAttributes(attributes: Contact["attributes"]): AttributeRow[] {
  const entries = Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b, "ko"));
  return entries.map(([key, value]) => ({
    ...newAttributeRow(key, String(value)),
    original: value,
  }));
}

export type RowProblem = "BLANK_KEY" | "DUPLICATE_KEY";

/**
 * The rows as the API's `attributes`, and what is wrong with rows the API
 * would not be told about (a value without a name, a name twice).
 */
export function attributesFromRows(rows: readonly AttributeRow[]): {
  attributes: Record<string, AttributeValue>;
  problems: Map<number, RowProblem>;
} {
  const attributes: Record<string, AttributeValue> = {};
  const problems = new Map<number, RowProblem>();
  const seen = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (!key) {
      if (row.value.trim()) problems.set(row.id, "BLANK_KEY");
      continue;
    }
    if (seen.has(key)) {
      problems.set(row.id, "DUPLICATE_KEY");
      continue;
    }
    seen.add(key);
    const kept = row.original !== undefined && String(row.original) === row.value;
    attributes[key] = kept ? (row.original as AttributeValue) : row.value;
  }
  return { attributes, problems };
}

/** The attribute a detail's path names: "/attributes/shop" → "shop". */
function attributeOf(detail: ErrorDetail): string | undefined {
  const part = detail.path?.split("/")[2];
  return part === undefined ? undefined : part.replaceAll("~1", "/").replaceAll("~0", "~");
}

export function AttributesEditor({
  rows,
  onChange,
  error,
  idPrefix,
}: {
  rows: AttributeRow[];
  onChange(rows: AttributeRow[]): void;
  error: unknown;
  idPrefix: string;
}) {
  const { t } = useI18n();
  const { problems } = attributesFromRows(rows);
  const set = (id: number, change: Partial<AttributeRow>) =>
    onChange(rows.map((row) => (row.id === id ? { ...row, ...change } : row)));
  return (
    <fieldset className="field" data-testid={`${idPrefix}-attributes`}>
      <legend>{t("contact.attributes")}</legend>
      {rows.length === 0 ? <p className="muted small">{t("contact.noAttributes")}</p> : null}
      {rows.length > 0 ? (
        <div className="attr-rows">
          <div className="attr-head" aria-hidden="true">
            <span>{t("contact.attributeKey")}</span>
            <span>{t("contact.attributeValue")}</span>
            <span />
          </div>
          {rows.map((row, i) => {
            const problem = problems.get(row.id);
            return (
              <div key={row.id} className={problem ? "attr-row invalid" : "attr-row"}>
                <input
                  aria-label={t("contact.attributeKeyN", { n: i + 1 })}
                  value={row.key}
                  placeholder={t("contact.attributeKeyPlaceholder")}
                  onChange={(e) => set(row.id, { key: e.target.value })}
                />
                <input
                  aria-label={t("contact.attributeValueN", { n: i + 1 })}
                  value={row.value}
                  onChange={(e) => set(row.id, { value: e.target.value })}
                />
                <Button
                  small
                  kind="ghost"
                  label={t("contact.attributeRemoveN", { n: i + 1 })}
                  onClick={() => onChange(rows.filter((r) => r.id !== row.id))}
                >
                  ✕
                </Button>
                {problem ? (
                  <div className="attr-problem">
                    {t(`contact.problem.${problem}` as MessageKey)}
                  </div>
                ) : null}
              </div>
            );
          })}
        </div>
      ) : null}
      <div className="row">
        <Button small onClick={() => onChange([...rows, newAttributeRow()])}>
          {t("contact.attributeAdd")}
        </Button>
      </div>
      <div className="hint">{t("contact.attributesHint")}</div>
      <FieldErrors
        name="attributes"
        error={error}
        describe={(d) => {
          const key = attributeOf(d);
          return key ? `#{${key}}` : undefined;
        }}
      />
    </fieldset>
  );
}

export interface ConsentForm {
  advertising: boolean;
  night: boolean;
  source: string;
}

export const NO_CONSENT: ConsentForm = { advertising: false, night: false, source: "" };

export function consentFormOf(consent: Contact["consent"]): ConsentForm {
  return {
    advertising: consent.advertising.granted,
    night: consent.night.granted,
    source: consent.advertising.source ?? consent.night.source ?? "",
  };
}

/** The consent a new contact is created with, or nothing when none is given. */
export function consentToCreate(form: ConsentForm) {
  if (!form.advertising && !form.night) return undefined;
  const source = form.source.trim();
  return { advertising: form.advertising, night: form.night, ...(source ? { source } : {}) };
}

/**
 * What changed since `current`: each consent given or withdrawn, and a
 * granted one recorded anew when its source changed. Undefined: nothing.
 */
export function consentToChange(current: Contact["consent"], form: ConsentForm) {
  const source = form.source.trim();
  const before = consentFormOf(current);
  const sourceChanged = source !== before.source.trim();
  const change: { advertising?: boolean; night?: boolean; source?: string } = {};
  if (form.advertising !== current.advertising.granted || (form.advertising && sourceChanged)) {
    change.advertising = form.advertising;
  }
  if (form.night !== current.night.granted || (form.night && sourceChanged)) {
    change.night = form.night;
  }
  if (change.advertising === undefined && change.night === undefined) return undefined;
  if (source && (change.advertising || change.night)) change.source = source;
  return change;
}

export function ConsentFields({
  value,
  onChange,
  current,
  idPrefix,
  timeZone,
}: {
  value: ConsentForm;
  onChange(value: ConsentForm): void;
  /** The consents as stored (editing a contact): when and where each was given. */
  current?: Contact["consent"];
  idPrefix: string;
  timeZone: string;
}) {
  const { t, locale } = useI18n();
  const given = (c: Contact["consent"]["advertising"] | undefined) =>
    c?.granted ? (
      <div className="hint" data-testid={`${idPrefix}-given`}>
        {t("consent.givenAt", { at: formatTime(c.at, locale, timeZone) })}
        {c.source ? ` · ${t("consent.givenSource", { source: c.source })}` : ""}
      </div>
    ) : null;
  return (
    <fieldset className="field">
      <legend>{t("consent.title")}</legend>
      <div className="stack tight">
        <div>
          <label className="check">
            <input
              type="checkbox"
              checked={value.advertising}
              onChange={(e) =>
                onChange({
                  ...value,
                  advertising: e.target.checked,
                  night: e.target.checked ? value.night : false,
                })
              }
            />
            {t("consent.advertising")}
          </label>
          {given(current?.advertising)}
        </div>
        <div>
          <label className="check">
            <input
              type="checkbox"
              checked={value.night}
              disabled={!value.advertising}
              onChange={(e) => onChange({ ...value, night: e.target.checked })}
            />
            {t("consent.night")}
          </label>
          {given(current?.night)}
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-source`}>{t("consent.source")}</label>
          <input
            id={`${idPrefix}-source`}
            value={value.source}
            placeholder={t("consent.sourcePlaceholder")}
            onChange={(e) => onChange({ ...value, source: e.target.value })}
          />
        </div>
        <div className="hint">{t("consent.hint")}</div>
      </div>
    </fieldset>
  );
}

/** The groups a contact is in, picked from the organization's own (미지정 is where none leaves it). */
export function GroupsField({
  groups,
  value,
  onChange,
  idPrefix,
  error,
}: {
  groups: Group[];
  value: string[];
  onChange(ids: string[]): void;
  idPrefix: string;
  error: unknown;
}) {
  const { t, locale } = useI18n();
  const own = groups.filter((g) => !g.system);
  const toggle = (id: string) =>
    onChange(value.includes(id) ? value.filter((g) => g !== id) : [...value, id]);
  return (
    <fieldset className="field" data-testid={`${idPrefix}-groups`}>
      <legend>{t("contact.groups")}</legend>
      {own.length === 0 ? (
        <p className="muted small">{t("contact.noGroups")}</p>
      ) : (
        <ul className="pick-list">
          {own.map((g) => (
            <li key={g.id}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={value.includes(g.id)}
                  onChange={() => toggle(g.id)}
                />
                <span>{g.name}</span>
                <span className="muted small">
                  {t("group.members", { n: g.contactCount.toLocaleString(locale) })}
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <div className="hint">{t("contact.groupsHint")}</div>
      <FieldErrors name="groupIds" error={error} />
    </fieldset>
  );
}
