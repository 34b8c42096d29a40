// Signing in with an email and password (POST /v1/auth/login sets the session cookie).
import { type FormEvent, useState } from "react";
import { useSessionState } from "../api/session.tsx";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { LanguageSwitch } from "../components/shell.tsx";
import { useI18n } from "../i18n.tsx";

export function LoginScreen({ expired }: { expired: boolean }) {
  const { t } = useI18n();
  const { signIn } = useSessionState();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <div className="login-lang">
        <LanguageSwitch />
      </div>
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="login-brand">
          <img src="/console/favicon.svg" alt="" width="40" height="40" />
          <div>
            <h1 id="login-title">{t("login.title")}</h1>
            <p className="muted">{t("login.subtitle")}</p>
          </div>
        </div>
        {expired ? <div className="banner info">{t("login.expired")}</div> : null}
        <ErrorBanner error={error} fields={["email", "password"]} />
        <Field id="login-email" label={t("login.email")} name="email" error={error}>
          <input
            id="login-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field id="login-password" label={t("login.password")} name="password" error={error}>
          <input
            id="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Button type="submit" kind="primary" busy={busy}>
          {busy ? t("login.signingIn") : t("login.submit")}
        </Button>
        <p className="muted small">{t("login.demoHint")}</p>
      </form>
    </div>
  );
}
