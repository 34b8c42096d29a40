// Every campaign, newest first, a page at a time, filtered by status.
import { useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { CampaignStatus } from "../api/types.ts";
import { CampaignTable } from "../components/campaign-table.tsx";
import { ErrorBanner } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { Link } from "../router.tsx";

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
  const paged = usePaged(`${acting.id}:${status}`, (cursor) =>
    unwrap(
      api.GET("/v1/campaigns", {
        params: { query: { limit: 20, cursor, ...(status ? { status } : {}) } },
      }),
    ),
  );
  return (
    <>
      <PageHeader
        title={t("campaigns.title")}
        actions={
          <Link to="/send" className="button primary">
            {t("dashboard.send")}
          </Link>
        }
      />
      <Panel
        actions={
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
        }
      >
        <ErrorBanner error={paged.error} />
        {paged.data && paged.data.data.length === 0 ? (
          <Empty>{t("campaigns.none")}</Empty>
        ) : (
          <CampaignTable campaigns={paged.data?.data ?? []} timeZone={acting.timezone} />
        )}
        <Pager paged={paged} />
      </Panel>
    </>
  );
}
