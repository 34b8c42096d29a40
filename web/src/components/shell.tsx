// The frame around every screen: the top bar (organization, language, the
// user), the navigation (a drawer on narrow screens) and the notice shown
// while acting as another organization.
import { type ReactNode, useEffect, useState } from "react";
import { useSession } from "../api/session.tsx";
import { type Lang, type MessageKey, useI18n } from "../i18n.tsx";
import { Link, navigate } from "../router.tsx";
import { Button } from "./form.tsx";

interface NavItem {
  to: string;
  label: MessageKey;
  match: string;
}

/** The navigation, in sections: what a section is about, then its screens. */
const NAV: { title?: MessageKey; items: NavItem[] }[] = [
  {
    items: [
      { to: "/", label: "nav.dashboard", match: "/" },
      { to: "/stats", label: "nav.stats", match: "/stats" },
    ],
  },
  {
    title: "nav.sectionSending",
    items: [
      { to: "/send", label: "nav.send", match: "/send" },
      { to: "/campaigns", label: "nav.campaigns", match: "/campaigns" },
      { to: "/messages", label: "nav.messages", match: "/messages" },
      { to: "/templates", label: "nav.templates", match: "/templates" },
    ],
  },
  {
    title: "nav.sectionAudience",
    items: [
      { to: "/contacts", label: "nav.contacts", match: "/contacts" },
      { to: "/groups", label: "nav.groups", match: "/groups" },
      { to: "/imports", label: "nav.imports", match: "/imports" },
      { to: "/opt-outs", label: "nav.optOuts", match: "/opt-outs" },
    ],
  },
  {
    title: "nav.sectionRooms",
    items: [
      { to: "/schedules", label: "nav.schedules", match: "/schedules" },
      { to: "/schedule-runs", label: "nav.scheduleRuns", match: "/schedule-runs" },
      { to: "/rooms", label: "nav.rooms", match: "/rooms" },
      { to: "/bot-gateways", label: "nav.botGateways", match: "/bot-gateways" },
    ],
  },
  {
    title: "nav.sectionAccount",
    items: [
      { to: "/credits", label: "nav.credits", match: "/credits" },
      { to: "/orgs", label: "nav.orgs", match: "/orgs" },
      { to: "/users", label: "nav.users", match: "/users" },
      { to: "/api-keys", label: "nav.apiKeys", match: "/api-keys" },
      { to: "/webhooks", label: "nav.webhooks", match: "/webhooks" },
    ],
  },
  {
    title: "nav.sectionDelivery",
    items: [
      { to: "/vendors", label: "nav.vendors", match: "/vendors" },
      { to: "/routing", label: "nav.routing", match: "/routing" },
      { to: "/audit", label: "nav.audit", match: "/audit" },
    ],
  },
];

function isCurrent(match: string, path: string) {
  return match === "/" ? path === "/" : path === match || path.startsWith(`${match}/`);
}

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  const other: Lang = lang === "ko" ? "en" : "ko";
  return (
    <button
      type="button"
      className="button ghost small lang"
      onClick={() => setLang(other)}
      aria-label={t("lang.switch")}
    >
      {other === "en" ? "English" : "한국어"}
    </button>
  );
}

export function Shell({ path, children }: { path: string; children: ReactNode }) {
  const { t } = useI18n();
  const session = useSession();
  const [open, setOpen] = useState(false);
  const acting = session.acting.id !== session.home.id;

  // A followed link closes the drawer.
  useEffect(() => {
    if (path) setOpen(false);
  }, [path]);

  return (
    <div className={open ? "shell nav-open" : "shell"}>
      <header className="topbar">
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={open}
          aria-controls="nav"
          aria-label={t("nav.menu")}
          onClick={() => setOpen((o) => !o)}
        >
          <span />
          <span />
          <span />
        </button>
        <Link to="/" className="brand">
          <img src="/console/favicon.svg" alt="" width="24" height="24" />
          <span>Alimi</span>
        </Link>
        <div className="topbar-org" data-testid="acting-org">
          <span className="org-name">{session.acting.name}</span>
          <span className="badge muted">{t(`kind.${session.acting.kind}` as MessageKey)}</span>
        </div>
        <div className="topbar-user">
          <LanguageSwitch />
          <span className="user-email hide-sm">{session.user.email}</span>
          <Button small kind="ghost" onClick={() => void session.signOut()}>
            {t("auth.signOut")}
          </Button>
        </div>
      </header>
      <nav id="nav" className="sidebar" aria-label={t("nav.label")}>
        <div className="nav-sections">
          {NAV.map((section) => (
            <div key={section.items[0]?.to} className="nav-section">
              {section.title ? (
                <div className="nav-title" id={`nav-${section.title}`}>
                  {t(section.title)}
                </div>
              ) : null}
              <ul aria-labelledby={section.title ? `nav-${section.title}` : undefined}>
                {section.items.map((item) => (
                  <li key={item.to}>
                    <Link
                      to={item.to}
                      className={isCurrent(item.match, path) ? "current" : undefined}
                      aria-current={isCurrent(item.match, path) ? "page" : undefined}
                    >
                      {t(item.label)}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
        <div className="sidebar-foot">
          <div className="muted small">{session.user.name}</div>
          <div className="muted small">{t(`role.${session.role}` as MessageKey)}</div>
        </div>
      </nav>
      <button
        type="button"
        className="scrim"
        aria-label={t("nav.close")}
        tabIndex={-1}
        onClick={() => setOpen(false)}
      />
      <main className="content">
        {acting ? (
          <div className="banner acting" role="status">
            <span>{t("acting.notice", { name: session.acting.name })}</span>
            <Button
              small
              onClick={() => {
                session.actAs(null);
                navigate("/orgs");
              }}
            >
              {t("acting.back", { name: session.home.name })}
            </Button>
          </div>
        ) : null}
        {children}
      </main>
    </div>
  );
}
