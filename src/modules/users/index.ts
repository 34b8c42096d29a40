// The users module as other modules see it: import it from here, never from its files.
export { createSessionAuthenticator, SESSION_COOKIE } from "./authenticate.ts";
export { createUser, issuePasswordReset } from "./service.ts";
