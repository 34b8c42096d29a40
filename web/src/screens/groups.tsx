// Contact groups: each with its member count; one made, renamed or deleted
// (미지정, the system group of the contacts in no other group, is kept by
// the platform: it cannot be); a group's members, picked a page at a time or
// all together, added to, taken out of, copied or moved to another group.
import { type FormEvent, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Group } from "../api/types.ts";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { formatPhone } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { useIdempotencyKeys } from "../idempotency.ts";
import { Link, navigate } from "../router.tsx";
import { useSelection } from "../selection.ts";
import { useLoad } from "../use-load.ts";
import { ContactTable, useCsvExport } from "./contacts.tsx";
import type { SendState } from "./send.tsx";

const PAGE_SIZE = 50;

function NewGroup({ onCreated }: { onCreated(group: Group, asked: string): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const keys = useIdempotencyKeys();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = { name: name.trim() };
    setBusy(true);
    setError(null);
    try {
      const group = await unwrap(
        api.POST("/v1/groups", { body, headers: { "idempotency-key": keys.keyFor(body) } }),
      );
      keys.done();
      setName("");
      onCreated(group, body.name);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="stack" data-testid="new-group" noValidate>
      <ErrorBanner error={error} fields={["name"]} />
      <Field id="group-new-name" label={t("group.newName")} name="name" error={error}>
        <input id="group-new-name" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Button type="submit" kind="primary" busy={busy} disabled={!name.trim()}>
        {t("group.create")}
      </Button>
    </form>
  );
}

function RenameGroup({ group, onRenamed }: { group: Group; onRenamed(): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [name, setName] = useState(group.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.PATCH("/v1/groups/{id}", {
          params: { path: { id: group.id } },
          body: { name: name.trim() },
        }),
      );
      onRenamed();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="row wrap end" noValidate>
      <Field id="group-rename" label={t("group.name")} name="name" error={error}>
        <input id="group-rename" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Button type="submit" busy={busy} disabled={!name.trim() || name.trim() === group.name}>
        {t("group.rename")}
      </Button>
      <ErrorBanner error={error} fields={["name"]} />
    </form>
  );
}

type Scope = "picked" | "all";

/** Copies, moves or takes out members: those picked, or the whole group. */
function MemberActions({
  group,
  groups,
  picked,
  onDone,
}: {
  group: Group;
  groups: Group[];
  picked: string[];
  onDone(message: string): void;
}) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const targets = groups.filter((g) => !g.system && g.id !== group.id);
  const [scope, setScope] = useState<Scope>("picked");
  const [target, setTarget] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const to = targets.find((g) => g.id === target) ?? targets[0];
  const count = scope === "all" ? group.contactCount : picked.length;
  const members = scope === "all" ? { all: true as const } : { contactIds: picked };

  const run = async (what: string, work: () => Promise<{ affected: number }>, done: MessageKey) => {
    setBusy(what);
    setError(null);
    try {
      const { affected } = await work();
      onDone(t(done, { n: affected.toLocaleString(locale), group: to?.name ?? "" }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const transfer = (move: boolean) => {
    if (!to) return;
    const path = move ? "/v1/groups/{id}/members/move" : "/v1/groups/{id}/members/copy";
    return run(
      move ? "move" : "copy",
      () =>
        unwrap(
          api.POST(path, {
            params: { path: { id: group.id } },
            body: { ...members, toGroupId: to.id },
          }),
        ),
      move ? "members.moved" : "members.copied",
    );
  };
  const remove = () =>
    run(
      "remove",
      () =>
        unwrap(
          api.POST("/v1/groups/{id}/members/remove", {
            params: { path: { id: group.id } },
            body: { contactIds: picked },
          }),
        ),
      "members.removed",
    );

  return (
    <div className="selection-bar" data-testid="member-actions">
      <div className="segmented" role="radiogroup" aria-label={t("members.scope")}>
        {(["picked", "all"] as const).map((s) => (
          <label key={s} className={scope === s ? "on" : undefined}>
            <input
              type="radio"
              name="member-scope"
              value={s}
              checked={scope === s}
              onChange={() => setScope(s)}
            />
            {s === "picked"
              ? t("members.picked", { n: picked.length.toLocaleString(locale) })
              : t("members.whole", { n: group.contactCount.toLocaleString(locale) })}
          </label>
        ))}
      </div>
      {targets.length === 0 ? (
        <span className="muted small">{t("members.noTargets")}</span>
      ) : (
        <label className="inline">
          <span>{t("members.toGroup")}</span>
          <select value={to?.id ?? ""} onChange={(e) => setTarget(e.target.value)}>
            {targets.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="row wrap">
        <Button
          small
          busy={busy === "copy"}
          disabled={!to || count === 0 || busy !== null}
          onClick={() => void transfer(false)}
        >
          {t("members.copy")}
        </Button>
        <Button
          small
          kind="primary"
          busy={busy === "move"}
          disabled={!to || count === 0 || busy !== null}
          onClick={() => void transfer(true)}
        >
          {t("members.move")}
        </Button>
        {group.system ? null : (
          <Button
            small
            kind="danger"
            busy={busy === "remove"}
            disabled={scope === "all" || picked.length === 0 || busy !== null}
            onClick={() => void remove()}
          >
            {t("members.remove")}
          </Button>
        )}
      </div>
      {group.system ? <p className="hint">{t("members.systemHint")}</p> : null}
      <ErrorBanner error={error} />
    </div>
  );
}

/** Finds contacts by name or number and adds the ones picked to the group. */
function AddMembers({ group, onDone }: { group: Group; onDone(message: string): void }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const [search, setSearch] = useState("");
  const [asked, setAsked] = useState<string | null>(null);
  const found = useLoad(`${group.id}:${asked ?? ""}`, () =>
    asked === null
      ? Promise.resolve(null)
      : unwrap(api.GET("/v1/contacts", { params: { query: { search: asked, limit: 20 } } })),
  );
  const selection = useSelection(`${group.id}:${asked ?? ""}`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const add = async () => {
    setBusy(true);
    setError(null);
    try {
      const { affected } = await unwrap(
        api.POST("/v1/groups/{id}/members", {
          params: { path: { id: group.id } },
          body: { contactIds: selection.ids },
        }),
      );
      selection.clear();
      found.reload();
      onDone(t("members.added", { n: affected.toLocaleString(locale), group: group.name }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const results = found.data?.data ?? [];
  return (
    <Panel title={t("members.addTitle", { name: group.name })} id="add-members">
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (search.trim()) setAsked(search.trim());
        }}
      >
        <label className="inline grow">
          <span>{t("contacts.search")}</span>
          <input
            type="search"
            value={search}
            placeholder={t("contacts.searchPlaceholder")}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <Button type="submit" small disabled={!search.trim()}>
          {t("members.find")}
        </Button>
      </form>
      <ErrorBanner error={found.error ?? error} />
      {found.data && results.length === 0 ? <Empty>{t("contacts.noneFound")}</Empty> : null}
      {results.length > 0 ? (
        <ul className="pick-list bordered" data-testid="add-members-results">
          {results.map((c) => {
            const member = c.groups.some((g) => g.id === group.id);
            return (
              <li key={c.id}>
                <label className="check">
                  <input
                    type="checkbox"
                    disabled={member}
                    checked={member || selection.has(c.id)}
                    onChange={() => selection.toggle(c.id)}
                  />
                  <span>{c.name ?? t("contact.noName")}</span>
                  <span className="muted small">{formatPhone(c.phone)}</span>
                  {member ? <span className="badge muted">{t("members.already")}</span> : null}
                </label>
              </li>
            );
          })}
        </ul>
      ) : null}
      {results.length > 0 ? (
        <Button kind="primary" small busy={busy} disabled={selection.size === 0} onClick={add}>
          {t("members.addPicked", { n: selection.size.toLocaleString(locale) })}
        </Button>
      ) : null}
    </Panel>
  );
}

function GroupDetail({
  group,
  groups,
  onChanged,
}: {
  group: Group;
  groups: Group[];
  onChanged(): void;
}) {
  const { t, locale } = useI18n();
  const { api, role } = useSession();
  const writable = role !== "viewer";
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [round, setRound] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState(false);
  const listKey = `${group.id}:${query}`;
  const members = usePaged(`${listKey}#${round}`, (cursor) =>
    unwrap(
      api.GET("/v1/contacts", {
        params: {
          query: {
            groupId: group.id,
            limit: PAGE_SIZE,
            cursor,
            ...(query ? { search: query } : {}),
          },
        },
      }),
    ),
  );
  const selection = useSelection(`${listKey}#${round}`);
  const csv = useCsvExport();
  const rows = members.data?.data ?? [];
  const pageIds = rows.map((c) => c.id);
  const allOnPage = pageIds.length > 0 && pageIds.every((id) => selection.has(id));
  const changed = (message: string) => {
    setNotice(message);
    // Back to the first page: the members are not the same any more.
    setRound((r) => r + 1);
    onChanged();
  };
  const remove = async () => {
    if (!window.confirm(t("group.deleteConfirm", { name: group.name }))) return;
    setDeleting(true);
    setError(null);
    try {
      await unwrap(api.DELETE("/v1/groups/{id}", { params: { path: { id: group.id } } }));
      onChanged();
      navigate("/groups", { replace: true });
    } catch (err) {
      setError(err);
      setDeleting(false);
    }
  };

  return (
    <div className="stack" data-testid="group-detail" data-group={group.id}>
      <Panel
        title={group.name}
        id="group-panel"
        actions={
          <>
            <span className="badge muted" data-testid="group-count">
              {t("group.members", { n: group.contactCount.toLocaleString(locale) })}
            </span>
            {group.system ? <span className="badge info">{t("group.system")}</span> : null}
          </>
        }
      >
        {group.system ? (
          <p className="banner info small" data-testid="system-group-note">
            {t("group.systemNote")}
          </p>
        ) : null}
        <ErrorBanner error={error ?? csv.error} />
        {writable && !group.system ? (
          <RenameGroup key={group.name} group={group} onRenamed={onChanged} />
        ) : null}
        <div className="row wrap">
          {writable && group.contactCount > 0 ? (
            <Button
              small
              kind="primary"
              onClick={() => {
                const state: SendState = { groupIds: [group.id] };
                navigate("/send", { state });
              }}
            >
              {t("group.send")}
            </Button>
          ) : null}
          <Button small busy={csv.busy} onClick={() => void csv.run(group)}>
            {t("contacts.exportGroup", { name: group.name })}
          </Button>
          {writable ? (
            <Button
              small
              kind="danger"
              busy={deleting}
              disabled={group.system}
              onClick={() => void remove()}
            >
              {t("group.delete")}
            </Button>
          ) : null}
        </div>
      </Panel>
      <Panel title={t("members.title")} id="group-members">
        {notice ? (
          <div className="banner info" role="status" data-testid="members-notice">
            {notice}
          </div>
        ) : null}
        <form
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(search.trim());
          }}
        >
          <label className="inline grow">
            <span>{t("contacts.search")}</span>
            <input
              type="search"
              value={search}
              placeholder={t("contacts.searchPlaceholder")}
              onChange={(e) => {
                setSearch(e.target.value);
                if (!e.target.value) setQuery("");
              }}
            />
          </label>
          <Button type="submit" small>
            {t("members.find")}
          </Button>
        </form>
        <ErrorBanner error={members.error} />
        {writable && group.contactCount > 0 ? (
          <MemberActions group={group} groups={groups} picked={selection.ids} onDone={changed} />
        ) : null}
        {members.data && rows.length === 0 ? (
          <Empty>{query ? t("contacts.noneFound") : t("members.none")}</Empty>
        ) : (
          <ContactTable
            contacts={rows}
            selectable={writable}
            isSelected={selection.has}
            onToggle={selection.toggle}
            allSelected={allOnPage}
            onToggleAll={() => selection.setMany(pageIds, !allOnPage)}
            testId="members"
          />
        )}
        <Pager paged={members} />
      </Panel>
      {writable && !group.system ? <AddMembers group={group} onDone={changed} /> : null}
    </div>
  );
}

export function GroupsScreen({ id }: { id?: string }) {
  const { t, locale } = useI18n();
  const { api, acting, role } = useSession();
  const writable = role !== "viewer";
  const groups = useLoad(acting.id, () => unwrap(api.GET("/v1/groups")));
  // What was just done, said while its group is the one shown.
  const [notice, setNotice] = useState<{ groupId: string; text: string } | null>(null);
  const list = groups.data?.data ?? [];
  const selected = list.find((g) => g.id === id) ?? (id ? undefined : list[0]);

  return (
    <>
      <PageHeader
        title={t("groups.title")}
        actions={<Link to="/contacts">{t("groups.toContacts")}</Link>}
      />
      <ErrorBanner error={groups.error} />
      {notice && notice.groupId === selected?.id ? (
        <div className="banner info" role="status" data-testid="groups-notice">
          {notice.text}
        </div>
      ) : null}
      <div className="groups-layout">
        <div className="group-list">
          <Panel title={t("groups.list")} id="group-list">
            <nav aria-label={t("groups.list")} data-testid="group-list">
              <ul className="tree">
                {list.map((g) => (
                  <li key={g.id} data-group={g.id}>
                    <Link
                      to={`/groups/${g.id}`}
                      className={g.id === selected?.id ? "tree-node selected" : "tree-node"}
                      aria-current={g.id === selected?.id ? "page" : undefined}
                    >
                      <span className="tree-name">{g.name}</span>
                      <span className="badge muted">
                        {t("group.members", { n: g.contactCount.toLocaleString(locale) })}
                      </span>
                      {g.system ? <span className="badge info">{t("group.system")}</span> : null}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          </Panel>
        </div>
        {writable ? (
          <div className="group-new">
            <Panel title={t("groups.new")} id="group-new">
              <NewGroup
                onCreated={(g, asked) => {
                  setNotice({
                    groupId: g.id,
                    text:
                      g.name === asked
                        ? t("group.created", { name: g.name })
                        : t("group.createdAs", { asked, name: g.name }),
                  });
                  groups.reload();
                  navigate(`/groups/${g.id}`);
                }}
              />
            </Panel>
          </div>
        ) : null}
        <div className="group-detail">
          {selected ? (
            <GroupDetail
              key={selected.id}
              group={selected}
              groups={list}
              onChanged={groups.reload}
            />
          ) : groups.data ? (
            <Panel>
              <Empty>{t("groups.notFound")}</Empty>
            </Panel>
          ) : null}
        </div>
      </div>
    </>
  );
}
