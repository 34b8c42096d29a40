// The address book: contacts found by name or number and by group, a page
// at a time; a new contact with its groups, consents and attributes; the
// ones picked added to a group; the list (or a group of it) as CSV.
import { type FormEvent, useEffect, useState } from "react";
import { ApiError, unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Contact, Group } from "../api/types.ts";
import { ContactBadges, GroupNames } from "../components/contact-badges.tsx";
import {
  type AttributeRow,
  AttributesEditor,
  attributesFromRows,
  ConsentFields,
  type ConsentForm,
  consentToCreate,
  GroupsField,
  NO_CONSENT,
} from "../components/contact-fields.tsx";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { safeFileName, saveFile } from "../download.ts";
import { formatPhone } from "../format.ts";
import { useI18n } from "../i18n.tsx";
import { useIdempotencyKeys } from "../idempotency.ts";
import { Link } from "../router.tsx";
import { useSelection } from "../selection.ts";
import { useLoad } from "../use-load.ts";

const FIELDS = ["phone", "name", "attributes", "groupIds", "consent"];
const PAGE_SIZE = 50;

/** The contact a 409 says already has the number. */
function existingContact(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code !== "CONFLICT") return null;
  const id = error.details.find((d) => typeof d.contactId === "string")?.contactId;
  return typeof id === "string" ? id : null;
}

