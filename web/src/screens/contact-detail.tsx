// One contact: its name, groups, consents (when and where each was given)
// and attributes changed together; its opt-out recorded or withdrawn; the
// contact deleted.
import { type FormEvent, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Contact, ContactChange, Group, OptOutScope } from "../api/types.ts";
import { ContactBadges } from "../components/contact-badges.tsx";
import {
  type AttributeRow,
  AttributesEditor,
  attributesFromRows,
  ConsentFields,
  type ConsentForm,
  consentFormOf,
  consentToChange,
  GroupsField,
  rowsFromAttributes,
} from "../components/contact-fields.tsx";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { PageHeader, Panel } from "../components/panel.tsx";
import { formatPhone, formatTime } from "../format.ts";
import { useI18n } from "../i18n.tsx";
import { Link, navigate } from "../router.tsx";
import { useLoad } from "../use-load.ts";

const FIELDS = ["name", "attributes", "groupIds", "consent"];

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function ContactForm({
  contact,
  groups,
  writable,
  justSaved,
  onSaved,
}: {
  contact: Contact;
  groups: Group[];
  writable: boolean;
  /** The contact shown is the one just saved. */
  justSaved: boolean;
  onSaved(): void;
}) {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const systemIds = new Set(groups.filter((g) => g.system).map((g) => g.id));
  const ownGroups = (c: Contact) => c.groups.map((g) => g.id).filter((id) => !systemIds.has(id));
  const [name, setName] = useState(contact.name ?? "");
  const [groupIds, setGroupIds] = useState<string[]>(() => ownGroups(contact));
  const [consent, setConsent] = useState<ConsentForm>(() => consentFormOf(contact.consent));
  const [rows, setRows] = useState<AttributeRow[]>(() => rowsFromAttributes(contact.attributes));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { attributes, problems } = attributesFromRows(rows);

  const change: ContactChange = {};
  if (name.trim() !== (contact.name ?? "")) change.name = name.trim() || null;
  if (JSON.stringify(attributes) !== JSON.stringify(contact.attributes)) {
    change.attributes = attributes;
  }
  if (!sameSet(groupIds, ownGroups(contact))) change.groupIds = groupIds;
  const consentChange = consentToChange(contact.consent, consent);
  if (consentChange) change.consent = consentChange;
  const changed = Object.keys(change).length > 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!changed || problems.size > 0) return;
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.PATCH("/v1/contacts/{id}", { params: { path: { id: contact.id } }, body: change }),
      );
      // The contact is read again: this form starts afresh from what was stored.
      onSaved();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="stack" data-testid="contact-form" noValidate>
      <ErrorBanner error={error} fields={FIELDS} />
      <fieldset className="plain" disabled={!writable}>
        <div className="stack">
          <div className="grid-2">
            <div className="field">
              <span className="label">{t("contact.phone")}</span>
              <span className="mono-num strong" data-testid="contact-phone">
                {formatPhone(contact.phone)}
              </span>
              <span className="hint">{t("contact.phoneFixed")}</span>
            </div>
            <Field id="contact-edit-name" label={t("contact.name")} name="name" error={error}>
              <input
                id="contact-edit-name"
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </Field>
          </div>
          <div className="grid-2 top">
            <GroupsField
              groups={groups}
              value={groupIds}
              onChange={setGroupIds}
              idPrefix="contact-edit"
              error={error}
            />
            <ConsentFields
              value={consent}
              onChange={setConsent}
              current={contact.consent}
              idPrefix="contact-edit-consent"
              timeZone={acting.timezone}
            />
          </div>
          <AttributesEditor rows={rows} onChange={setRows} error={error} idPrefix="contact-edit" />
        </div>
      </fieldset>
      {writable ? (
        <div className="row wrap">
          <Button type="submit" kind="primary" busy={busy} disabled={!changed || problems.size > 0}>
            {t("common.save")}
          </Button>
          {justSaved && !changed ? (
            <span className="text-good" role="status">
              {t("contact.saved")}
            </span>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}

function OptOutPanel({
  contact,
  writable,
  onChanged,
}: {
  contact: Contact;
  writable: boolean;
  onChanged(): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [scope, setScope] = useState<OptOutScope>("advertising");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const optOut = () =>
    run(() =>
      unwrap(
        api.POST("/v1/opt-outs", {
          body: { phone: contact.phone, scope, source: t("optOut.fromConsole") },
        }),
      ),
    );
  const optIn = () => {
    if (!window.confirm(t("optOut.removeConfirm", { phone: formatPhone(contact.phone) }))) return;
    void run(() =>
      unwrap(api.DELETE("/v1/opt-outs/{phone}", { params: { path: { phone: contact.phone } } })),
    );
  };
  return (
    <Panel title={t("optOut.title")} id="contact-opt-out">
      <div data-testid="contact-opt-out" data-opted-out={String(contact.optedOut)}>
        {contact.optedOut ? (
          <p>
            {t(contact.optOutScope === "all" ? "optOut.isAll" : "optOut.isAdvertising")}{" "}
            <Link to="/opt-outs">{t("optOut.list")}</Link>
          </p>
        ) : (
          <p className="muted">{t("optOut.none")}</p>
        )}
      </div>
      <ErrorBanner error={error} />
      {writable ? (
        contact.optedOut ? (
          <Button busy={busy} onClick={optIn}>
            {t("optOut.optIn")}
          </Button>
        ) : (
          <div className="row wrap">
            <label className="inline">
              <span>{t("optOut.scope")}</span>
              <select value={scope} onChange={(e) => setScope(e.target.value as OptOutScope)}>
                <option value="advertising">{t("optOut.scopeAdvertising")}</option>
                <option value="all">{t("optOut.scopeAll")}</option>
              </select>
            </label>
            <Button kind="danger" busy={busy} onClick={() => void optOut()}>
              {t("optOut.optOut")}
            </Button>
          </div>
        )
      ) : null}
    </Panel>
  );
}

export function ContactDetailScreen({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const { api, acting, role } = useSession();
  const writable = role !== "viewer";
  const contact = useLoad(id, () =>
    unwrap(api.GET("/v1/contacts/{id}", { params: { path: { id } } })),
  );
  const groups = useLoad(acting.id, () => unwrap(api.GET("/v1/groups")));
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const c = contact.data;
  const remove = async () => {
    if (!c) return;
    const label = c.name ?? formatPhone(c.phone);
    if (!window.confirm(t("contact.deleteConfirm", { name: label }))) return;
    setDeleting(true);
    setError(null);
    try {
      await unwrap(api.DELETE("/v1/contacts/{id}", { params: { path: { id } } }));
      navigate("/contacts", { replace: true });
    } catch (err) {
      setError(err);
      setDeleting(false);
    }
  };
  return (
    <>
      <PageHeader
        title={c ? (c.name ?? formatPhone(c.phone)) : t("contact.title")}
        actions={
          c && writable ? (
            <Button kind="danger" busy={deleting} onClick={remove}>
              {t("common.delete")}
            </Button>
          ) : null
        }
      />
      <p className="crumbs">
        <Link to="/contacts">{t("contacts.title")}</Link>
        {c ? ` / ${formatPhone(c.phone)}` : null}
      </p>
      <ErrorBanner error={contact.error ?? groups.error ?? error} />
      {c && groups.data ? (
        <>
          <Panel>
            <div className="campaign-head">
              <ContactBadges contact={c} />
              <span className="muted small">
                {t("contact.createdAt")} {formatTime(c.createdAt, locale, acting.timezone)}
              </span>
              <span className="muted small">
                {t("contact.updatedAt")} {formatTime(c.updatedAt, locale, acting.timezone)}
              </span>
            </div>
            <div className="small" data-testid="contact-groups">
              <span className="muted">{t("contact.inGroups")} </span>
              {c.groups.map((g, i) => (
                <span key={g.id}>
                  {i > 0 ? ", " : ""}
                  <Link to={`/groups/${g.id}`}>{g.name}</Link>
                </span>
              ))}
            </div>
          </Panel>
          <Panel title={t("contact.details")} id="contact-details">
            <ContactForm
              key={c.updatedAt}
              contact={c}
              groups={groups.data.data}
              writable={writable}
              justSaved={savedAt !== null && savedAt !== c.updatedAt}
              onSaved={() => {
                setSavedAt(c.updatedAt);
                contact.reload();
                groups.reload();
              }}
            />
          </Panel>
          <OptOutPanel contact={c} writable={writable} onChanged={contact.reload} />
        </>
      ) : null}
    </>
  );
}
