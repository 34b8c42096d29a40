// Webhook endpoints: add one (its signing secret shown once), choose its
// events, rotate its secret, send it a test event, remove it; and each
// endpoint's delivery log (status, attempts, last answer and time) with replay.
import { type FormEvent, useState } from "react";
import type { operations } from "../../../sdk/index.ts";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { OneTimeSecret } from "../components/secret.tsx";
import { StatusBadge } from "../components/status.tsx";
import { formatTime } from "../format.ts";
import { useI18n } from "../i18n.tsx";

export type WebhookEndpoint =
  operations["getWebhookEndpoint"]["responses"][200]["content"]["application/json"];
type Delivery =
  operations["listWebhookEndpointDeliveries"]["responses"][200]["content"]["application/json"]["data"][number];

/** The event catalogue (API-2.md, "Outbound webhooks"). */
const EVENT_TYPES = [
  "message.sent",
  "message.delivered",
  "message.failed",
  "message.clicked",
  "campaign.completed",
  "credits.low",
  "credits.purchased",
  "credits.refunded",
  "payment.failed",
  "schedule.run.completed",
  "schedule.run.failed",
  "import.completed",
] as const;

const FIELDS = ["url", "events", "description"];

/** All events, or a chosen list. */
function EventPicker({
  id,
  value,
  onChange,
}: {
  id: string;
  value: string[];
  onChange(events: string[]): void;
}) {
  const { t } = useI18n();
  const all = value.includes("*");
  const toggle = (type: string, on: boolean) =>
    onChange(on ? [...value.filter((v) => v !== "*"), type] : value.filter((v) => v !== type));
  return (
    <fieldset className="stack" id={id}>
      <label className="check">
        <input
          type="checkbox"
          checked={all}
          onChange={(e) => onChange(e.target.checked ? ["*"] : [])}
        />
        {t("webhook.allEvents")}
      </label>
      {all ? null : (
        <div className="grid-2">
          {EVENT_TYPES.map((type) => (
            <label key={type} className="check">
              <input
                type="checkbox"
                checked={value.includes(type)}
                onChange={(e) => toggle(type, e.target.checked)}
              />
              <code>{type}</code>
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}

function NewEndpoint({ onCreated }: { onCreated(endpoint: WebhookEndpoint): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<string[]>(["*"]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await unwrap(
        api.POST("/v1/webhook-endpoints", {
          body: {
            url: url.trim(),
            events,
            ...(description.trim() ? { description: description.trim() } : {}),
          },
        }),
      );
      setUrl("");
      setDescription("");
      setEvents(["*"]);
      onCreated(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="stack" data-testid="webhook-form">
      <ErrorBanner error={error} fields={FIELDS} />
      <div className="grid-2">
        <Field
          id="webhook-url"
          label={t("webhook.url")}
          name="url"
          error={error}
          hint={t("webhook.urlHint")}
        >
          <input
            id="webhook-url"
            value={url}
            placeholder="https://example.com/alimi/webhooks"
            onChange={(e) => setUrl(e.target.value)}
          />
        </Field>
        <Field
          id="webhook-description"
          label={t("webhook.description")}
          name="description"
          error={error}
        >
          <input
            id="webhook-description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
      </div>
      <Field id="webhook-events" label={t("webhook.events")} name="events" error={error}>
        <EventPicker id="webhook-events" value={events} onChange={setEvents} />
      </Field>
      <Button
        type="submit"
        kind="primary"
        busy={busy}
        disabled={!url.trim() || events.length === 0}
      >
        {t("webhook.create")}
      </Button>
    </form>
  );
}

function EditEvents({
  endpoint,
  onSaved,
  onCancel,
}: {
  endpoint: WebhookEndpoint;
  onSaved(): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [events, setEvents] = useState<string[]>(endpoint.events);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.PATCH("/v1/webhook-endpoints/{id}", {
          params: { path: { id: endpoint.id } },
          body: { events },
        }),
      );
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="stack">
      <ErrorBanner error={error} fields={FIELDS} />
      <EventPicker id={`events-${endpoint.id}`} value={events} onChange={setEvents} />
      <div className="row">
        <Button type="submit" small kind="primary" busy={busy} disabled={events.length === 0}>
          {t("common.save")}
        </Button>
        <Button small kind="ghost" onClick={onCancel}>
          {t("webhook.cancel")}
        </Button>
      </div>
    </form>
  );
}

function DeliveryLog({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const deliveries = usePaged(`${acting.id}/${endpoint.id}`, (cursor) =>
    unwrap(
      api.GET("/v1/webhook-endpoints/{id}/deliveries", {
        params: { path: { id: endpoint.id }, query: { limit: 20, cursor } },
      }),
    ),
  );
  const [error, setError] = useState<unknown>(null);
  const replay = async (d: Delivery) => {
    setError(null);
    try {
      await unwrap(
        api.POST("/v1/webhook-deliveries/{id}/replay", { params: { path: { id: d.id } } }),
      );
      deliveries.reload();
    } catch (err) {
      setError(err);
    }
  };
  const list = deliveries.data?.data ?? [];
  return (
    <div className="stack" data-testid={`deliveries-${endpoint.id}`}>
      <div className="row">
        <strong>{t("webhook.deliveries")}</strong>
        <Button small kind="ghost" onClick={() => deliveries.reload()}>
          {t("webhook.refresh")}
        </Button>
      </div>
      <ErrorBanner error={deliveries.error ?? error} />
      {deliveries.data && list.length === 0 ? <Empty>{t("webhook.noDeliveries")}</Empty> : null}
      {list.length > 0 ? (
        <table className="table small">
          <thead>
            <tr>
              <th>{t("webhook.event")}</th>
              <th>{t("webhook.status")}</th>
              <th>{t("webhook.attempts")}</th>
              <th>{t("webhook.lastCode")}</th>
              <th>{t("webhook.lastAttempt")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.id} data-delivery={d.id}>
                <td>
                  <code>{d.eventType}</code>
                  <div className="muted">
                    <code>{d.eventId}</code>
                  </div>
                </td>
                <td>
                  <StatusBadge status={d.status} testId="delivery-status" />
                  {d.lastError ? <div className="muted break">{d.lastError}</div> : null}
                </td>
                <td>{d.attempts}</td>
                <td data-testid="delivery-code">{d.lastStatusCode ?? "–"}</td>
                <td>
                  {d.lastAttemptAt ? formatTime(d.lastAttemptAt, locale, acting.timezone) : "–"}
                  {d.nextAttemptAt ? (
                    <div className="muted">
                      {t("webhook.next", {
                        at: formatTime(d.nextAttemptAt, locale, acting.timezone),
                      })}
                    </div>
                  ) : null}
                </td>
                <td>
                  {d.status === "pending" ? null : (
                    <Button small onClick={() => void replay(d)}>
                      {t("webhook.replay")}
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager paged={deliveries} />
    </div>
  );
}

export function WebhooksScreen() {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const endpoints = usePaged(acting.id, (cursor) =>
    unwrap(api.GET("/v1/webhook-endpoints", { params: { query: { limit: 50, cursor } } })),
  );
  const [secret, setSecret] = useState<{ url: string; value: string } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(err);
    }
  };
  const remove = (e: WebhookEndpoint) =>
    act(async () => {
      if (!window.confirm(t("webhook.deleteConfirm", { url: e.url }))) return;
      await unwrap(api.DELETE("/v1/webhook-endpoints/{id}", { params: { path: { id: e.id } } }));
      endpoints.reload();
    });
  const rotate = (e: WebhookEndpoint) =>
    act(async () => {
      if (!window.confirm(t("webhook.rotateConfirm"))) return;
      const rotated = await unwrap(
        api.POST("/v1/webhook-endpoints/{id}/rotate-secret", { params: { path: { id: e.id } } }),
      );
      if (rotated.secret) setSecret({ url: rotated.url, value: rotated.secret });
    });
  const sendTest = (e: WebhookEndpoint) =>
    act(async () => {
      await unwrap(api.POST("/v1/webhook-endpoints/{id}/test", { params: { path: { id: e.id } } }));
      setOpen(e.id);
      setTick((n) => n + 1);
    });
  const setStatus = (e: WebhookEndpoint, status: "active" | "disabled") =>
    act(async () => {
      await unwrap(
        api.PATCH("/v1/webhook-endpoints/{id}", {
          params: { path: { id: e.id } },
          body: { status },
        }),
      );
      endpoints.reload();
    });
  const list = endpoints.data?.data ?? [];
  return (
    <>
      <PageHeader title={t("webhooks.title")} />
      <Panel title={t("webhooks.new")}>
        {secret ? (
          <OneTimeSecret
            title={t("webhook.secretCreated", { url: secret.url })}
            value={secret.value}
            testId="webhook-secret"
            onDismiss={() => setSecret(null)}
          />
        ) : null}
        <NewEndpoint
          onCreated={(created) => {
            if (created.secret) setSecret({ url: created.url, value: created.secret });
            endpoints.reload();
          }}
        />
      </Panel>
      <Panel title={t("webhooks.list")}>
        <ErrorBanner error={endpoints.error ?? error} />
        {endpoints.data && list.length === 0 ? <Empty>{t("webhooks.none")}</Empty> : null}
        <ul className="cards">
          {list.map((e) => (
            <li key={e.id} className="card" data-endpoint={e.id}>
              <div className="card-head">
                <div>
                  <strong className="break">{e.url}</strong>
                  <div className="muted small">
                    {e.description ? `${e.description} · ` : ""}
                    <code>{e.id}</code>
                  </div>
                </div>
                <StatusBadge status={e.status} />
              </div>
              {editing === e.id ? (
                <EditEvents
                  endpoint={e}
                  onCancel={() => setEditing(null)}
                  onSaved={() => {
                    setEditing(null);
                    endpoints.reload();
                  }}
                />
              ) : (
                <dl className="kv small">
                  <dt>{t("webhook.events")}</dt>
                  <dd>{e.events.includes("*") ? t("webhook.allEvents") : e.events.join(", ")}</dd>
                  {e.disabledReason ? (
                    <>
                      <dt>{t("webhook.disabledReason")}</dt>
                      <dd>{e.disabledReason}</dd>
                    </>
                  ) : null}
                  <dt>{t("webhook.updated")}</dt>
                  <dd>{formatTime(e.updatedAt, locale, acting.timezone)}</dd>
                </dl>
              )}
              <div className="row wrap">
                <Button small onClick={() => void sendTest(e)} disabled={e.status !== "active"}>
                  {t("webhook.test")}
                </Button>
                <Button small onClick={() => setOpen(open === e.id ? null : e.id)}>
                  {open === e.id ? t("webhook.hideLog") : t("webhook.showLog")}
                </Button>
                <Button small onClick={() => setEditing(e.id)}>
                  {t("webhook.editEvents")}
                </Button>
                <Button small onClick={() => void rotate(e)}>
                  {t("webhook.rotate")}
                </Button>
                {e.status === "active" ? (
                  <Button small kind="ghost" onClick={() => void setStatus(e, "disabled")}>
                    {t("webhook.disable")}
                  </Button>
                ) : (
                  <Button small kind="ghost" onClick={() => void setStatus(e, "active")}>
                    {t("webhook.enable")}
                  </Button>
                )}
                <Button small kind="danger" onClick={() => void remove(e)}>
                  {t("common.delete")}
                </Button>
              </div>
              {open === e.id ? <DeliveryLog key={tick} endpoint={e} /> : null}
            </li>
          ))}
        </ul>
        <Pager paged={endpoints} />
      </Panel>
    </>
  );
}
