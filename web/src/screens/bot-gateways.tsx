// Bot gateways: connect an HTTP gateway (its signing secret shown once) or
// the sandbox, rename one, change its address or secret, remove one no room uses.
import { type FormEvent, useState } from "react";
import type { operations } from "../../../sdk/index.ts";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { OneTimeSecret } from "../components/secret.tsx";
import { formatTime } from "../format.ts";
import { useI18n } from "../i18n.tsx";

export type BotGateway =
  operations["getBotGateway"]["responses"][200]["content"]["application/json"];
type Kind = BotGateway["kind"];

const FIELDS = ["name", "kind", "url", "secret"];

function NewGateway({ onCreated }: { onCreated(gateway: BotGateway): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<Kind>("http");
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await unwrap(
        api.POST("/v1/bot-gateways", {
          body: {
            name: name.trim(),
            kind,
            ...(kind === "http" ? { url: url.trim() } : {}),
            ...(kind === "http" && secret.trim() ? { secret: secret.trim() } : {}),
          },
        }),
      );
      setName("");
      setUrl("");
      setSecret("");
      onCreated(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="stack" data-testid="gateway-form">
      <ErrorBanner error={error} fields={FIELDS} />
      <div className="grid-2">
        <Field id="gateway-name" label={t("gateway.name")} name="name" error={error}>
          <input id="gateway-name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field id="gateway-kind" label={t("gateway.kind")} name="kind" error={error}>
          <select id="gateway-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="http">{t("gateway.kindHttp")}</option>
            <option value="sandbox">{t("gateway.kindSandbox")}</option>
          </select>
        </Field>
      </div>
      {kind === "http" ? (
        <div className="grid-2">
          <Field
            id="gateway-url"
            label={t("gateway.url")}
            name="url"
            error={error}
            hint={t("gateway.urlHint")}
          >
            <input
              id="gateway-url"
              value={url}
              placeholder="https://bot.example.com/alimi"
              onChange={(e) => setUrl(e.target.value)}
            />
          </Field>
          <Field
            id="gateway-secret"
            label={t("gateway.secret")}
            name="secret"
            error={error}
            hint={t("gateway.secretHint")}
          >
            <input
              id="gateway-secret"
              value={secret}
              autoComplete="off"
              placeholder="whsec_…"
              onChange={(e) => setSecret(e.target.value)}
            />
          </Field>
        </div>
      ) : (
        <p className="muted small">{t("gateway.sandboxHint")}</p>
      )}
      <Button
        type="submit"
        kind="primary"
        busy={busy}
        disabled={!name.trim() || (kind === "http" && !url.trim())}
      >
        {t("gateway.create")}
      </Button>
    </form>
  );
}

function EditGateway({
  gateway,
  onSaved,
  onCancel,
}: {
  gateway: BotGateway;
  onSaved(saved: BotGateway): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [name, setName] = useState(gateway.name);
  const [url, setUrl] = useState(gateway.url ?? "");
  const [rotate, setRotate] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await unwrap(
        api.PATCH("/v1/bot-gateways/{id}", {
          params: { path: { id: gateway.id } },
          body: {
            ...(name.trim() !== gateway.name ? { name: name.trim() } : {}),
            ...(gateway.kind === "http" && url.trim() !== gateway.url ? { url: url.trim() } : {}),
            ...(rotate ? { rotateSecret: true as const } : {}),
          },
        }),
      );
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="stack">
      <ErrorBanner error={error} fields={FIELDS} />
      <Field id={`gw-name-${gateway.id}`} label={t("gateway.name")} name="name" error={error}>
        <input
          id={`gw-name-${gateway.id}`}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </Field>
      {gateway.kind === "http" ? (
        <>
          <Field id={`gw-url-${gateway.id}`} label={t("gateway.url")} name="url" error={error}>
            <input
              id={`gw-url-${gateway.id}`}
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
          </Field>
          <label className="check">
            <input type="checkbox" checked={rotate} onChange={(e) => setRotate(e.target.checked)} />
            {t("gateway.rotate")}
          </label>
        </>
      ) : null}
      <div className="row">
        <Button type="submit" small kind="primary" busy={busy} disabled={!name.trim()}>
          {t("common.save")}
        </Button>
        <Button small kind="ghost" onClick={onCancel}>
          {t("gateway.cancel")}
        </Button>
      </div>
    </form>
  );
}

export function GatewaysScreen() {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const gateways = usePaged(acting.id, (cursor) =>
    unwrap(api.GET("/v1/bot-gateways", { params: { query: { limit: 50, cursor } } })),
  );
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const remove = async (g: BotGateway) => {
    if (!window.confirm(t("gateway.deleteConfirm", { name: g.name }))) return;
    setError(null);
    try {
      await unwrap(api.DELETE("/v1/bot-gateways/{id}", { params: { path: { id: g.id } } }));
      gateways.reload();
    } catch (err) {
      setError(err);
    }
  };
  const shown = (g: BotGateway) => {
    if (g.secret) setSecret({ name: g.name, value: g.secret });
    gateways.reload();
  };
  const list = gateways.data?.data ?? [];
  return (
    <>
      <PageHeader title={t("gateways.title")} />
      <Panel title={t("gateways.new")}>
        {secret ? (
          <OneTimeSecret
            title={t("gateway.secretCreated", { name: secret.name })}
            value={secret.value}
            testId="gateway-secret"
            onDismiss={() => setSecret(null)}
          />
        ) : null}
        <NewGateway onCreated={shown} />
      </Panel>
      <Panel title={t("gateways.list")}>
        <ErrorBanner error={gateways.error ?? error} />
        {gateways.data && list.length === 0 ? <Empty>{t("gateways.none")}</Empty> : null}
        <ul className="cards">
          {list.map((g) => (
            <li key={g.id} className="card" data-gateway={g.id}>
              <div className="card-head">
                <div>
                  <strong>{g.name}</strong>
                  <div className="muted small">
                    {g.kind === "http" ? t("gateway.kindHttp") : t("gateway.kindSandbox")} ·{" "}
                    <code>{g.id}</code>
                  </div>
                </div>
              </div>
              {editing === g.id ? (
                <EditGateway
                  gateway={g}
                  onCancel={() => setEditing(null)}
                  onSaved={(saved) => {
                    setEditing(null);
                    shown(saved);
                  }}
                />
              ) : (
                <>
                  <dl className="kv small">
                    <dt>{t("gateway.url")}</dt>
                    <dd className="break">{g.url ?? "–"}</dd>
                    <dt>{t("gateway.updated")}</dt>
                    <dd>{formatTime(g.updatedAt, locale, acting.timezone)}</dd>
                  </dl>
                  <div className="row wrap">
                    <Button small onClick={() => setEditing(g.id)}>
                      {t("gateway.edit")}
                    </Button>
                    <Button small kind="danger" onClick={() => void remove(g)}>
                      {t("common.delete")}
                    </Button>
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
        <Pager paged={gateways} />
      </Panel>
    </>
  );
}
