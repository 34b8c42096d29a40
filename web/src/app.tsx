// The console: the session decides between signing in and the screens; the
// path decides the screen.
import { lazy, type ReactNode, Suspense } from "react";
import { SessionProvider, useSession, useSessionState } from "./api/session.tsx";
import { Shell } from "./components/shell.tsx";
import { I18nProvider, useI18n } from "./i18n.tsx";
import { matchPath, usePath } from "./router.tsx";
import { ApiKeysScreen } from "./screens/api-keys.tsx";
import { AuditScreen } from "./screens/audit.tsx";
import { GatewaysScreen } from "./screens/bot-gateways.tsx";
import { CampaignDetailScreen } from "./screens/campaign-detail.tsx";
import { CampaignsScreen } from "./screens/campaigns.tsx";
import { ContactDetailScreen } from "./screens/contact-detail.tsx";
import { ContactsScreen } from "./screens/contacts.tsx";
import { CreditsScreen } from "./screens/credits.tsx";
import { DashboardScreen } from "./screens/dashboard.tsx";
import { GroupsScreen } from "./screens/groups.tsx";
import { ImportDetailScreen, ImportsScreen } from "./screens/imports.tsx";
import { LoginScreen } from "./screens/login.tsx";
import { MessageDetailScreen, MessagesScreen } from "./screens/messages.tsx";
import { OptOutsScreen } from "./screens/opt-outs.tsx";
import { OrgsScreen } from "./screens/orgs.tsx";
import { RoomsScreen } from "./screens/rooms.tsx";
import { RoutingScreen } from "./screens/routing.tsx";
import { ScheduleRunsScreen, SchedulesScreen } from "./screens/schedules.tsx";
import { SendScreen } from "./screens/send.tsx";
import { TemplateScreen, TemplatesScreen } from "./screens/templates.tsx";
import { UsersScreen } from "./screens/users.tsx";
import { VendorsScreen } from "./screens/vendors.tsx";
import { WebhooksScreen } from "./screens/webhooks.tsx";

// The statistics screen brings the charts' library: it is loaded when it is first shown.
const StatsScreen = lazy(() =>
  import("./screens/stats.tsx").then((m) => ({ default: m.StatsScreen })),
);

function Loading() {
  const { t } = useI18n();
  return <p className="loading">{t("common.loading")}</p>;
}

const ROUTES: [string, (params: Record<string, string>) => ReactNode][] = [
  ["/", () => <DashboardScreen />],
  ["/send", () => <SendScreen />],
  ["/campaigns", () => <CampaignsScreen />],
  ["/campaigns/:id", ({ id = "" }) => <CampaignDetailScreen id={id} />],
  ["/messages", () => <MessagesScreen />],
  ["/messages/:id", ({ id = "" }) => <MessageDetailScreen id={id} />],
  ["/templates", () => <TemplatesScreen />],
  ["/templates/:code", ({ code = "" }) => <TemplateScreen code={code} />],
  [
    "/stats",
    () => (
      <Suspense fallback={<Loading />}>
        <StatsScreen />
      </Suspense>
    ),
  ],
  ["/contacts", () => <ContactsScreen />],
  ["/contacts/:id", ({ id = "" }) => <ContactDetailScreen id={id} />],
  ["/groups", () => <GroupsScreen />],
  ["/groups/:id", ({ id = "" }) => <GroupsScreen id={id} />],
  ["/imports", () => <ImportsScreen />],
  ["/imports/:id", ({ id = "" }) => <ImportDetailScreen id={id} />],
  ["/opt-outs", () => <OptOutsScreen />],
  ["/credits", () => <CreditsScreen />],
  ["/orgs", () => <OrgsScreen />],
  ["/users", () => <UsersScreen />],
  ["/api-keys", () => <ApiKeysScreen />],
  ["/vendors", () => <VendorsScreen />],
  ["/routing", () => <RoutingScreen />],
  ["/audit", () => <AuditScreen />],
  ["/rooms", () => <RoomsScreen />],
  ["/bot-gateways", () => <GatewaysScreen />],
  ["/webhooks", () => <WebhooksScreen />],
  ["/schedules", () => <SchedulesScreen />],
  ["/schedule-runs", () => <ScheduleRunsScreen />],
];

function NotFound() {
  const { t } = useI18n();
  return <p className="empty">{t("common.notFound")}</p>;
}

function Screens() {
  const path = usePath();
  const { acting } = useSession();
  let screen: ReactNode = <NotFound />;
  for (const [pattern, render] of ROUTES) {
    const params = matchPath(pattern, path);
    if (params) {
      screen = render(params);
      break;
    }
  }
  // A change of the organization acted as starts every screen afresh.
  return (
    <Shell path={path}>
      <div key={acting.id} className="screen">
        {screen}
      </div>
    </Shell>
  );
}

function Gate() {
  const { state } = useSessionState();
  const { t } = useI18n();
  if (state.kind === "loading") return <p className="loading">{t("common.loading")}</p>;
  if (state.kind === "signed-out") return <LoginScreen expired={state.expired} />;
  return <Screens />;
}

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Gate />
      </SessionProvider>
    </I18nProvider>
  );
}
