// What an API key may do. `read` sees, `send` sends, cancels and writes templates, `manage`
// changes the organization's set-up (vendors, routing, keys).
export const SCOPES = ["send", "read", "manage"] as const;
export type Scope = (typeof SCOPES)[number];
