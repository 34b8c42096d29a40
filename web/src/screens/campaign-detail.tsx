// One campaign: its status and counts as they change (read again every
// couple of seconds until it is final), its money, how each contact group it
// went to fared, its tracked links with their clicks, and each message (to
// its content as sent); all its messages as a CSV file; right after a send
// from the console, also what the send's answer said: who was left out and
// why, and who waits for the morning.
import { useEffect, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import {
  type Campaign,
  FINAL_CAMPAIGN,
  type MessageStatus,
  type SendResult,
} from "../api/types.ts";
import { whereFrom } from "../components/estimate-panel.tsx";
import { Exclusions } from "../components/exclusions.tsx";
import { Button, ErrorBanner } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel, Stat } from "../components/panel.tsx";
import { StatusBadge } from "../components/status.tsx";
import { safeFileName, saveFile } from "../download.ts";
import { formatCredits, formatPhone, formatTime } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { historyState, Link } from "../router.tsx";
import { useLoad } from "../use-load.ts";

/** What the send screen hands this screen: the send's answer and the line of each recipient. */
export interface SentState {
  sent: { result: SendResult; lines: number[] };
}

function sentOf(state: unknown, campaignId: string): SentState["sent"] | null {
  const sent = (state as Partial<SentState> | null)?.sent;
  return sent?.result?.campaignId === campaignId ? sent : null;
}

function SendAnswer({ sent, timeZone }: { sent: SentState["sent"]; timeZone: string }) {
  const { t, locale } = useI18n();
  const { result } = sent;
  return (
    <Panel title={t("sent.title")} id="send-answer">
      <dl className="kv" data-testid="send-answer">
        <dt>{t("sent.acceptedLabel")}</dt>
        <dd data-testid="sent-accepted">
          {t("sent.accepted", { n: result.accepted.toLocaleString(locale) })}
        </dd>
        <dt>{t("campaign.held")}</dt>
        <dd>{formatCredits(result.cost.held)}</dd>
        {result.deferred.length > 0 ? (
          <>
            <dt>{t("send.deferred")}</dt>
            <dd data-testid="sent-deferred">
              {t("send.deferredUntil", {
                n: result.deferred.length.toLocaleString(locale),
                at: formatTime(result.deferredUntil, locale, timeZone),
              })}
            </dd>
          </>
        ) : null}
      </dl>
      <Exclusions
        rejected={result.rejected}
        where={whereFrom(t, sent.lines)}
        testId="sent-excluded"
      />
    </Panel>
  );
}

const REFRESH_MS = 1500;
const CLICKS_REFRESH_MS = 5000;
const COUNTS = [
  "total",
  "queued",
  "sending",
  "sent",
  "delivered",
  "failed",
  "canceled",
  "expired",
  "fallback",
  "clicked",
] as const;
const MESSAGE_STATUSES: MessageStatus[] = [
  "queued",
  "sending",
  "sent",
  "delivered",
  "failed",
  "canceled",
  "expired",
];

