import { randomBytes } from "node:crypto";
import type { Db, Queryable } from "../../db/client.ts";
import { MICRO_PER_CREDIT } from "../../domain/money.ts";
import { registerSender } from "../senders/index.ts";
import { createApprovedTemplate } from "../templates/index.ts";
import { createUser } from "../users/index.ts";
import { createOrg } from "./service.ts";

export const DEMO_SENDER = "02-1234-5678";
/**
 * The demo's Alimtalk template. Its fallback text is about 34 EUC-KR bytes, so a failed
 * Alimtalk falls back to an SMS (15.00): the subject rides along only when a long name makes
 * the text an LMS (over 90 bytes), and a send can force that with fallback.type "lms".
 */
export const DEMO_TEMPLATE = {
  code: "WELCOME_001",
  body: "#{name}님, #{shop}에 가입해 주셔서 감사합니다.\n회원 혜택을 지금 확인해 보세요.",
  buttons: [
    {
      type: "WL" as const,
      name: "혜택 보기",
      linkMobile: "https://example.com/welcome",
      linkPc: "https://example.com/welcome",
    },
  ],
  fallback: { text: "#{name}님, #{shop} 가입을 환영합니다.", subject: "가입을 환영합니다" },
};

async function readSetting<T>(q: Queryable, key: string): Promise<T | null> {
  const r = await q.query<{ value: T }>("select value from settings where key = $1", [key]);
  return r.rows[0]?.value ?? null;
}

export type DemoBootstrap =
  | {
      created: true;
      orgId: string;
      apiKey: string;
      /** The demo owner's sign-in, shown once. */
      login: { email: string; password: string };
    }
  | { created: false; orgId: string };

export const DEMO_OWNER_EMAIL = "demo@alimi.local";

/**
 * On the first start of an empty installation: a demo organization with
 * 100,000.00 credits, a verified caller number, the WELCOME_001 template
 * (approved, so the quick start sends at once) and its owner
 * demo@alimi.local with a random password.
 * Later starts find it through the `demo` setting and create nothing.
 */
export async function bootstrapDemo(db: Db): Promise<DemoBootstrap> {
  const existing = await readSetting<{ orgId: string }>(db, "demo");
  if (existing) return { created: false, orgId: existing.orgId };
  const { org, apiKey } = await createOrg(db, {
    name: "Demo",
    kind: "headquarters",
    credits: 100_000n * MICRO_PER_CREDIT,
  });
  await registerSender(db, { orgId: org.id, number: DEMO_SENDER, verified: true });
  await createApprovedTemplate(db, org.id, DEMO_TEMPLATE);
  const password = randomBytes(12).toString("base64url");
  await createUser(db, {
    orgId: org.id,
    caller: null,
    email: DEMO_OWNER_EMAIL,
    name: "Demo owner",
    role: "owner",
    password,
    now: new Date(),
  });
  await db.query(
    `insert into settings (key, value) values ('demo', $1)
     on conflict (key) do nothing`,
    [JSON.stringify({ orgId: org.id })],
  );
  return {
    created: true,
    orgId: org.id,
    apiKey,
    login: { email: DEMO_OWNER_EMAIL, password },
  };
}
