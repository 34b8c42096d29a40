// Who follows a tracked link without being its recipient: link-preview
// fetchers (a messenger fetching the page to show a card under the message),
// search crawlers and browsers prefetching. They get the redirect like anyone
// but are not counted as clicks.
//
// In-app browsers are people and must count: KakaoTalk's ("KAKAOTALK 10.x"),
// Naver's ("NAVER(inapp; …)"), Daum's ("DaumApps"), LINE's ("Line/13…"), so
// the patterns name the fetchers precisely ("kakaotalk-scrap", "Daum/",
// "line-poker") rather than the apps.

/** Substrings of fetchers' User-Agent headers, lower case. */
const FETCHERS = [
  "kakaotalk-scrap", // KakaoTalk's link preview
  "facebookexternalhit", // Facebook, Instagram, and the base of many others (iMessage, LINE, Kakao)
  "facebot",
  "twitterbot",
  "slackbot", // "Slackbot-LinkExpanding 1.0"
  "slack-imgproxy",
  "telegrambot",
  "discordbot",
  "whatsapp/",
  "linkedinbot",
  "skypeuripreview", // Skype, Teams
  "microsoftpreview",
  "line-poker", // LINE's link preview
  "googlebot",
  "google-pagerenderer",
  "google-inspectiontool",
  "adsbot-google",
  "mediapartners-google",
  "apis-google",
  "bingbot",
  "bingpreview",
  "applebot",
  "yeti/", // Naver's crawler
  "daum/", // Daum's crawler ("Daum/4.1"); not the Daum app ("DaumApps")
  "daumoa",
  "baiduspider",
  "duckduckbot",
  "pinterestbot",
  "redditbot",
  "embedly",
  "iframely",
  "vkshare",
  "mastodon",
];

// Crawlers name themselves "…bot/1.0", "…spider/2.0", "…crawler/3": a name
// ending so, followed by a version. ("CUBOT_X19", a phone, is not one.)
const GENERIC = /(?:bot|spider|crawler)(?:-[a-z]+)*\/\d/i;

/** Headers a browser sends when it fetches a page ahead of a click that may never come. */
const PREFETCH_HEADERS = ["sec-purpose", "purpose", "x-purpose", "x-moz"] as const;

export interface FollowRequest {
  method: string;
  userAgent: string | undefined;
  /** The request's headers, lower-case names (only the prefetch ones are read). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Whether a User-Agent belongs to a link-preview fetcher or crawler; no User-Agent at all counts as one. */
export function isLinkPreviewFetcher(userAgent: string | undefined): boolean {
  if (userAgent === undefined) return true;
  const ua = userAgent.trim().toLowerCase();
  if (ua === "") return true;
  for (const fetcher of FETCHERS) if (ua.includes(fetcher)) return true;
  return GENERIC.test(ua);
}

/**
 * Whether following a tracked link counts as a click: a GET from someone who
 * is neither a fetcher nor prefetching. HEAD asks only where the link goes.
 */
export function countsAsClick(request: FollowRequest): boolean {
  if (request.method !== "GET") return false;
  if (isLinkPreviewFetcher(request.userAgent)) return false;
  for (const name of PREFETCH_HEADERS) {
    const value = request.headers[name];
    const text = Array.isArray(value) ? value.join(",") : value;
    if (text !== undefined && /prefetch|preview/i.test(text)) return false;
  }
  return true;
}