/** Downloads the contacts (of one group, or all) as the API's CSV. */
export function useCsvExport() {
  const { api } = useSession();
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (group: Group | null) => {
    setBusy(true);
    setError(null);
    try {
      const blob = await unwrap(
        api.GET("/v1/contacts/export", {
          params: { query: group ? { groupId: group.id } : {} },
          parseAs: "blob",
        }),
      );
      const name = group ? `${t("contacts.title")}-${group.name}` : t("contacts.title");
      saveFile(blob as Blob, `${safeFileName(name)}.csv`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error };
}

function NewContact({ groups, onCreated }: { groups: Group[]; onCreated(c: Contact): void }) {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const [phone, setPhone] = useState("");
  const [name, setName] = useState("");
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [consent, setConsent] = useState<ConsentForm>(NO_CONSENT);
  const [rows, setRows] = useState<AttributeRow[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const keys = useIdempotencyKeys();
  const { attributes, problems } = attributesFromRows(rows);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (problems.size > 0) return;
    const consentBody = consentToCreate(consent);
    const body = {
      phone: phone.trim(),
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      ...(groupIds.length > 0 ? { groupIds } : {}),
      ...(consentBody ? { consent: consentBody } : {}),
    };
    setBusy(true);
    setError(null);
    try {
      const created = await unwrap(
        api.POST("/v1/contacts", { body, headers: { "idempotency-key": keys.keyFor(body) } }),
      );
      keys.done();
      setPhone("");
      setName("");
      setRows([]);
      setConsent(NO_CONSENT);
      onCreated(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const existing = existingContact(error);
  return (
    <form onSubmit={submit} className="stack" data-testid="new-contact" noValidate>
      <ErrorBanner error={error} fields={FIELDS} />
      <div className="grid-2">
        <Field id="contact-phone" label={t("contact.phone")} name="phone" error={error}>
          <input
            id="contact-phone"
            type="tel"
            inputMode="tel"
            autoComplete="off"
            value={phone}
            placeholder="010-1234-5678"
            onChange={(e) => setPhone(e.target.value)}
          />
        </Field>
        <Field id="contact-name" label={t("contact.name")} name="name" error={error}>
          <input id="contact-name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
      </div>
      {existing ? (
        <p className="small">
          <Link to={`/contacts/${existing}`}>{t("contact.openExisting")}</Link>
        </p>
      ) : null}
      <div className="grid-2 top">
        <GroupsField
          groups={groups}
          value={groupIds}
          onChange={setGroupIds}
          idPrefix="new-contact"
          error={error}
        />
        <ConsentFields
          value={consent}
          onChange={setConsent}
          idPrefix="new-contact-consent"
          timeZone={acting.timezone}
        />
      </div>
      <AttributesEditor rows={rows} onChange={setRows} error={error} idPrefix="new-contact" />
      <Button
        type="submit"
        kind="primary"
        busy={busy}
        disabled={!phone.trim() || problems.size > 0}
      >
        {t("contact.add")}
      </Button>
    </form>
  );
}

/** Adds the contacts picked to a group of the organization's own. */
function AddToGroup({
  groups,
  contactIds,
  onDone,
}: {
  groups: Group[];
  contactIds: string[];
  onDone(message: string): void;
}) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const own = groups.filter((g) => !g.system);
  const [target, setTarget] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const group = own.find((g) => g.id === target) ?? own[0];
  const add = async () => {
    if (!group) return;
    setBusy(true);
    setError(null);
    try {
      const { affected } = await unwrap(
        api.POST("/v1/groups/{id}/members", {
          params: { path: { id: group.id } },
          body: { contactIds },
        }),
      );
      onDone(t("members.added", { n: affected.toLocaleString(locale), group: group.name }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="selection-bar" data-testid="contacts-selection">
      <strong>{t("members.picked", { n: contactIds.length.toLocaleString(locale) })}</strong>
      {own.length === 0 ? (
        <span className="muted small">{t("contact.noGroups")}</span>
      ) : (
        <>
          <label className="inline">
            <span>{t("members.toGroup")}</span>
            <select value={group?.id ?? ""} onChange={(e) => setTarget(e.target.value)}>
              {own.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
          <Button small kind="primary" busy={busy} onClick={add}>
            {t("members.addTo")}
          </Button>
        </>
      )}
      <ErrorBanner error={error} />
    </div>
  );
}

export function ContactsScreen() {
  const { t, locale } = useI18n();
  const { api, acting, role } = useSession();
  const writable = role !== "viewer";
  const [adding, setAdding] = useState(false);
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [groupId, setGroupId] = useState("");
  const [notice, setNotice] = useState<{ text: string; contactId?: string } | null>(null);
  // The list follows the search box once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);

  const groups = useLoad(acting.id, () => unwrap(api.GET("/v1/groups")));
  const groupList = groups.data?.data ?? [];
  const listKey = `${acting.id}:${groupId}:${query}`;
  const contacts = usePaged(listKey, (cursor) =>
    unwrap(
      api.GET("/v1/contacts", {
        params: {
          query: {
            limit: PAGE_SIZE,
            cursor,
            ...(query ? { search: query } : {}),
            ...(groupId ? { groupId } : {}),
          },
        },
      }),
    ),
  );
  const selection = useSelection(listKey);
  const csv = useCsvExport();
  const rows = contacts.data?.data ?? [];
  const pageIds = rows.map((c) => c.id);
  const allOnPage = pageIds.length > 0 && pageIds.every((id) => selection.has(id));
  const filterGroup = groupList.find((g) => g.id === groupId) ?? null;

  return (
    <>
      <PageHeader
        title={t("contacts.title")}
        actions={
          <>
            <Button busy={csv.busy} onClick={() => void csv.run(filterGroup)}>
              {filterGroup
                ? t("contacts.exportGroup", { name: filterGroup.name })
                : t("contacts.export")}
            </Button>
            {writable ? (
              <Button kind="primary" onClick={() => setAdding((a) => !a)}>
                {adding ? t("contacts.closeNew") : t("contacts.new")}
              </Button>
            ) : null}
          </>
        }
      />
      <ErrorBanner error={csv.error} />
      {notice ? (
        <div className="banner info" role="status" data-testid="contacts-notice">
          {notice.text}{" "}
          {notice.contactId ? (
            <Link to={`/contacts/${notice.contactId}`}>{t("contacts.open")}</Link>
          ) : null}
        </div>
      ) : null}
      {adding && writable ? (
        <Panel title={t("contacts.new")} id="new-contact">
          <NewContact
            groups={groupList}
            onCreated={(c) => {
              setNotice({
                text: t("contact.created", { name: c.name ?? formatPhone(c.phone) }),
                contactId: c.id,
              });
              contacts.reload();
              groups.reload();
            }}
          />
        </Panel>
      ) : null}
      <Panel>
        <div className="filters">
          <label className="inline grow">
            <span>{t("contacts.search")}</span>
            <input
              type="search"
              value={search}
              placeholder={t("contacts.searchPlaceholder")}
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
          <label className="inline">
            <span>{t("contacts.group")}</span>
            <select value={groupId} onChange={(e) => setGroupId(e.target.value)}>
              <option value="">{t("contacts.allGroups")}</option>
              {groupList.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name} ({g.contactCount.toLocaleString(locale)})
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorBanner error={contacts.error ?? groups.error} />
        {writable && selection.size > 0 ? (
          <AddToGroup
            groups={groupList}
            contactIds={selection.ids}
            onDone={(text) => {
              setNotice({ text });
              selection.clear();
              contacts.reload();
              groups.reload();
            }}
          />
        ) : null}
        {contacts.data && rows.length === 0 ? (
          <Empty>{query || groupId ? t("contacts.noneFound") : t("contacts.none")}</Empty>
        ) : (
          <ContactTable
            contacts={rows}
            selectable={writable}
            isSelected={selection.has}
            onToggle={selection.toggle}
            allSelected={allOnPage}
            onToggleAll={() => selection.setMany(pageIds, !allOnPage)}
            testId="contacts"
          />
        )}
        <Pager paged={contacts} />
      </Panel>
    </>
  );
}

/** Contacts as a table: picked or not, who (name, number, groups), consents, a link. */
export function ContactTable({
  contacts,
  selectable,
  isSelected,
  onToggle,
  allSelected,
  onToggleAll,
  testId,
}: {
  contacts: Contact[];
  selectable: boolean;
  isSelected(id: string): boolean;
  onToggle(id: string): void;
  allSelected: boolean;
  onToggleAll(): void;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <div className="table-wrap">
      <table className="table contacts" data-testid={testId}>
        <thead>
          <tr>
            {selectable ? (
              <th className="pick">
                <input
                  type="checkbox"
                  aria-label={t("members.pickPage")}
                  checked={allSelected}
                  onChange={onToggleAll}
                />
              </th>
            ) : null}
            <th>{t("contact.who")}</th>
            <th className="hide-sm">{t("contact.groups")}</th>
            <th>{t("contact.state")}</th>
          </tr>
        </thead>
        <tbody>
          {contacts.map((c) => {
            const label = c.name ?? formatPhone(c.phone);
            return (
              <tr key={c.id} data-contact={c.id} className={isSelected(c.id) ? "picked" : ""}>
                {selectable ? (
                  <td className="pick">
                    <input
                      type="checkbox"
                      aria-label={t("members.pick", { name: label })}
                      checked={isSelected(c.id)}
                      onChange={() => onToggle(c.id)}
                    />
                  </td>
                ) : null}
                <td>
                  <Link to={`/contacts/${c.id}`} className="strong">
                    {c.name ?? t("contact.noName")}
                  </Link>
                  <div className="mono-num">{formatPhone(c.phone)}</div>
                  <div className="show-sm">
                    <GroupNames contact={c} />
                  </div>
                </td>
                <td className="hide-sm">
                  <GroupNames contact={c} />
                </td>
                <td>
                  <ContactBadges contact={c} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
