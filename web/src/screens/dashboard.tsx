// The first screen: credits available, today's messages by status, and the latest campaigns.
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Campaign } from "../api/types.ts";
import { CampaignTable } from "../components/campaign-table.tsx";
import { ErrorBanner } from "../components/form.tsx";
import { Empty, PageHeader, Panel, Stat } from "../components/panel.tsx";
import { formatCredits, startOfToday } from "../format.ts";
import { useI18n } from "../i18n.tsx";
import { Link } from "../router.tsx";
import { useLoad } from "../use-load.ts";

/** Today's campaigns are read a page at a time, up to this many. */
const TODAY_PAGES = 10;

interface Today {
  campaigns: number;
  total: number;
  delivered: number;
  failed: number;
  pending: number;
  canceled: number;
}

function addUp(campaigns: Campaign[]): Today {
  const today: Today = { campaigns: 0, total: 0, delivered: 0, failed: 0, pending: 0, canceled: 0 };
  for (const { counts } of campaigns) {
    today.campaigns += 1;
    today.total += counts.total;
    today.delivered += counts.delivered;
    today.failed += counts.failed + counts.expired;
    today.pending += counts.accepted + counts.queued + counts.sending + counts.sent;
    today.canceled += counts.canceled;
  }
  return today;
}

export function DashboardScreen() {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const credits = useLoad(acting.id, () => unwrap(api.GET("/v1/credits")));
  const recent = useLoad(acting.id, () =>
    unwrap(api.GET("/v1/campaigns", { params: { query: { limit: 5 } } })),
  );
  const today = useLoad(acting.id, async () => {
    const from = startOfToday(acting.timezone);
    const all: Campaign[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < TODAY_PAGES; page++) {
      const answer = await unwrap(
        api.GET("/v1/campaigns", { params: { query: { from, limit: 100, cursor } } }),
      );
      all.push(...answer.data);
      if (!answer.nextCursor) break;
      cursor = answer.nextCursor;
    }
    return addUp(all);
  });
  const n = (value: number | undefined) =>
    value === undefined ? "–" : value.toLocaleString(locale);

  return (
    <>
      <PageHeader
        title={t("dashboard.title")}
        actions={
          <Link to="/send" className="button primary">
            {t("dashboard.send")}
          </Link>
        }
      />
      <ErrorBanner error={credits.error ?? today.error ?? recent.error} />
      <div className="stats">
        <Stat
          id="available-credits"
          label={t("credits.available")}
          value={formatCredits(credits.data?.available)}
          sub={
            credits.data
              ? t("credits.balanceHeld", {
                  balance: formatCredits(credits.data.balance),
                  held: formatCredits(credits.data.held),
                })
              : undefined
          }
        />
        <Stat
          id="today-total"
          label={t("dashboard.todayTotal")}
          value={n(today.data?.total)}
          sub={today.data ? t("dashboard.todayCampaigns", { n: today.data.campaigns }) : undefined}
        />
        <Stat id="today-delivered" label={t("status.delivered")} value={n(today.data?.delivered)} />
        <Stat id="today-pending" label={t("dashboard.pending")} value={n(today.data?.pending)} />
        <Stat id="today-failed" label={t("dashboard.failed")} value={n(today.data?.failed)} />
      </div>
      <Panel
        title={t("dashboard.recent")}
        actions={<Link to="/campaigns">{t("dashboard.allCampaigns")}</Link>}
      >
        {recent.data && recent.data.data.length === 0 ? (
          <Empty>{t("campaigns.none")}</Empty>
        ) : (
          <CampaignTable campaigns={recent.data?.data ?? []} timeZone={acting.timezone} />
        )}
      </Panel>
    </>
  );
}
