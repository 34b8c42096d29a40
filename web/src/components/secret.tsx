// A secret the API shows once (an API key, an invitation token): shown
// until dismissed, with a copy button.
import { useState } from "react";
import { useI18n } from "../i18n.tsx";
import { Button } from "./form.tsx";

export function OneTimeSecret({
  title,
  value,
  onDismiss,
  testId,
}: {
  title: string;
  value: string;
  onDismiss(): void;
  testId?: string;
}) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="banner secret" role="status">
      <strong>{title}</strong>
      <p className="small">{t("secret.once")}</p>
      <code className="secret-value" data-testid={testId}>
        {value}
      </code>
      <div className="row">
        <Button small onClick={copy}>
          {copied ? t("secret.copied") : t("secret.copy")}
        </Button>
        <Button small kind="ghost" onClick={onDismiss}>
          {t("secret.dismiss")}
        </Button>
      </div>
    </div>
  );
}
