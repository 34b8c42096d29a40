// Every campaign, newest first, a page at a time, filtered by status, by the
// days it was accepted on and by the contact group it was sent to.
import { useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { CampaignStatus } from "../api/types.ts";
import { CampaignTable } from "../components/campaign-table.tsx";
import { ErrorBanner, FieldErrors } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { dayRange } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { Link } from "../router.tsx";
import { useLoad } from "../use-load.ts";

const STATUSES: CampaignStatus[] = [
  "draft",
  "scheduled",
  "queued",
  "sending",
  "completed",
  "canceled",
];

export function CampaignsScreen() {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const [status, setStatus] = useState<CampaignStatus | "">("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [groupId, setGroupId] = useState("");
  const groups = useLoad(acting.id, () => unwrap(api.GET("/v1/groups")));
  const range = dayRange(from, to);
  const paged = usePaged(`${acting.id}:${status}:${range.from}:${range.to}:${groupId}`, (cursor) =>
    unwrap(
      api.GET("/v1/campaigns", {
        params: {
          query: {
            limit: 20,
            cursor,
            ...(status ? { status } : {}),
            ...(range.from ? { from: range.from } : {}),
            ...(range.to ? { to: range.to } : {}),
            ...(groupId ? { groupId } : {}),
          },
        },
      }),
    ),
  );
  const filtered = Boolean(status || from || to || groupId);
  return (
    <>
      <PageHeader
        title={t("campaigns.title")}
        actions={
          <>
            <Link to="/messages" className="button">
              {t("messages.search")}
            </Link>
            <Link to="/send" className="button primary">
              {t("dashboard.send")}
            </Link>
          </>
        }
      />
      <Panel>
        <div className="filters" data-testid="campaign-filters">
          <label className="inline">
            <span>{t("campaign.status")}</span>
            <select
              value={status}
              onChange={(e) => setStatus(e.target.value as CampaignStatus | "")}
            >
              <option value="">{t("campaigns.all")}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            <span>{t("campaigns.from")}</span>
            <input
              type="date"
              value={from}
              max={to || undefined}
              onChange={(e) => setFrom(e.target.value)}
            />
          </label>
          <label className="inline">
            <span>{t("campaigns.to")}</span>
            <input
              type="date"
              value={to}
              min={from || undefined}
              onChange={(e) => setTo(e.target.value)}
            />
          </label>
          <label className="inline">
            <span>{t("contacts.group")}</span>
            <select value={groupId} onChange={(e) => setGroupId(e.target.value)}>
              <option value="">{t("contacts.allGroups")}</option>
              {(groups.data?.data ?? []).map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <FieldErrors name="querystring" error={paged.error} />
        <ErrorBanner error={paged.error ?? groups.error} fields={["querystring"]} />
        {paged.data && paged.data.data.length === 0 ? (
          <Empty>{filtered ? t("campaigns.noneFound") : t("campaigns.none")}</Empty>
        ) : (
          <CampaignTable campaigns={paged.data?.data ?? []} timeZone={acting.timezone} />
        )}
        <Pager paged={paged} />
      </Panel>
    </>
  );
}
