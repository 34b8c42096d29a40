// The API's shapes the console shows, named once from the SDK's operations.
import type { operations } from "../../../sdk/index.ts";

type Json<O extends keyof operations, S extends number> = operations[O]["responses"] extends {
  [K in S]: { content: { "application/json": infer T } };
}
  ? T
  : never;
type Body<O extends keyof operations> = operations[O]["requestBody"] extends
  | { content: { "application/json": infer T } }
  | undefined
  ? T
  : never;

export type Me = Json<"getMe", 200>;
export type Org = Json<"getOrg", 200>;
export type OrgKind = Org["kind"];
export type Role = Json<"createUser", 201>["role"];
export type User = Json<"createUser", 201>;
export type ApiKey = Json<"listApiKeys", 200>["data"][number];
export type Scope = Body<"createApiKey">["scopes"][number];
export type Campaign = Json<"getCampaign", 200>;
export type CampaignStatus = Campaign["status"];
export type Message = Json<"getMessage", 200>;
export type MessageStatus = Message["status"];
export type SendBody = Body<"sendMessages">;
export type Estimate = Json<"estimateMessages", 200>;
export type Template = Json<"getTemplate", 200>;
export type Sender = Json<"listSenders", 200>["data"][number];
export type Credits = Json<"getCredits", 200>;
export type LedgerEntry = Json<"listLedger", 200>["data"][number];
export type VendorAccount = Json<"getVendorAccount", 200>;
export type VendorKind = VendorAccount["vendor"];
export type VendorTest = Json<"testVendorAccount", 200>;
export type Routing = Json<"getOrgRouting", 200>;
export type RoutingBody = Body<"setOrgRouting">;
export type AuditEntry = Json<"listAuditEntries", 200>["data"][number];
export type OrgPricing = Json<"listOrgPricing", 200>;
export type WalletMode = Org["walletMode"];
export type Margins = Json<"listReportsMargins", 200>;
export type Contact = Json<"getContact", 200>;
export type ContactBody = Body<"createContact">;
export type ContactChange = Body<"updateContact">;
export type AttributeValue = Contact["attributes"][string];
export type Group = Json<"getGroup", 200>;
export type OptOut = Json<"listOptOuts", 200>["data"][number];
export type OptOutScope = OptOut["scope"];
export type SendResult = Json<"sendMessages", 202>;
export type Rejection = Estimate["rejected"][number];
export type Import = Json<"getImport", 200>;
export type ImportStatus = Import["status"];
export type ImportRow = Json<"listImportRows", 200>["data"][number];
export type ImportRowStatus = ImportRow["status"];
export type TemplateStatus = Template["status"];
export type TemplateButton = Template["buttons"][number];
export type TemplateBody = Body<"createTemplate">;
export type TemplatePreview = Json<"previewTemplate", 200>;
export type TemplateComment = Json<"listTemplateComments", 200>["data"][number];
export type CampaignGroupResult = Json<"listCampaignGroups", 200>[number];
export type CampaignLink = Campaign["links"][number];
export type StatsSummary = Json<"getStatsSummary", 200>;
export type StatsSeries = Json<"getStatsSeries", 200>;
export type StatsPoint = StatsSeries["data"][number];

/** The kinds of organization each kind may have directly below it. */
export const CHILD_KINDS: Record<OrgKind, Exclude<OrgKind, "platform">[]> = {
  platform: ["headquarters"],
  headquarters: ["distributor", "agency", "branch"],
  distributor: ["agency", "branch"],
  agency: ["branch"],
  branch: [],
};

/** Campaign statuses after which nothing changes any more. */
export const FINAL_CAMPAIGN: readonly CampaignStatus[] = ["completed", "canceled", "discarded"];

/** Import statuses after which nothing changes any more. */
export const FINAL_IMPORT: readonly ImportStatus[] = ["completed", "failed", "discarded"];

/** Template statuses whose content can still be changed (a rejected one becomes a draft again). */
export const EDITABLE_TEMPLATE: readonly TemplateStatus[] = ["draft", "rejected"];
export type Statement = Json<"getStatement", 200>;
