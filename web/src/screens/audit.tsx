// The audit log: every change made in the organization, newest first.
import { useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { AuditEntry } from "../api/types.ts";
import { ErrorBanner } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { formatTime } from "../format.ts";
import { useI18n } from "../i18n.tsx";
import { useLoad } from "../use-load.ts";

export function AuditScreen() {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const [target, setTarget] = useState("");
  const [applied, setApplied] = useState("");
  const entries = usePaged(`${acting.id}:${applied}`, (cursor) =>
    unwrap(
      api.GET("/v1/audit", {
        params: { query: { limit: 50, cursor, ...(applied ? { targetId: applied } : {}) } },
      }),
    ),
  );
  // Who did it, by email where the user is one of this organization's.
  const users = useLoad(acting.id, () =>
    unwrap(api.GET("/v1/users", { params: { query: { limit: 100 } } })),
  );
  const emails = new Map((users.data?.data ?? []).map((u) => [u.id, u.email]));
  const actorOf = (actor: AuditEntry["actor"]) => {
    if (actor.keyId) return <code>{actor.keyId}</code>;
    if (actor.userId) return emails.get(actor.userId) ?? <code>{actor.userId}</code>;
    return t("audit.system");
  };
  const list = entries.data?.data ?? [];
  return (
    <>
      <PageHeader title={t("audit.title")} />
      <Panel
        actions={
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              setApplied(target.trim());
            }}
          >
            <label className="inline">
              <span>{t("audit.target")}</span>
              <input
                value={target}
                placeholder="vac_…"
                onChange={(e) => setTarget(e.target.value)}
              />
            </label>
            <button type="submit" className="button small">
              {t("audit.filter")}
            </button>
          </form>
        }
      >
        <ErrorBanner error={entries.error} />
        {entries.data && list.length === 0 ? <Empty>{t("audit.none")}</Empty> : null}
        {list.length > 0 ? (
          <div className="table-wrap">
            <table className="table" data-testid="audit">
              <thead>
                <tr>
                  <th>{t("audit.at")}</th>
                  <th>{t("audit.action")}</th>
                  <th>{t("audit.targetColumn")}</th>
                  <th className="hide-sm">{t("audit.actor")}</th>
                  <th className="hide-sm">{t("audit.details")}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((e) => (
                  <tr key={e.id}>
                    <td>{formatTime(e.createdAt, locale, acting.timezone)}</td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td className="small">
                      {e.target.type} <code>{e.target.id}</code>
                    </td>
                    <td className="hide-sm small">{actorOf(e.actor)}</td>
                    <td className="hide-sm small details">{JSON.stringify(e.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager paged={entries} />
      </Panel>
    </>
  );
}
