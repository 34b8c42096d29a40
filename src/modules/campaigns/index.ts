// The campaigns module as other modules see it: import it from here, never from its files.
export { findMessageInSubtree } from "./queries.ts";
export { Message } from "./schemas.ts";
export { messageView } from "./service.ts";
