// The senders module as other modules see it: import it from here, never from its files.
export { findUsableKakaoChannel, type KakaoChannelRow, listSenders } from "./queries.ts";
export { registerSender } from "./service.ts";
