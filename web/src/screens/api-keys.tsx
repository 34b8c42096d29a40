// API keys: make one (the key is shown once), see when each was last used, revoke one.
import { type FormEvent, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Scope } from "../api/types.ts";
import { Button, ErrorBanner, Field, FieldErrors } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { OneTimeSecret } from "../components/secret.tsx";
import { formatTime, localInputToIso } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";

const SCOPES: Scope[] = ["read", "send", "manage"];
const FIELDS = ["name", "scopes", "expiresAt", "allowedIps"];

function NewKey({ onCreated }: { onCreated(name: string, key: string): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["read", "send"]);
  const [expires, setExpires] = useState("");
  const [ips, setIps] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const toggle = (scope: Scope) =>
    setScopes((s) => (s.includes(scope) ? s.filter((x) => x !== scope) : [...s, scope]));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const allowedIps = ips.split(/[\s,]+/).filter(Boolean);
      const expiresAt = expires ? localInputToIso(`${expires}T23:59:59`) : undefined;
      const created = await unwrap(
        api.POST("/v1/api-keys", {
          body: {
            name: name.trim(),
            scopes,
            ...(expiresAt ? { expiresAt } : {}),
            ...(allowedIps.length > 0 ? { allowedIps } : {}),
          },
        }),
      );
      setName("");
      onCreated(created.name, created.key);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="stack">
      <ErrorBanner error={error} fields={FIELDS} />
      <div className="grid-2">
        <Field id="key-name" label={t("key.name")} name="name" error={error}>
          <input id="key-name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field
          id="key-expires"
          label={t("key.expiresAt")}
          name="expiresAt"
          error={error}
          hint={t("key.expiresHint")}
        >
          <input
            id="key-expires"
            type="date"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
          />
        </Field>
      </div>
      <fieldset className="field">
        <legend>{t("key.scopes")}</legend>
        <div className="row wrap">
          {SCOPES.map((scope) => (
            <label key={scope} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={() => toggle(scope)}
              />
              {t(`scope.${scope}` as MessageKey)}
            </label>
          ))}
        </div>
        <FieldErrors name="scopes" error={error} />
      </fieldset>
      <Field
        id="key-ips"
        label={t("key.allowedIps")}
        name="allowedIps"
        error={error}
        hint={t("key.allowedIpsHint")}
      >
        <input
          id="key-ips"
          value={ips}
          placeholder="203.0.113.0/24"
          onChange={(e) => setIps(e.target.value)}
        />
      </Field>
      <Button
        type="submit"
        kind="primary"
        busy={busy}
        disabled={!name.trim() || scopes.length === 0}
      >
        {t("key.create")}
      </Button>
    </form>
  );
}

export function ApiKeysScreen() {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const keys = usePaged(acting.id, (cursor) =>
    unwrap(api.GET("/v1/api-keys", { params: { query: { limit: 50, cursor } } })),
  );
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const revoke = async (id: string, name: string) => {
    if (!window.confirm(t("key.revokeConfirm", { name }))) return;
    setError(null);
    try {
      await unwrap(api.DELETE("/v1/api-keys/{id}", { params: { path: { id } } }));
      keys.reload();
    } catch (err) {
      setError(err);
    }
  };
  const list = keys.data?.data ?? [];
  return (
    <>
      <PageHeader title={t("keys.title")} />
      <Panel title={t("keys.new")}>
        {created ? (
          <OneTimeSecret
            title={t("key.created", { name: created.name })}
            value={created.key}
            testId="api-key-secret"
            onDismiss={() => setCreated(null)}
          />
        ) : null}
        <NewKey
          onCreated={(name, key) => {
            setCreated({ name, key });
            keys.reload();
          }}
        />
      </Panel>
      <Panel title={t("keys.list")}>
        <ErrorBanner error={keys.error ?? error} />
        {keys.data && list.length === 0 ? <Empty>{t("keys.none")}</Empty> : null}
        {list.length > 0 ? (
          <div className="table-wrap">
            <table className="table" data-testid="api-keys">
              <thead>
                <tr>
                  <th>{t("key.name")}</th>
                  <th className="hide-sm">{t("key.prefix")}</th>
                  <th>{t("key.scopes")}</th>
                  <th className="hide-sm">{t("key.lastUsed")}</th>
                  <th className="hide-sm">{t("key.expires")}</th>
                  <th>
                    <span className="sr-only">{t("common.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((k) => (
                  <tr key={k.id}>
                    <td>{k.name}</td>
                    <td className="hide-sm">
                      <code>{k.prefix}…</code>
                    </td>
                    <td>{k.scopes.map((s) => t(`scope.${s}` as MessageKey)).join(", ")}</td>
                    <td className="hide-sm">{formatTime(k.lastUsedAt, locale, acting.timezone)}</td>
                    <td className="hide-sm">{formatTime(k.expiresAt, locale, acting.timezone)}</td>
                    <td className="actions">
                      <Button small kind="danger" onClick={() => void revoke(k.id, k.name)}>
                        {t("key.revoke")}
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager paged={keys} />
      </Panel>
    </>
  );
}
