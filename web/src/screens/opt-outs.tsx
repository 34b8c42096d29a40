// Numbers that asked not to be sent to (무료수신거부 080 calls, replies,
// requests at the counter): advertising only, or everything; one recorded
// or withdrawn. A number keeps its opt-out whether it is a contact or not.
import { type FormEvent, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { OptOut, OptOutScope } from "../api/types.ts";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { formatPhone, formatTime } from "../format.ts";
import { useI18n } from "../i18n.tsx";

const FIELDS = ["phone", "scope", "source"];

function NewOptOut({ onAdded }: { onAdded(o: OptOut): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [phone, setPhone] = useState("");
  const [scope, setScope] = useState<OptOutScope>("advertising");
  const [source, setSource] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const added = await unwrap(
        api.POST("/v1/opt-outs", {
          body: { phone: phone.trim(), scope, ...(source.trim() ? { source: source.trim() } : {}) },
        }),
      );
      setPhone("");
      onAdded(added);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="stack" data-testid="new-opt-out" noValidate>
      <ErrorBanner error={error} fields={FIELDS} />
      <div className="grid-3">
        <Field id="opt-out-phone" label={t("optOut.phone")} name="phone" error={error}>
          <input
            id="opt-out-phone"
            type="tel"
            inputMode="tel"
            value={phone}
            placeholder="010-1234-5678"
            onChange={(e) => setPhone(e.target.value)}
          />
        </Field>
        <Field id="opt-out-scope" label={t("optOut.scope")} name="scope" error={error}>
          <select
            id="opt-out-scope"
            value={scope}
            onChange={(e) => setScope(e.target.value as OptOutScope)}
          >
            <option value="advertising">{t("optOut.scopeAdvertising")}</option>
            <option value="all">{t("optOut.scopeAll")}</option>
          </select>
        </Field>
        <Field id="opt-out-source" label={t("optOut.source")} name="source" error={error}>
          <input
            id="opt-out-source"
            value={source}
            placeholder={t("optOut.sourcePlaceholder")}
            onChange={(e) => setSource(e.target.value)}
          />
        </Field>
      </div>
      <Button type="submit" kind="primary" busy={busy} disabled={!phone.trim()}>
        {t("optOut.add")}
      </Button>
    </form>
  );
}

export function OptOutsScreen() {
  const { t, locale } = useI18n();
  const { api, acting, role } = useSession();
  const writable = role !== "viewer";
  const list = usePaged(acting.id, (cursor) =>
    unwrap(api.GET("/v1/opt-outs", { params: { query: { limit: 50, cursor } } })),
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const remove = async (o: OptOut) => {
    if (!window.confirm(t("optOut.removeConfirm", { phone: formatPhone(o.phone) }))) return;
    setError(null);
    try {
      await unwrap(api.DELETE("/v1/opt-outs/{phone}", { params: { path: { phone: o.phone } } }));
      setNotice(t("optOut.removed", { phone: formatPhone(o.phone) }));
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const rows = list.data?.data ?? [];
  return (
    <>
      <PageHeader title={t("optOuts.title")} />
      <p className="muted intro">{t("optOuts.intro")}</p>
      {writable ? (
        <Panel title={t("optOuts.new")} id="opt-out-new">
          <NewOptOut
            onAdded={(o) => {
              setNotice(t("optOut.added", { phone: formatPhone(o.phone) }));
              list.reload();
            }}
          />
        </Panel>
      ) : null}
      <Panel title={t("optOuts.list")} id="opt-out-list">
        {notice ? (
          <div className="banner info" role="status" data-testid="opt-outs-notice">
            {notice}
          </div>
        ) : null}
        <ErrorBanner error={list.error ?? error} />
        {list.data && rows.length === 0 ? (
          <Empty>{t("optOuts.none")}</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="opt-outs">
              <thead>
                <tr>
                  <th>{t("optOut.phone")}</th>
                  <th>{t("optOut.scope")}</th>
                  <th className="hide-sm">{t("optOut.source")}</th>
                  <th className="hide-sm">{t("optOut.at")}</th>
                  {writable ? (
                    <th>
                      <span className="sr-only">{t("common.actions")}</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {rows.map((o) => (
                  <tr key={o.phone} data-phone={o.phone}>
                    <td className="mono-num">{formatPhone(o.phone)}</td>
                    <td>
                      <span className={o.scope === "all" ? "badge bad" : "badge busy"}>
                        {t(o.scope === "all" ? "optOut.scopeAll" : "optOut.scopeAdvertising")}
                      </span>
                    </td>
                    <td className="hide-sm">{o.source ?? "–"}</td>
                    <td className="hide-sm">{formatTime(o.createdAt, locale, acting.timezone)}</td>
                    {writable ? (
                      <td className="actions">
                        <Button small onClick={() => void remove(o)}>
                          {t("optOut.optIn")}
                        </Button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager paged={list} />
      </Panel>
    </>
  );
}
