import { describe, expect, it } from "vitest";
import { countsAsClick, isLinkPreviewFetcher } from "./bots.ts";

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const GALAXY =
  "Mozilla/5.0 (Linux; Android 14; SM-S921N Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36";

describe("link-preview fetchers and crawlers", () => {
  it.each([
    [
      "KakaoTalk's preview",
      "facebookexternalhit/1.1; kakaotalk-scrap/1.0; +https://devtalk.kakao.com/",
    ],
    ["Slack", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"],
    ["Slack's image proxy", "Slack-ImgProxy (+https://api.slack.com/robots)"],
    ["Facebook", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"],
    [
      "iMessage",
      "Mozilla/5.0 (Macintosh) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
    ],
    ["Twitter", "Twitterbot/1.0"],
    ["Telegram", "TelegramBot (like TwitterBot)"],
    ["Discord", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"],
    ["WhatsApp", "WhatsApp/2.23.20.0 A"],
    [
      "LinkedIn",
      "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    ],
    ["Teams", "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5"],
    ["LINE's preview", "facebookexternalhit/1.1;line-poker/1.0"],
    ["Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"],
    ["bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"],
    ["Naver's Yeti", "Mozilla/5.0 (compatible; Yeti/1.1; +http://naver.me/spd)"],
    [
      "Daum's crawler",
      "Mozilla/5.0 (compatible; Daum/4.1; +http://cs.daum.net/faq/15/4118.html?faqId=28966)",
    ],
    [
      "Daumoa",
      "Mozilla/5.0 (compatible; MSIE or Firefox mutant; not on Windows server;) Daumoa 4.0",
    ],
    [
      "Applebot",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1)",
    ],
    [
      "a crawler by its name and version",
      "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    ],
    [
      "a spider",
      "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    ],
    ["DuckDuckGo", "DuckDuckBot-Https/1.1; (+https://duckduckgo.com/duckduckbot)"],
    ["no User-Agent", undefined],
    ["an empty User-Agent", "  "],
  ])("%s", (_, ua) => {
    expect(isLinkPreviewFetcher(ua)).toBe(true);
  });

  it.each([
    ["Safari on an iPhone", IPHONE],
    ["Chrome on a Galaxy", GALAXY],
    ["KakaoTalk's in-app browser", `${GALAXY} KAKAOTALK 10.7.5`],
    ["Naver's in-app browser", `${GALAXY} NAVER(inapp; search; 2000; 12.6.3)`],
    ["Daum's in-app browser", `${GALAXY} DaumApps/8.2.0 DaumDevice/mobile`],
    ["LINE's in-app browser", `${IPHONE} Line/13.20.0`],
    [
      "a phone named CUBOT",
      "Mozilla/5.0 (Linux; Android 10; CUBOT_X30 Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
    ],
    [
      "Samsung Internet",
      "Mozilla/5.0 (Linux; Android 14; SM-S928N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
    ],
  ])("%s is a person", (_, ua) => {
    expect(isLinkPreviewFetcher(ua)).toBe(false);
  });
});

describe("countsAsClick", () => {
  it("counts a person's GET", () => {
    expect(countsAsClick({ method: "GET", userAgent: IPHONE, headers: {} })).toBe(true);
  });

  it("does not count HEAD, fetchers or prefetches", () => {
    expect(countsAsClick({ method: "HEAD", userAgent: IPHONE, headers: {} })).toBe(false);
    expect(countsAsClick({ method: "GET", userAgent: "Twitterbot/1.0", headers: {} })).toBe(false);
    for (const headers of [
      { "sec-purpose": "prefetch;prerender" },
      { purpose: "prefetch" },
      { "x-moz": "prefetch" },
      { "x-purpose": "preview" },
    ]) {
      expect(countsAsClick({ method: "GET", userAgent: GALAXY, headers })).toBe(false);
    }
  });
});
