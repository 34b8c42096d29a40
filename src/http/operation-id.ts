// Each /v1 operation's operationId in the OpenAPI document, the names the
// generated SDK's methods get. Derived from the method and the path, so it
// stays the same while the route does: GET of a collection `list…`, of an
// item `get…`, POST to a collection `create…`, POST of an action on an item
// `<action><Item>`, PATCH `update…`, DELETE `delete…`. Where that reads
// badly, NAMED says it.

const NAMED: Record<string, string> = {
  "POST /v1/auth/login": "login",
  "POST /v1/auth/logout": "logout",
  "POST /v1/auth/accept-invite": "acceptInvite",
  "POST /v1/auth/reset-password": "resetPassword",
  "GET /v1/me": "getMe",
  "POST /v1/messages": "sendMessages",
  "POST /v1/messages/estimate": "estimateMessages",
  "POST /v1/campaigns/:id/recipients": "addCampaignRecipients",
  "GET /v1/credits": "getCredits",
  "GET /v1/credits/ledger": "listLedger",
  "POST /v1/credits/transfers": "transferCredits",
  "GET /v1/files/:id/content": "getFileContent",
  "GET /v1/orgs/:id/routing": "getOrgRouting",
  "PUT /v1/orgs/:id/routing": "setOrgRouting",
  "GET /v1/audit": "listAuditEntries",
  "POST /v1/schedules/preview": "previewSchedule",
  "GET /v1/schedule-runs": "listAllScheduleRuns",
  "POST /v1/webhook-endpoints/:id/rotate-secret": "rotateWebhookEndpointSecret",
  "POST /v1/webhook-deliveries/:id/replay": "replayWebhookDelivery",
};

const camel = (word: string) => word.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
const pascal = (word: string) => camel(word).replace(/^\w/, (c) => c.toUpperCase());
const singular = (word: string) => (word.endsWith("s") ? word.slice(0, -1) : word);

export function operationIdOf(method: string, url: string): string {
  const named = NAMED[`${method} ${url}`];
  if (named) return named;
  const segments = url.replace(/^\/v1\//, "").split("/");
  const isParam = (s: string | undefined) => s?.startsWith(":") === true;
  // Each word, singular where an id follows it: campaigns/:id/messages → Campaign, Messages.
  const words = segments
    .map((s, i) => (isParam(s) ? null : isParam(segments[i + 1]) ? singular(s) : s))
    .filter((s): s is string => s !== null);
  const last = segments[segments.length - 1];
  const beforeLast = segments[segments.length - 2];
  const name = (verb: string, parts: string[]) => verb + parts.map(pascal).join("");
  if (method === "GET") return name(isParam(last) ? "get" : "list", words);
  if (method === "PATCH") return name("update", words);
  if (method === "DELETE") return name("delete", words);
  if (method === "POST" && !isParam(last) && isParam(beforeLast)) {
    // An action on an item: campaigns/:id/launch → launchCampaign.
    return camel(last!) + words.slice(0, -1).map(pascal).join("");
  }
  if (method === "POST") return name("create", [...words.slice(0, -1), singular(words.at(-1)!)]);
  return name(method.toLowerCase(), words);
}
