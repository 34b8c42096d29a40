// The api-keys module as other modules see it: import it from here, never from its files.
export { createKeyAuthenticator } from "./authenticate.ts";
export { insertApiKey, revokeApiKey } from "./queries.ts";
export { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret } from "./secret.ts";
