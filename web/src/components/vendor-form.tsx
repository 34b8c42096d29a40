// Connecting a vendor account: its kind, a name, the credentials the vendor
// issued (none for the sandbox) and its settings. The server tests the
// credentials before it saves them.
import { type FormEvent, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { VendorAccount, VendorKind } from "../api/types.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { Button, ErrorBanner, Field, FieldErrors } from "./form.tsx";

const VENDORS: VendorKind[] = ["sandbox", "solapi", "nhn", "aligo"];

/** What each vendor asks for (README, "Connecting a vendor"). */
const ASKS: Record<VendorKind, { credentials: string[]; settings: string[] }> = {
  sandbox: { credentials: [], settings: [] },
  solapi: { credentials: ["apiKey", "apiSecret", "webhookSecretKey"], settings: ["pfId"] },
  nhn: {
    credentials: [
      "smsAppKey",
      "smsSecretKey",
      "alimtalkAppKey",
      "alimtalkSecretKey",
      "webhookSignatureKey",
    ],
    settings: ["senderKey"],
  },
  aligo: { credentials: ["apiKey", "userId"], settings: ["senderKey"] },
};
const SECRET = /secret|key|signature/i;

export function VendorForm({ onCreated }: { onCreated(account: VendorAccount): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [vendor, setVendor] = useState<VendorKind>("sandbox");
  const [name, setName] = useState("");
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [settings, setSettings] = useState<Record<string, string>>({});
  const [nativeFallback, setNativeFallback] = useState(false);
  const [extra, setExtra] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const asks = ASKS[vendor];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const more = extra.trim() ? (JSON.parse(extra) as Record<string, unknown>) : {};
      const given = Object.fromEntries(
        Object.entries(settings).filter(
          ([key, v]) => asks.settings.includes(key) && v.trim() !== "",
        ),
      );
      const creds = Object.fromEntries(
        Object.entries(credentials).filter(
          ([key, v]) => asks.credentials.includes(key) && v !== "",
        ),
      );
      const account = await unwrap(
        api.POST("/v1/vendor-accounts", {
          body: {
            vendor,
            name: name.trim(),
            ...(vendor === "sandbox" ? {} : { credentials: creds }),
            settings: {
              ...given,
              ...(vendor === "sandbox" && nativeFallback ? { nativeFallback: true } : {}),
              ...more,
            },
          },
        }),
      );
      setName("");
      setCredentials({});
      setSettings({});
      setExtra("");
      onCreated(account);
    } catch (err) {
      setError(err instanceof SyntaxError ? new Error(t("vendor.badJson")) : err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="stack" data-testid="vendor-form">
      <ErrorBanner error={error} fields={["vendor", "name", "credentials", "settings"]} />
      <div className="grid-2">
        <Field id="vendor-kind" label={t("vendor.kind")} name="vendor" error={error}>
          <select
            id="vendor-kind"
            value={vendor}
            onChange={(e) => setVendor(e.target.value as VendorKind)}
          >
            {VENDORS.map((v) => (
              <option key={v} value={v}>
                {t(`vendor.${v}` as MessageKey)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="vendor-name" label={t("vendor.name")} name="name" error={error}>
          <input id="vendor-name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
      </div>
      {asks.credentials.length > 0 ? (
        <fieldset className="field">
          <legend>{t("vendor.credentials")}</legend>
          <div className="grid-2">
            {asks.credentials.map((key) => (
              <Field key={key} id={`cred-${key}`} label={key}>
                <input
                  id={`cred-${key}`}
                  type={SECRET.test(key) ? "password" : "text"}
                  autoComplete="off"
                  value={credentials[key] ?? ""}
                  onChange={(e) => setCredentials({ ...credentials, [key]: e.target.value })}
                />
              </Field>
            ))}
          </div>
          <FieldErrors name="credentials" error={error} />
        </fieldset>
      ) : (
        <p className="muted small">{t("vendor.sandboxIssued")}</p>
      )}
      <fieldset className="field">
        <legend>{t("vendor.settings")}</legend>
        <div className="grid-2">
          {asks.settings.map((key) => (
            <Field key={key} id={`setting-${key}`} label={key}>
              <input
                id={`setting-${key}`}
                value={settings[key] ?? ""}
                onChange={(e) => setSettings({ ...settings, [key]: e.target.value })}
              />
            </Field>
          ))}
        </div>
        {vendor === "sandbox" ? (
          <label className="check">
            <input
              type="checkbox"
              checked={nativeFallback}
              onChange={(e) => setNativeFallback(e.target.checked)}
            />
            {t("vendor.nativeFallback")}
          </label>
        ) : null}
        <Field id="vendor-extra" label={t("vendor.extra")} hint={t("vendor.extraHint")}>
          <textarea
            id="vendor-extra"
            className="mono"
            rows={2}
            spellCheck={false}
            placeholder='{"templateIds": {"WELCOME_001": "KA01TP…"}}'
            value={extra}
            onChange={(e) => setExtra(e.target.value)}
          />
        </Field>
        <FieldErrors name="settings" error={error} />
      </fieldset>
      <Button type="submit" kind="primary" busy={busy} disabled={!name.trim()}>
        {busy ? t("vendor.connecting") : t("vendor.connect")}
      </Button>
    </form>
  );
}
