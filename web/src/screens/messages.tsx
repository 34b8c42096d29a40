// Messages across campaigns: found by the recipient's number (and status
// and days), newest first; one message with what it said as sent (its
// text or Alimtalk body, subject and buttons, tracked links as they went)
// and its clicks.
import { type FormEvent, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Message, MessageStatus } from "../api/types.ts";
import { ErrorBanner } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel, Stat } from "../components/panel.tsx";
import { StatusBadge } from "../components/status.tsx";
import { dayRange, formatCredits, formatPhone, formatTime } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { Link } from "../router.tsx";
import { useLoad } from "../use-load.ts";

const STATUSES: MessageStatus[] = [
  "queued",
  "sending",
  "sent",
  "delivered",
  "failed",
  "canceled",
  "expired",
];

export function MessagesScreen() {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const [phone, setPhone] = useState("");
  const [asked, setAsked] = useState("");
  const [status, setStatus] = useState<MessageStatus | "">("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const range = dayRange(from, to);
  const paged = usePaged(`${acting.id}:${asked}:${status}:${range.from}:${range.to}`, (cursor) =>
    unwrap(
      api.GET("/v1/messages", {
        params: {
          query: {
            limit: 50,
            cursor,
            ...(asked ? { to: asked } : {}),
            ...(status ? { status } : {}),
            ...(range.from ? { from: range.from } : {}),
            ...(range.to ? { until: range.to } : {}),
          },
        },
      }),
    ),
  );
  const search = (event: FormEvent) => {
    event.preventDefault();
    setAsked(phone.trim());
  };
  const rows = paged.data?.data ?? [];
  return (
    <>
      <PageHeader title={t("messages.title")} />
      <p className="crumbs">
        <Link to="/campaigns">{t("campaigns.title")}</Link> / {t("messages.title")}
      </p>
      <Panel>
        <form className="filters" onSubmit={search} data-testid="message-search">
          <label className="inline grow">
            <span>{t("messages.phone")}</span>
            <input
              type="search"
              inputMode="tel"
              value={phone}
              placeholder="010-1234-5678"
              onChange={(e) => {
                setPhone(e.target.value);
                if (!e.target.value) setAsked("");
              }}
            />
          </label>
          <label className="inline">
            <span>{t("campaign.status")}</span>
            <select
              value={status}
              onChange={(e) => setStatus(e.target.value as MessageStatus | "")}
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
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label className="inline">
            <span>{t("campaigns.to")}</span>
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <button type="submit" className="button primary small">
            {t("messages.find")}
          </button>
        </form>
        <ErrorBanner error={paged.error} />
        {paged.data && rows.length === 0 ? (
          <Empty>{asked ? t("messages.noneFor", { phone: asked }) : t("messages.none")}</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="found-messages">
              <thead>
                <tr>
                  <th>{t("message.to")}</th>
                  <th>{t("message.type")}</th>
                  <th>{t("message.status")}</th>
                  <th className="num">{t("message.clicks")}</th>
                  <th className="hide-sm">{t("message.createdAt")}</th>
                  <th className="hide-sm">{t("message.campaign")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((m) => (
                  <tr key={m.id} data-message={m.id}>
                    <td>
                      <Link to={`/messages/${m.id}`}>{formatPhone(m.to)}</Link>
                      {m.name ? <div className="muted small">{m.name}</div> : null}
                    </td>
                    <td>{t(`type.${m.type}` as MessageKey)}</td>
                    <td>
                      <StatusBadge status={m.status} />
                    </td>
                    <td className="num">{m.clicks.total.toLocaleString(locale)}</td>
                    <td className="hide-sm small">
                      {formatTime(m.createdAt, locale, acting.timezone)}
                    </td>
                    <td className="hide-sm small">
                      <Link to={`/campaigns/${m.campaignId}`}>{m.campaignId}</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager paged={paged} />
      </Panel>
    </>
  );
}

/** What a message said, as it went: a phone's bubble, its subject and buttons. */
function Content({ message }: { message: Message }) {
  const { t } = useI18n();
  const content = message.content;
  if (!content) return <p className="muted">{t("message.noContent")}</p>;
  const alimtalk = message.type === "alimtalk";
  return (
    <div className={alimtalk ? "kakao" : "sms-preview"} data-testid="message-content">
      {alimtalk ? (
        <div className="kakao-head">
          {t("type.alimtalk")}
          {content.templateCode ? ` · ${content.templateCode}` : ""}
        </div>
      ) : null}
      {content.subject ? <div className="strong">{content.subject}</div> : null}
      <div className={alimtalk ? "kakao-body" : "message-text"} data-testid="message-text">
        {content.text ?? t("message.textUnknown")}
      </div>
      {content.buttons.length > 0 ? (
        <ul className="kakao-buttons">
          {content.buttons.map((b, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the buttons in their order
            <li key={i}>
              <span className="kakao-button">{b.name}</span>
              {b.linkMobile ? <span className="kakao-link break">{b.linkMobile}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function MessageDetailScreen({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const message = useLoad(id, () =>
    unwrap(api.GET("/v1/messages/{id}", { params: { path: { id } } })),
  );
  const m = message.data;
  const at = (iso: string | null | undefined) => formatTime(iso, locale, acting.timezone);
  return (
    <>
      <PageHeader title={t("message.title")} />
      <p className="crumbs">
        {m ? (
          <>
            <Link to={`/campaigns/${m.campaignId}`}>{t("campaign.title")}</Link> /{" "}
          </>
        ) : null}
        <code>{id}</code>
      </p>
      <ErrorBanner error={message.error} />
      {m ? (
        <div className="split">
          <Panel title={t("message.asSent")}>
            <Content message={m} />
            <p className="hint">{t("message.asSentHint")}</p>
          </Panel>
          <div className="stack">
            <Panel>
              <div className="campaign-head">
                <StatusBadge status={m.status} testId="message-status" />
                <span>{t(`type.${m.type}` as MessageKey)}</span>
                {m.fallbackOf ? (
                  <Link to={`/messages/${m.fallbackOf}`} className="small">
                    {t("message.fallbackOf")}
                  </Link>
                ) : null}
              </div>
              <dl className="kv">
                <dt>{t("message.to")}</dt>
                <dd>
                  {formatPhone(m.to)}
                  {m.name ? ` · ${m.name}` : ""}
                </dd>
                <dt>{t("message.createdAt")}</dt>
                <dd>{at(m.createdAt)}</dd>
                <dt>{t("message.sentAt")}</dt>
                <dd>{at(m.sentAt)}</dd>
                <dt>{t("message.resultAt")}</dt>
                <dd>{at(m.deliveredAt ?? m.failedAt)}</dd>
                <dt>{t("message.charged")}</dt>
                <dd>{formatCredits(m.price.charged)}</dd>
                {m.error ? (
                  <>
                    <dt>{t("message.error")}</dt>
                    <dd className="text-bad">{m.error.message}</dd>
                  </>
                ) : null}
              </dl>
            </Panel>
            <Panel title={t("message.clicksTitle")}>
              <div className="stats">
                <Stat
                  id="message-clicks"
                  label={t("message.clicks")}
                  value={m.clicks.total.toLocaleString(locale)}
                />
                <Stat
                  id="message-first-click"
                  label={t("message.firstClick")}
                  value={m.clicks.firstAt ? at(m.clicks.firstAt) : "–"}
                />
              </div>
            </Panel>
          </div>
        </div>
      ) : null}
    </>
  );
}
