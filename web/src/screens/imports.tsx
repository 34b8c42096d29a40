// Importing contacts from a spreadsheet: an .xlsx or a CSV dropped or
// picked, the group its contacts join (or a new one), the columns named by
// hand when its headers are not recognised; then, once it is read, the row
// report by the sheet's own row numbers, rows left out by hand, and the
// commit (updating or skipping the contacts that exist), followed to its
// result; or the import discarded.
import { type FormEvent, useEffect, useMemo, useState } from "react";
import { ApiError, unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import {
  FINAL_IMPORT,
  type Group,
  type Import,
  type ImportRow,
  type ImportRowStatus,
} from "../api/types.ts";
import { FileDrop, formatSize } from "../components/file-drop.tsx";
import { Button, detailText, ErrorBanner, Field, FieldErrors } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel, ProgressBar, Stat } from "../components/panel.tsx";
import { StatusBadge } from "../components/status.tsx";
import { formatPhone, formatTime, randomKey } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { useIdempotencyKeys } from "../idempotency.ts";
import { Link, navigate } from "../router.tsx";
import { useSelection } from "../selection.ts";
import { useLoad } from "../use-load.ts";
import type { SendState } from "./send.tsx";

const ACCEPT =
  ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv";
const NEW_GROUP = "__new";
const REFRESH_MS = 1000;
const ROWS_PAGE = 100;
/** The rows a commit stores (less those left out): the others never are. */
const STORABLE: readonly ImportRowStatus[] = ["valid", "existing"];

/** What an attribute key may hold, as the server names one from a header. */
function keyOf(header: string): string {
  const key = header
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}_]+/gu, "_")
    .replace(/^_+|_+$/g, "");
  return [...key].slice(0, 40).join("");
}

interface MappingForm {
  phone: string;
  /** A header, "" to let the server recognise it, or NO_NAME. */
  name: string;
  /** By header: read as an attribute, under which key. */
  attributes: Record<string, { on: boolean; key: string }>;
}

const NO_NAME = "__none";

/** The headers the server recognises for a number and a name (API-2.md, Imports). */
const PHONE_WORDS = ["전화번호", "휴대폰", "휴대폰번호", "핸드폰", "연락처", "phone", "mobile"];
const NAME_WORDS = ["이름", "성명", "고객명", "name"];

/** The mapping form for a header row: a number or name column it names is picked already. */
function emptyMapping(headers: readonly string[]): MappingForm {
  const find = (words: string[]) =>
    headers.find((h) => words.includes(h.trim().toLowerCase())) ?? "";
  return {
    phone: find(PHONE_WORDS),
    name: find(NAME_WORDS),
    attributes: Object.fromEntries(headers.map((h) => [h, { on: true, key: keyOf(h) }])),
  };
}

/** The `mapping` field: with known headers, every column is named; otherwise phone (and name). */
function mappingJson(form: MappingForm, headers: readonly string[] | null): string | null {
  if (!form.phone.trim()) return null;
  const mapping: {
    phone: string;
    name?: string | null;
    attributes?: Record<string, string>;
  } = { phone: form.phone.trim() };
  if (form.name === NO_NAME) mapping.name = null;
  else if (form.name.trim()) mapping.name = form.name.trim();
  if (headers) {
    const used = new Set([mapping.phone, mapping.name ?? ""]);
    mapping.attributes = {};
    for (const header of headers) {
      const attribute = form.attributes[header];
      if (used.has(header) || !attribute?.on || !attribute.key.trim()) continue;
      mapping.attributes[attribute.key.trim()] = header;
    }
  }
  return JSON.stringify(mapping);
}

/** The headers a NO_PHONE_COLUMN answer lists: the sheet's header row. */
function headersOf(error: unknown): string[] | null {
  if (!(error instanceof ApiError)) return null;
  const found = error.details.find((d) => Array.isArray(d.headers))?.headers;
  return Array.isArray(found) ? found.filter((h): h is string => typeof h === "string") : null;
}