/** How each contact group the campaign went to fared. */
function GroupResults({ campaign }: { campaign: Campaign }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const groups = useLoad(
    `${campaign.id}:${campaign.counts.delivered}:${campaign.counts.failed}:${campaign.counts.clicked}:${campaign.status}`,
    () => unwrap(api.GET("/v1/campaigns/{id}/groups", { params: { path: { id: campaign.id } } })),
  );
  const list = groups.data ?? [];
  if (groups.data && list.length === 0) return null;
  const n = (v: number) => v.toLocaleString(locale);
  return (
    <Panel title={t("results.groups")} id="campaign-groups">
      <ErrorBanner error={groups.error} />
      <div className="table-wrap">
        <table className="table" data-testid="campaign-groups">
          <thead>
            <tr>
              <th>{t("contacts.group")}</th>
              <th className="num">{t("results.total")}</th>
              <th className="num">{t("count.delivered")}</th>
              <th className="num">{t("count.failed")}</th>
              <th className="num">{t("results.pending")}</th>
              <th className="num">{t("results.clicked")}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((g) => (
              <tr key={g.groupId} data-group={g.groupId}>
                <td>
                  <Link to={`/groups/${g.groupId}`}>{g.name}</Link>
                </td>
                <td className="num" data-cell="total">
                  {n(g.total)}
                </td>
                <td className="num" data-cell="delivered">
                  {n(g.delivered)}
                </td>
                <td className="num" data-cell="failed">
                  {n(g.failed)}
                </td>
                <td className="num" data-cell="pending">
                  {n(g.pending)}
                </td>
                <td className="num" data-cell="clicked">
                  {n(g.clicked)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}

/** The campaign's tracked links and how often each was followed. */
function LinkClicks({ campaign }: { campaign: Campaign }) {
  const { t, locale } = useI18n();
  if (campaign.links.length === 0) return null;
  return (
    <Panel title={t("results.links")} id="campaign-links">
      <div className="table-wrap">
        <table className="table" data-testid="campaign-links">
          <thead>
            <tr>
              <th>{t("results.url")}</th>
              <th className="num">{t("results.clicks")}</th>
              <th className="num">{t("results.uniqueClicks")}</th>
            </tr>
          </thead>
          <tbody>
            {campaign.links.map((l) => (
              <tr key={l.url} data-url={l.url}>
                <td className="break">
                  <a href={l.url} target="_blank" rel="noreferrer noopener">
                    {l.url}
                  </a>
                </td>
                <td className="num" data-cell="clicks">
                  {l.clicks.toLocaleString(locale)}
                </td>
                <td className="num" data-cell="unique">
                  {l.uniqueClicks.toLocaleString(locale)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="hint">{t("results.linksHint")}</p>
    </Panel>
  );
}

/** Downloads the campaign's messages as the API's CSV. */
function useMessagesCsv(id: string) {
  const { api } = useSession();
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const blob = await unwrap(
        api.GET("/v1/campaigns/{id}/messages.csv", {
          params: { path: { id } },
          parseAs: "blob",
        }),
      );
      saveFile(blob as Blob, `${safeFileName(`${t("results.csvName")}-${id}`)}.csv`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error };
}

export function CampaignDetailScreen({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const [sent] = useState(() => sentOf(historyState(), id));
  const campaign = useLoad(id, () =>
    unwrap(api.GET("/v1/campaigns/{id}", { params: { path: { id } } })),
  );
  const [status, setStatus] = useState<MessageStatus | "">("");
  const messages = usePaged(`${id}:${status}`, (cursor) =>
    unwrap(
      api.GET("/v1/campaigns/{id}/messages", {
        params: { path: { id }, query: { limit: 50, cursor, ...(status ? { status } : {}) } },
      }),
    ),
  );
  const final = campaign.data ? FINAL_CAMPAIGN.includes(campaign.data.status) : false;
  const { reload: reloadCampaign } = campaign;
  const { reload: reloadMessages } = messages;
  // Until it is final its counts move; after, its clicks still do (more slowly).
  useEffect(() => {
    const timer = setInterval(
      () => {
        if (document.visibilityState !== "visible") return;
        reloadCampaign();
        reloadMessages();
      },
      final ? CLICKS_REFRESH_MS : REFRESH_MS,
    );
    return () => clearInterval(timer);
  }, [final, reloadCampaign, reloadMessages]);
  // The last change to final: the messages as they ended.
  useEffect(() => {
    if (final) reloadMessages();
  }, [final, reloadMessages]);

  const [canceling, setCanceling] = useState(false);
  const [cancelError, setCancelError] = useState<unknown>(null);
  const cancel = async () => {
    if (!window.confirm(t("campaign.cancelConfirm"))) return;
    setCanceling(true);
    setCancelError(null);
    try {
      await unwrap(api.POST("/v1/campaigns/{id}/cancel", { params: { path: { id } } }));
      reloadCampaign();
      reloadMessages();
    } catch (err) {
      setCancelError(err);
    } finally {
      setCanceling(false);
    }
  };

  const csv = useMessagesCsv(id);
  const c = campaign.data;
  const cancellable = c && ["scheduled", "queued", "sending"].includes(c.status);
  return (
    <>
      <PageHeader
        title={t("campaign.title")}
        actions={
          <>
            <Button busy={csv.busy} onClick={() => void csv.run()}>
              {t("results.csv")}
            </Button>
            {cancellable ? (
              <Button kind="danger" busy={canceling} onClick={cancel}>
                {t("campaign.cancel")}
              </Button>
            ) : null}
          </>
        }
      />
      <p className="crumbs">
        <Link to="/campaigns">{t("campaigns.title")}</Link> / <code>{id}</code>
      </p>
      <ErrorBanner error={campaign.error ?? cancelError ?? csv.error} />
      {sent ? <SendAnswer sent={sent} timeZone={acting.timezone} /> : null}
      {c ? (
        <>
          <Panel>
            <div className="campaign-head">
              <StatusBadge status={c.status} testId="campaign-status" />
              <span>{t(`type.${c.type}` as MessageKey)}</span>
              <span className="muted">{t(`strategy.${c.strategy}` as MessageKey)}</span>
              <span className="muted">
                {t("campaign.createdAt")} {formatTime(c.createdAt, locale, acting.timezone)}
              </span>
              {c.sendAt ? (
                <span className="muted">
                  {t("campaign.sendAt")} {formatTime(c.sendAt, locale, acting.timezone)}
                </span>
              ) : null}
              {c.completedAt ? (
                <span className="muted">
                  {t("campaign.completedAt")} {formatTime(c.completedAt, locale, acting.timezone)}
                </span>
              ) : null}
            </div>
            <div className="stats counts">
              {COUNTS.map((key) => (
                <Stat
                  key={key}
                  id={`count-${key}`}
                  label={t(`count.${key}` as MessageKey)}
                  value={c.counts[key].toLocaleString(locale)}
                />
              ))}
            </div>
            <div className="stats">
              <Stat id="cost-held" label={t("campaign.held")} value={formatCredits(c.cost.held)} />
              <Stat
                id="cost-charged"
                label={t("campaign.charged")}
                value={formatCredits(c.cost.charged)}
              />
              <Stat
                id="cost-refunded"
                label={t("campaign.refunded")}
                value={formatCredits(c.cost.refunded)}
              />
            </div>
          </Panel>
          <GroupResults campaign={c} />
          <LinkClicks campaign={c} />
          <Panel
            title={t("campaign.messages")}
            actions={
              <label className="inline">
                <span>{t("campaign.status")}</span>
                <select
                  value={status}
                  onChange={(e) => setStatus(e.target.value as MessageStatus | "")}
                >
                  <option value="">{t("campaigns.all")}</option>
                  {MESSAGE_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {t(`status.${s}` as MessageKey)}
                    </option>
                  ))}
                </select>
              </label>
            }
          >
            <ErrorBanner error={messages.error} />
            {messages.data && messages.data.data.length === 0 ? (
              <Empty>{t("campaign.noMessages")}</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="messages">
                  <thead>
                    <tr>
                      <th>{t("message.to")}</th>
                      <th>{t("message.type")}</th>
                      <th>{t("message.status")}</th>
                      <th className="num hide-sm">{t("message.charged")}</th>
                      <th className="num">{t("message.clicks")}</th>
                      <th className="hide-sm">{t("message.result")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(messages.data?.data ?? []).map((m) => (
                      <tr key={m.id} data-message={m.id}>
                        <td>
                          <Link to={`/messages/${m.id}`}>{formatPhone(m.to)}</Link>
                          {m.name ? <div className="muted small">{m.name}</div> : null}
                        </td>
                        <td>
                          {t(`type.${m.type}` as MessageKey)}
                          {m.fallbackOf ? (
                            <div className="muted small">{t("message.fallback")}</div>
                          ) : null}
                        </td>
                        <td>
                          <StatusBadge status={m.status} />
                        </td>
                        <td className="num hide-sm">{formatCredits(m.price.charged)}</td>
                        <td className="num" data-cell="clicks">
                          {m.clicks.total.toLocaleString(locale)}
                        </td>
                        <td className="hide-sm small">
                          {m.error ? (
                            <span className="text-bad">{m.error.message}</span>
                          ) : (
                            formatTime(m.deliveredAt ?? m.sentAt, locale, acting.timezone)
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <Pager paged={messages} />
          </Panel>
        </>
      ) : null}
    </>
  );
}
