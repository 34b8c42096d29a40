// A contact at a glance: the consents it gave and whether it opted out.
import type { Contact } from "../api/types.ts";
import { useI18n } from "../i18n.tsx";

export function ContactBadges({ contact }: { contact: Contact }) {
  const { t } = useI18n();
  return (
    <span className="badges" data-testid="contact-badges">
      {contact.optedOut ? (
        <span className="badge bad" data-opt-out={contact.optOutScope ?? ""}>
          {t(contact.optOutScope === "all" ? "optOut.badgeAll" : "optOut.badgeAdvertising")}
        </span>
      ) : null}
      {contact.consent.advertising.granted ? (
        <span className="badge good" data-consent="advertising">
          {t("consent.badgeAdvertising")}
        </span>
      ) : (
        <span className="badge muted" data-consent="none">
          {t("consent.badgeNone")}
        </span>
      )}
      {contact.consent.night.granted ? (
        <span className="badge info" data-consent="night">
          {t("consent.badgeNight")}
        </span>
      ) : null}
    </span>
  );
}

/** A contact's groups, as one line of names. */
export function GroupNames({ contact }: { contact: Contact }) {
  return (
    <span className="muted small group-names">{contact.groups.map((g) => g.name).join(", ")}</span>
  );
}