function MappingEditor({
  headers,
  value,
  onChange,
  error,
}: {
  headers: string[] | null;
  value: MappingForm;
  onChange(value: MappingForm): void;
  error: unknown;
}) {
  const { t } = useI18n();
  const set = (change: Partial<MappingForm>) => onChange({ ...value, ...change });
  const others = (headers ?? []).filter((h) => h !== value.phone && h !== value.name);
  return (
    <fieldset className="field" data-testid="import-mapping">
      <legend>{t("import.mapping")}</legend>
      <p className="hint">{headers ? t("import.mappingHintHeaders") : t("import.mappingHint")}</p>
      <div className="grid-2">
        <Field id="map-phone" label={t("import.mapPhone")}>
          {headers ? (
            <select
              id="map-phone"
              value={value.phone}
              onChange={(e) => set({ phone: e.target.value })}
            >
              <option value="">{t("import.pickColumn")}</option>
              {headers.map((h) => (
                <option key={h} value={h}>
                  {h}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="map-phone"
              value={value.phone}
              placeholder="휴대폰"
              onChange={(e) => set({ phone: e.target.value })}
            />
          )}
        </Field>
        <Field id="map-name" label={t("import.mapName")}>
          {headers ? (
            <select
              id="map-name"
              value={value.name}
              onChange={(e) => set({ name: e.target.value })}
            >
              <option value="">{t("import.nameRecognised")}</option>
              <option value={NO_NAME}>{t("import.noName")}</option>
              {headers
                .filter((h) => h !== value.phone)
                .map((h) => (
                  <option key={h} value={h}>
                    {h}
                  </option>
                ))}
            </select>
          ) : (
            <input
              id="map-name"
              value={value.name === NO_NAME ? "" : value.name}
              placeholder="이름"
              onChange={(e) => set({ name: e.target.value })}
            />
          )}
        </Field>
      </div>
      {others.length > 0 ? (
        <div className="stack tight">
          <span className="label strong small">{t("import.mapAttributes")}</span>
          <ul className="map-list">
            {others.map((h) => {
              const attribute = value.attributes[h] ?? { on: true, key: keyOf(h) };
              const change = (next: Partial<typeof attribute>) =>
                set({ attributes: { ...value.attributes, [h]: { ...attribute, ...next } } });
              return (
                <li key={h}>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={attribute.on}
                      onChange={(e) => change({ on: e.target.checked })}
                    />
                    <span>{h}</span>
                  </label>
                  <input
                    aria-label={t("import.mapKey", { header: h })}
                    value={attribute.key}
                    disabled={!attribute.on}
                    onChange={(e) => change({ key: e.target.value })}
                  />
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
      <FieldErrors name="mapping" error={error} />
    </fieldset>
  );
}

function NewImport({ groups, onGroupMade }: { groups: Group[]; onGroupMade(): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [file, setFile] = useState<File | null>(null);
  const [groupId, setGroupId] = useState("");
  const [newName, setNewName] = useState("");
  const [mapping, setMapping] = useState<MappingForm | null>(null);
  const [headers, setHeaders] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const groupKeys = useIdempotencyKeys();
  const unassigned = groups.find((g) => g.system);

  const pick = (next: File) => {
    setFile(next);
    setError(null);
    setHeaders(null);
    setMapping(null);
  };

  const upload = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      // "": the system group 미지정, the API's default.
      let target = groupId;
      if (groupId === NEW_GROUP) {
        const body = { name: newName.trim() };
        const group = await unwrap(
          api.POST("/v1/groups", { body, headers: { "idempotency-key": groupKeys.keyFor(body) } }),
        );
        groupKeys.done();
        target = group.id;
        setGroupId(group.id);
        setNewName("");
        onGroupMade();
      }
      const form = new FormData();
      form.append("file", file, file.name);
      if (target) form.append("groupId", target);
      const json = mapping ? mappingJson(mapping, headers) : null;
      if (json) form.append("mapping", json);
      const started = await unwrap(
        api.POST("/v1/imports", {
          body: { file: file.name },
          bodySerializer: () => form,
          headers: { "idempotency-key": randomKey() },
        }),
      );
      navigate(`/imports/${started.id}`);
    } catch (err) {
      setError(err);
      const found = headersOf(err);
      if (found) {
        setHeaders(found);
        setMapping((m) => m ?? emptyMapping(found));
      }
      setBusy(false);
    }
  };

  const noPhone = error instanceof ApiError && error.code === "NO_PHONE_COLUMN";
  return (
    <form onSubmit={upload} className="stack" data-testid="new-import" noValidate>
      <FileDrop
        file={file}
        accept={ACCEPT}
        label={t("import.file")}
        hint={t("import.fileHint")}
        disabled={busy}
        onFile={pick}
      />
      <FieldErrors name="file" error={noPhone ? null : error} />
      <div className="grid-2 top">
        <Field id="import-group" label={t("import.group")} name="groupId" error={error}>
          <select id="import-group" value={groupId} onChange={(e) => setGroupId(e.target.value)}>
            {unassigned ? null : <option value="">미지정</option>}
            {groups.map((g) => (
              <option key={g.id} value={g.system ? "" : g.id}>
                {g.name}
              </option>
            ))}
            <option value={NEW_GROUP}>{t("import.newGroup")}</option>
          </select>
        </Field>
        {groupId === NEW_GROUP ? (
          <Field id="import-group-name" label={t("group.newName")} name="name" error={error}>
            <input
              id="import-group-name"
              value={newName}
              onChange={(e) => setNewName(e.target.value)}
            />
          </Field>
        ) : null}
      </div>
      {noPhone && mapping?.phone ? (
        <div className="banner info" role="status" data-testid="import-mapped">
          {t("import.mappedRetry", { header: mapping.phone })}
        </div>
      ) : noPhone ? (
        <div className="banner error" role="alert" data-testid="import-no-phone">
          {t("import.noPhoneColumn")}
        </div>
      ) : (
        <ErrorBanner error={error} fields={["file", "groupId", "name", "mapping"]} />
      )}
      {mapping ? (
        <MappingEditor headers={headers} value={mapping} onChange={setMapping} error={error} />
      ) : (
        <div>
          <Button small kind="ghost" onClick={() => setMapping(emptyMapping([]))}>
            {t("import.mapByHand")}
          </Button>
        </div>
      )}
      <Button
        type="submit"
        kind="primary"
        busy={busy}
        disabled={!file || (groupId === NEW_GROUP && !newName.trim())}
      >
        {t("import.upload")}
      </Button>
    </form>
  );
}

export function ImportsScreen() {
  const { t, locale } = useI18n();
  const { api, acting, role } = useSession();
  const writable = role !== "viewer";
  const groups = useLoad(acting.id, () => unwrap(api.GET("/v1/groups")));
  const imports = usePaged(`${acting.id}:imports`, (cursor) =>
    unwrap(api.GET("/v1/imports", { params: { query: { limit: 20, cursor } } })),
  );
  const list = imports.data?.data ?? [];
  const groupName = (id: string) => groups.data?.data.find((g) => g.id === id)?.name ?? "–";
  return (
    <>
      <PageHeader
        title={t("imports.title")}
        actions={<Link to="/contacts">{t("groups.toContacts")}</Link>}
      />
      <p className="intro muted">{t("imports.intro")}</p>
      <ErrorBanner error={groups.error ?? imports.error} />
      {writable ? (
        <Panel title={t("imports.new")} id="new-import">
          {groups.data ? (
            <NewImport groups={groups.data.data} onGroupMade={groups.reload} />
          ) : (
            <p className="muted">{t("common.loading")}</p>
          )}
        </Panel>
      ) : null}
      <Panel title={t("imports.list")}>
        {imports.data && list.length === 0 ? (
          <Empty>{t("imports.none")}</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="imports">
              <thead>
                <tr>
                  <th>{t("import.fileName")}</th>
                  <th>{t("import.status")}</th>
                  <th className="hide-sm">{t("import.group")}</th>
                  <th className="num">{t("import.rowsTotal")}</th>
                  <th className="hide-sm">{t("import.createdAt")}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((i) => (
                  <tr key={i.id} data-import={i.id}>
                    <td>
                      <Link to={`/imports/${i.id}`} className="strong">
                        {i.fileName}
                      </Link>
                      <div className="muted small">{formatSize(i.fileSize, locale)}</div>
                    </td>
                    <td>
                      <StatusBadge status={i.status} />
                    </td>
                    <td className="hide-sm">{groupName(i.groupId)}</td>
                    <td className="num">{i.rows.total.toLocaleString(locale)}</td>
                    <td className="hide-sm small">
                      {formatTime(i.createdAt, locale, acting.timezone)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager paged={imports} />
      </Panel>
    </>
  );
}

const ROW_FILTERS: (ImportRowStatus | "")[] = ["", "valid", "invalid", "duplicate", "existing"];

function RowsTable({
  rows,
  excluded,
  pick,
}: {
  rows: ImportRow[];
  /** The rows left out (kept after the commit, to say which were). */
  excluded: ReturnType<typeof useSelection>;
  /** Rows may be left out now (a ready import). */
  pick: boolean;
}) {
  const { t } = useI18n();
  const storable = rows.filter((r) => STORABLE.includes(r.status)).map((r) => String(r.row));
  const allOut = storable.length > 0 && storable.every((n) => excluded.has(n));
  return (
    <div className="table-wrap">
      <table className="table import-rows" data-testid="import-rows">
        <thead>
          <tr>
            {pick ? (
              <th className="pick">
                <input
                  type="checkbox"
                  aria-label={t("import.excludePage")}
                  checked={allOut}
                  disabled={storable.length === 0}
                  onChange={() => excluded.setMany(storable, !allOut)}
                />
              </th>
            ) : null}
            <th className="num">{t("import.row")}</th>
            <th>{t("import.rowStatus")}</th>
            <th>{t("contact.who")}</th>
            <th className="hide-sm">{t("contact.attributes")}</th>
            <th>{t("import.problem")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const key = String(r.row);
            const out = excluded.has(key);
            const attributes = Object.entries(r.attributes);
            return (
              <tr
                key={r.row}
                data-row={r.row}
                data-status={r.status}
                className={out ? "excluded" : undefined}
              >
                {pick ? (
                  <td className="pick">
                    {STORABLE.includes(r.status) ? (
                      <input
                        type="checkbox"
                        aria-label={t("import.excludeRow", { n: r.row })}
                        checked={out}
                        onChange={() => excluded.toggle(key)}
                      />
                    ) : null}
                  </td>
                ) : null}
                <td className="num">{r.row}</td>
                <td>
                  <span className={`badge ${ROW_TONE[r.status]}`}>
                    {t(`import.rows.${r.status}` as MessageKey)}
                  </span>
                  {out ? <div className="muted small">{t("import.excluded")}</div> : null}
                </td>
                <td>
                  <div className="strong">{r.name ?? t("contact.noName")}</div>
                  <div className="mono-num">
                    {r.phone ? formatPhone(r.phone) : (r.phoneInput ?? "–")}
                  </div>
                </td>
                <td className="hide-sm small">
                  {attributes.length === 0
                    ? "–"
                    : attributes.map(([k, v]) => (
                        <div key={k}>
                          <span className="muted">{k}</span> {String(v)}
                        </div>
                      ))}
                </td>
                <td className="small">
                  {r.errors.map((e) => (
                    <div key={`${e.cell}:${e.code}`} className="text-bad" data-code={e.code}>
                      <span className="mono-num">{e.cell}</span> ·{" "}
                      {detailText(t, { code: e.code, message: e.message })}
                    </div>
                  ))}
                  {r.status === "duplicate" && r.duplicateOf !== null ? (
                    <div className="muted">{t("import.duplicateOf", { n: r.duplicateOf })}</div>
                  ) : null}
                  {r.status === "existing" && r.contactId ? (
                    <Link to={`/contacts/${r.contactId}`}>{t("import.existingContact")}</Link>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const ROW_TONE: Record<ImportRowStatus, string> = {
  valid: "good",
  invalid: "bad",
  duplicate: "busy",
  existing: "info",
};

function ImportReport({
  imp,
  groups,
  onChanged,
}: {
  imp: Import;
  groups: Group[];
  onChanged(): void;
}) {
  const { t, locale } = useI18n();
  const { api, role } = useSession();
  const writable = role !== "viewer";
  const [filter, setFilter] = useState<ImportRowStatus | "">("");
  const excluded = useSelection(imp.id);
  const [onExisting, setOnExisting] = useState<"update" | "skip">("update");
  const [busy, setBusy] = useState<"commit" | "discard" | null>(null);
  const [error, setError] = useState<unknown>(null);
  const rows = usePaged(`${imp.id}:${filter}:${imp.status}`, (cursor) =>
    unwrap(
      api.GET("/v1/imports/{id}/rows", {
        params: {
          path: { id: imp.id },
          query: { limit: ROWS_PAGE, cursor, ...(filter ? { status: filter } : {}) },
        },
      }),
    ),
  );
  const group = groups.find((g) => g.id === imp.groupId);
  const ready = imp.status === "ready";
  const storable = imp.rows.valid + imp.rows.existing;
  const toStore = Math.max(0, storable - excluded.size);

  const commit = async () => {
    setBusy("commit");
    setError(null);
    try {
      const excludeRows = excluded.ids.map(Number).sort((a, b) => a - b);
      await unwrap(
        api.POST("/v1/imports/{id}/commit", {
          params: { path: { id: imp.id } },
          body: { excludeRows, ...(imp.rows.existing > 0 ? { onExisting } : {}) },
        }),
      );
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const discard = async () => {
    if (!window.confirm(t("import.discardConfirm", { name: imp.fileName }))) return;
    setBusy("discard");
    setError(null);
    try {
      await unwrap(api.DELETE("/v1/imports/{id}", { params: { path: { id: imp.id } } }));
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const counts: [string, number, ImportRowStatus | ""][] = [
    ["import.rows.total", imp.rows.total, ""],
    ["import.rows.valid", imp.rows.valid, "valid"],
    ["import.rows.invalid", imp.rows.invalid, "invalid"],
    ["import.rows.duplicate", imp.rows.duplicateInFile, "duplicate"],
    ["import.rows.existing", imp.rows.existing, "existing"],
  ];
  return (
    <>
      <Panel>
        <div className="campaign-head">
          <StatusBadge status={imp.status} testId="import-status" />
          <span className="strong">{imp.fileName}</span>
          <span className="muted">
            {t("import.into")} {group ? <Link to={`/groups/${group.id}`}>{group.name}</Link> : "–"}
          </span>
        </div>
        {imp.status === "parsing" || imp.status === "committing" ? (
          <ProgressBar
            id="import-progress"
            value={imp.progress}
            label={t(imp.status === "parsing" ? "import.parsing" : "import.committing")}
          />
        ) : null}
        {imp.status === "failed" && imp.error ? (
          <div className="banner error" role="alert" data-testid="import-failed">
            {detailText(t, { code: imp.error.code, message: imp.error.message })}
          </div>
        ) : null}
        {imp.status === "discarded" ? <p className="banner info">{t("import.discarded")}</p> : null}
        {imp.status !== "parsing" ? (
          <div className="stats counts" data-testid="import-counts">
            {counts.map(([label, n, status]) => (
              <button
                key={label}
                type="button"
                className={filter === status ? "stat stat-button on" : "stat stat-button"}
                data-count={status || "total"}
                onClick={() => setFilter(status)}
              >
                <span className="stat-label">{t(label as MessageKey)}</span>
                <span className="stat-value">{n.toLocaleString(locale)}</span>
              </button>
            ))}
          </div>
        ) : null}
        <ImportColumns imp={imp} />
      </Panel>
      {imp.status === "completed" && imp.result ? (
        <Panel title={t("import.result")} id="import-result">
          <div className="stats" data-testid="import-result">
            <Stat
              id="result-created"
              label={t("import.created")}
              value={String(imp.result.created)}
            />
            <Stat
              id="result-updated"
              label={t("import.updated")}
              value={String(imp.result.updated)}
            />
            <Stat
              id="result-skipped"
              label={t("import.skipped")}
              value={String(imp.result.skipped)}
            />
          </div>
          <div className="row wrap">
            {group ? (
              <Link to={`/groups/${group.id}`} className="button">
                {t("import.openGroup", { name: group.name })}
              </Link>
            ) : null}
            {group && writable ? (
              <Button
                kind="primary"
                onClick={() => {
                  const state: SendState = { groupIds: [group.id] };
                  navigate("/send", { state });
                }}
              >
                {t("group.send")}
              </Button>
            ) : null}
          </div>
        </Panel>
      ) : null}
      {ready && writable ? (
        <Panel title={t("import.commitTitle")} id="import-commit">
          <ErrorBanner error={error} />
          <p data-testid="import-to-store">
            {t("import.toStore", {
              n: toStore.toLocaleString(locale),
              out: excluded.size.toLocaleString(locale),
              group: group?.name ?? "",
            })}
          </p>
          {imp.rows.existing > 0 ? (
            <fieldset className="field">
              <legend>{t("import.onExisting", { n: imp.rows.existing })}</legend>
              <div className="segmented" role="radiogroup" aria-label={t("import.onExistingShort")}>
                {(["update", "skip"] as const).map((choice) => (
                  <label key={choice} className={onExisting === choice ? "on" : undefined}>
                    <input
                      type="radio"
                      name="on-existing"
                      value={choice}
                      checked={onExisting === choice}
                      onChange={() => setOnExisting(choice)}
                    />
                    {t(choice === "update" ? "import.update" : "import.skip")}
                  </label>
                ))}
              </div>
              <div className="hint">
                {t(onExisting === "update" ? "import.updateHint" : "import.skipHint")}
              </div>
            </fieldset>
          ) : null}
          <div className="row wrap">
            <Button
              kind="primary"
              busy={busy === "commit"}
              disabled={busy !== null || toStore === 0}
              onClick={() => void commit()}
            >
              {t("import.commit", { n: toStore.toLocaleString(locale) })}
            </Button>
            <Button
              kind="danger"
              busy={busy === "discard"}
              disabled={busy !== null}
              onClick={() => void discard()}
            >
              {t("import.discard")}
            </Button>
          </div>
        </Panel>
      ) : null}
      {imp.status !== "parsing" && imp.status !== "discarded" ? (
        <Panel
          title={t("import.rowsTitle")}
          id="import-rows"
          actions={
            <div className="segmented" role="radiogroup" aria-label={t("import.rowFilter")}>
              {ROW_FILTERS.map((status) => (
                <label key={status || "all"} className={filter === status ? "on" : undefined}>
                  <input
                    type="radio"
                    name="row-filter"
                    value={status}
                    checked={filter === status}
                    onChange={() => setFilter(status)}
                  />
                  {t(status ? (`import.rows.${status}` as MessageKey) : "campaigns.all")}
                </label>
              ))}
            </div>
          }
        >
          <ErrorBanner error={rows.error} />
          {ready && writable ? <p className="hint">{t("import.excludeHint")}</p> : null}
          {rows.data && rows.data.data.length === 0 ? (
            <Empty>{t("import.noRows")}</Empty>
          ) : (
            <RowsTable rows={rows.data?.data ?? []} excluded={excluded} pick={ready && writable} />
          )}
          <Pager paged={rows} />
        </Panel>
      ) : null}
    </>
  );
}

/** Which column became what: the number, the name, the attributes, and those left aside. */
function ImportColumns({ imp }: { imp: Import }) {
  const { t } = useI18n();
  const { columns } = imp;
  return (
    <dl className="kv columns" data-testid="import-columns">
      <dt>{t("import.colPhone")}</dt>
      <dd>
        {columns.phone.header} <span className="muted small">({columns.phone.column})</span>
      </dd>
      <dt>{t("import.colName")}</dt>
      <dd>
        {columns.name ? (
          <>
            {columns.name.header} <span className="muted small">({columns.name.column})</span>
          </>
        ) : (
          t("import.noName")
        )}
      </dd>
      {columns.attributes.length > 0 ? (
        <>
          <dt>{t("import.colAttributes")}</dt>
          <dd>
            {columns.attributes.map((a) => (
              <span key={a.column} className="badge muted">
                {a.header} → #{"{"}
                {a.key}
                {"}"}
              </span>
            ))}
          </dd>
        </>
      ) : null}
      {columns.ignored.length > 0 ? (
        <>
          <dt>{t("import.colIgnored")}</dt>
          <dd className="small muted">
            {columns.ignored.map((c) => `${c.header} (${c.column})`).join(", ")}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

export function ImportDetailScreen({ id }: { id: string }) {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const imp = useLoad(id, () => unwrap(api.GET("/v1/imports/{id}", { params: { path: { id } } })));
  const groups = useLoad(acting.id, () => unwrap(api.GET("/v1/groups")));
  const status = imp.data?.status;
  const moving = status === "parsing" || status === "committing";
  const { reload } = imp;
  useEffect(() => {
    if (!moving) return;
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [moving, reload]);
  // A commit's result may change the groups' counts.
  const { reload: reloadGroups } = groups;
  useEffect(() => {
    if (status === "completed") reloadGroups();
  }, [status, reloadGroups]);
  const final = status ? FINAL_IMPORT.includes(status) : false;
  const groupList = useMemo(() => groups.data?.data ?? [], [groups.data]);
  return (
    <>
      <PageHeader
        title={t("import.title")}
        actions={final ? <Link to="/imports">{t("imports.new")}</Link> : null}
      />
      <p className="crumbs">
        <Link to="/imports">{t("imports.title")}</Link> / <code>{id}</code>
      </p>
      <ErrorBanner error={imp.error ?? groups.error} />
      {imp.data ? <ImportReport imp={imp.data} groups={groupList} onChanged={reload} /> : null}
    </>
  );
}
