// Campaigns as a table: when, what, its status, how many were delivered and clicked, and what it cost.
import type { Campaign } from "../api/types.ts";
import { formatCredits, formatTime } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { Link } from "../router.tsx";
import { StatusBadge } from "./status.tsx";

export function CampaignTable({
  campaigns,
  timeZone,
}: {
  campaigns: Campaign[];
  timeZone: string;
}) {
  const { t, locale } = useI18n();
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th>{t("campaign.createdAt")}</th>
            <th>{t("campaign.type")}</th>
            <th>{t("campaign.status")}</th>
            <th className="num">{t("campaign.total")}</th>
            <th className="num">{t("campaign.delivered")}</th>
            <th className="num hide-sm">{t("campaign.failed")}</th>
            <th className="num hide-sm">{t("count.clicked")}</th>
            <th className="num hide-sm">{t("campaign.charged")}</th>
          </tr>
        </thead>
        <tbody>
          {campaigns.map((c) => (
            <tr key={c.id} data-campaign={c.id}>
              <td>
                <Link to={`/campaigns/${c.id}`}>{formatTime(c.createdAt, locale, timeZone)}</Link>
              </td>
              <td>{t(`type.${c.type}` as MessageKey)}</td>
              <td>
                <StatusBadge status={c.status} />
              </td>
              <td className="num">{c.counts.total.toLocaleString(locale)}</td>
              <td className="num">{c.counts.delivered.toLocaleString(locale)}</td>
              <td className="num hide-sm">{c.counts.failed.toLocaleString(locale)}</td>
              <td className="num hide-sm">{c.counts.clicked.toLocaleString(locale)}</td>
              <td className="num hide-sm">{formatCredits(c.cost.charged)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
