// A local Aligo for tests: one real HTTP server serving both the SMS API
// paths and the Kakao akv10 paths, speaking the documented shapes (wire.ts):
// form-encoded requests authenticated by parameters, HTTP 200 answers with
// the outcome in the body. It records every request for assertions and can be
// told to fail, hang, refuse receivers or keep results back.
//
// What happens to a receiver is chosen by its number (`behaviours`):
//   delivered (default)  final success
//   failed               SMS: sms_state 가입자없음; Alimtalk: rslt U (template mismatch)
//   notKakao             Alimtalk: rslt 3019 (not a KakaoTalk user); SMS: delivered
//   pending              never final (sms_state 전송중; Alimtalk msgid "Q…")
//   late                 pending until release(), then delivered
//   refused              counted in error_cnt / fcnt at send time, never listed
// A failed Alimtalk sent with failover=Y gets its fallback SMS/LMS (delivered)
// under a new SMS mid, named by the item's `smid`; SMS or LMS by the fallback
// text's length, as Aligo picks it (failover=Y without fsubject_N and
// fmessage_N is refused: Aligo's client documents both as required).
// MMS arrives on `/send/` as multipart with `image`/`image1`..`image3`
// (JPEG, PNG or GIF); an MMS without one, or with a file that is no image,
// is refused.
import { randomBytes } from "node:crypto";
import { countSupportedSmsBytes } from "../../../../src/domain/sms-bytes.ts";
import {
  type FakeAnswer,
  type RecordedFile,
  type RecordedRequest,
  startFakeHarness,
} from "../fake-harness.ts";
import { imageFormatOf } from "../images.ts";

export type RecipientBehaviour =
  | "delivered"
  | "failed"
  | "notKakao"
  | "pending"
  | "late"
  | "refused";

export interface FakeAligoOptions {
  apiKey?: string;
  userId?: string;
  senderKey?: string;
  /** Whether akv10 calls must carry a token from /akv10/token/create/ (default true). */
  requireToken?: boolean;
  behaviours?: Record<string, RecipientBehaviour>;
  /** Most items a result page holds, whatever the client asks (default 500). */
  pageSizeCap?: number;
  /** The server's clock: result dates and token expiry. */
  now?: () => number;
}

export type { RecordedRequest } from "../fake-harness.ts";

export interface FakeAligo {
  /** Serves both APIs: use it as smsBaseUrl and kakaoBaseUrl. */
  url: string;
  requests: RecordedRequest[];
  /** Requests to a path (or all), in order. */
  received(path?: string): RecordedRequest[];
  /** The next `count` requests fail: 503, no answer at all, or a 200 that is not JSON. */
  failNext(count: number, mode: "5xx" | "timeout" | "garbage"): void;
  setBehaviour(receiver: string, behaviour: RecipientBehaviour): void;
  /** Late results become final (delivered). */
  release(): void;
  /** Every token issued so far stops working. */
  revokeTokens(): void;
  tokensIssued(): number;
  close(): Promise<void>;
}

interface SmsItem {
  mdid: string;
  receiver: string;
  type: "SMS" | "LMS" | "MMS";
  behaviour: RecipientBehaviour;
}

interface KakaoItem {
  msgid: string;
  receiver: string;
  behaviour: RecipientBehaviour;
  smid: string;
}

const TOKEN_UNITS: Readonly<Record<string, number>> = {
  y: 365 * 86_400,
  m: 30 * 86_400,
  d: 86_400,
  h: 3600,
  i: 60,
  s: 1,
};

export async function startFakeServer(options: FakeAligoOptions = {}): Promise<FakeAligo> {
  const apiKey = options.apiKey ?? "test-key";
  const userId = options.userId ?? "test-user";
  const senderKey = options.senderKey ?? "test-sender-key";
  const requireToken = options.requireToken ?? true;
  const pageSizeCap = options.pageSizeCap ?? 500;
  const now = options.now ?? Date.now;
  const behaviours = new Map(Object.entries(options.behaviours ?? {}));
  const tokens = new Map<string, number>();
  const smsByMid = new Map<string, SmsItem[]>();
  const kakaoByMid = new Map<string, KakaoItem[]>();
  let released = false;
  let tokensIssued = 0;
  let nextSmsMid = 583_009_869;
  let nextKakaoMid = 336_962_435;
  let nextDetail = 3_245_613_052;

  const behaviourOf = (receiver: string): RecipientBehaviour =>
    behaviours.get(receiver) ?? "delivered";
  const dateNow = () => kstDate(now());

  function sms(
    form: Record<string, string>,
    path: string,
    files: Record<string, RecordedFile> = {},
  ): unknown {
    if (form.key !== apiKey || (form.user_id ?? form.userid) !== userId) {
      return { result_code: "-101", message: "인증오류입니다." };
    }
    if (path === "/remain/") {
      return { result_code: 1, message: "", SMS_CNT: 5555, LMS_CNT: 1930, MMS_CNT: 833 };
    }
    if (path === "/sms_list/") {
      const items = smsByMid.get(form.mid ?? "") ?? [];
      const { page, size } = paging(form.page, form.page_size);
      const slice = items.slice((page - 1) * size, page * size);
      return {
        result_code: 1,
        message: "success",
        list: slice.map((item) => ({
          mdid: item.mdid,
          type: item.type,
          sender: "0212345678",
          receiver: item.receiver,
          sms_state: smsState(item.behaviour),
          reg_date: dateNow(),
          send_date: dateNow(),
          reserve_date: "",
        })),
        next_yn: page * size < items.length ? "Y" : "N",
      };
    }
    if (path === "/send/") {
      const receivers = (form.receiver ?? "").split(",").filter((r) => r !== "");
      const type = form.msg_type ?? (countSupportedSmsBytes(form.msg ?? "") > 90 ? "LMS" : "SMS");
      if (!form.sender || !form.msg || receivers.length === 0 || receivers.length > 1000) {
        return { result_code: "-102", message: "필수 파라메터가 누락되었습니다." };
      }
      if (type !== "SMS" && type !== "LMS" && type !== "MMS") {
        return { result_code: "-102", message: "msg_type 이 올바르지 않습니다." };
      }
      const images = ["image", "image1", "image2", "image3"].flatMap((k) => files[k] ?? []);
      if (type === "MMS" && images.length === 0) {
        return { result_code: "-102", message: "MMS 첨부 이미지가 없습니다." };
      }
      if (images.some((image) => imageFormatOf(image.data) === null)) {
        return { result_code: "-102", message: "이미지는 JPEG, PNG, GIF만 가능합니다." };
      }
      return accepted(receivers, type);
    }
    if (path === "/send_mass/") {
      const cnt = Number(form.cnt);
      const type = form.msg_type;
      if (!(Number.isInteger(cnt) && cnt >= 1 && cnt <= 500) || !form.sender) {
        return { result_code: "-102", message: "필수 파라메터가 누락되었습니다." };
      }
      if (type !== "SMS" && type !== "LMS" && type !== "MMS") {
        return { result_code: "-102", message: "msg_type 이 올바르지 않습니다." };
      }
      const receivers: string[] = [];
      for (let n = 1; n <= cnt; n++) {
        const receiver = form[`rec_${n}`];
        if (!receiver || !form[`msg_${n}`]) {
          return { result_code: "-102", message: `rec_${n}/msg_${n} 정보가 없습니다.` };
        }
        receivers.push(receiver);
      }
      return accepted(receivers, type);
    }
    return null;
  }

  /** A send Aligo took: one mid for the request, its receivers listed under it. */
  function accepted(receivers: string[], type: "SMS" | "LMS" | "MMS") {
    const mid = String(nextSmsMid++);
    const listed = receivers.filter((r) => behaviourOf(r) !== "refused");
    smsByMid.set(
      mid,
      listed.map((receiver) => ({
        mdid: String(nextDetail++),
        receiver,
        type,
        behaviour: behaviourOf(receiver),
      })),
    );
    return {
      result_code: "1",
      message: "success",
      msg_id: mid,
      success_cnt: listed.length,
      error_cnt: receivers.length - listed.length,
      msg_type: type,
    };
  }

  function kakao(form: Record<string, string>, path: string): unknown {
    if (form.apikey !== apiKey || form.userid !== userId) {
      return { code: -101, message: "인증오류입니다." };
    }
    // With or without the trailing slash: the reference writes it, Aligo's
    // own Node client (aligoapi) leaves it out.
    const create = /^\/akv10\/token\/create\/(\d+)\/([ymdhis])\/?$/.exec(path);
    if (create !== null) {
      const token = randomBytes(16).toString("hex");
      tokens.set(token, now() + Number(create[1]) * TOKEN_UNITS[create[2]!]! * 1000);
      tokensIssued++;
      return { code: 0, message: "정상적으로 생성하였습니다.", token, urlencode: token };
    }
    if (requireToken) {
      const expires = tokens.get(form.token ?? "");
      if (expires === undefined || expires <= now()) {
        return { code: -99, message: "토큰 인증에 실패하였습니다." };
      }
    }
    if (path === "/akv10/alimtalk/send/") return alimtalkSend(form);
    if (path === "/akv10/history/detail/") {
      const items = kakaoByMid.get(form.mid ?? "") ?? [];
      const { page, size } = paging(form.page, form.limit);
      const slice = items.slice((page - 1) * size, page * size);
      return {
        code: 0,
        message: "정상적으로 호출하였습니다.",
        list: slice.map(detailItem),
        currentPage: String(page),
        totalPage: String(Math.max(1, Math.ceil(items.length / size))),
        totalCount: String(items.length),
      };
    }
    return null;
  }

  function alimtalkSend(form: Record<string, string>): unknown {
    if (form.senderkey !== senderKey) {
      return { code: -99, message: "발신프로필 키가 유효하지 않습니다." };
    }
    if (!form.tpl_code) return { code: -99, message: "템플릿 코드(=tpl_code) 정보가 없습니다." };
    const receivers: { receiver: string; n: number }[] = [];
    for (let n = 1; form[`receiver_${n}`] !== undefined; n++) {
      if (!form[`subject_${n}`] || !form[`message_${n}`]) {
        return { code: -99, message: `subject_${n}/message_${n} 정보가 없습니다.` };
      }
      if (form.failover === "Y" && (!form[`fsubject_${n}`] || !form[`fmessage_${n}`])) {
        return { code: -99, message: `fsubject_${n}/fmessage_${n} 정보가 없습니다.` };
      }
      receivers.push({ receiver: form[`receiver_${n}`]!, n });
    }
    if (receivers.length === 0 || receivers.length > 500) {
      return { code: -99, message: "수신자 정보가 올바르지 않습니다." };
    }
    const mid = String(nextKakaoMid++);
    const listed = receivers.filter(({ receiver }) => behaviourOf(receiver) !== "refused");
    kakaoByMid.set(
      mid,
      listed.map(({ receiver, n }) => {
        const behaviour = behaviourOf(receiver);
        const fails = behaviour === "failed" || behaviour === "notKakao";
        let smid = "0";
        if (fails && form.failover === "Y" && form[`fmessage_${n}`]) {
          smid = String(nextSmsMid++);
          smsByMid.set(smid, [
            {
              mdid: String(nextDetail++),
              receiver,
              type: countSupportedSmsBytes(form[`fmessage_${n}`]!) > 90 ? "LMS" : "SMS",
              behaviour: "delivered",
            },
          ]);
        }
        return { msgid: String(nextDetail++), receiver, behaviour, smid };
      }),
    );
    return {
      code: 0,
      message: "성공적으로 전송요청 하였습니다.",
      info: {
        type: "AT",
        mid: Number(mid),
        current: 49869.0,
        unit: 6.5,
        total: 6.5 * listed.length,
        scnt: listed.length,
        fcnt: receivers.length - listed.length,
      },
    };
  }

  function detailItem(item: KakaoItem): Record<string, string> {
    const state = effective(item.behaviour);
    const result =
      state === "pending"
        ? { rslt: "", rslt_message: "" }
        : state === "failed"
          ? { rslt: "U", rslt_message: "메시지가 템플릿과 일치하지않음" }
          : state === "notKakao"
            ? { rslt: "3019", rslt_message: "카카오톡 미사용자입니다." }
            : { rslt: "0000", rslt_message: "" };
    return {
      msgid: state === "pending" ? `Q${item.msgid}` : item.msgid,
      type: "AT",
      sender: "0212345678",
      phone: item.receiver,
      status: "3",
      reqdate: dateNow(),
      sentdate: dateNow(),
      rsltdate: state === "pending" ? "" : dateNow(),
      reportdate: dateNow(),
      ...result,
      message: "",
      button_json: "{}",
      tpl_code: "TPL",
      senderKey,
      smid: item.smid,
    };
  }

  function smsState(behaviour: RecipientBehaviour): string {
    const state = effective(behaviour);
    if (state === "pending") return "전송중";
    // Not being a KakaoTalk user says nothing about SMS: only "failed" fails there.
    if (state === "failed") return "가입자없음";
    return "발송완료";
  }

  const effective = (behaviour: RecipientBehaviour): RecipientBehaviour =>
    behaviour === "late" ? (released ? "delivered" : "pending") : behaviour;

  function paging(page: string | undefined, size: string | undefined) {
    const p = Number(page);
    const s = Number(size);
    return {
      page: Number.isInteger(p) && p >= 1 ? p : 1,
      size: Math.min(pageSizeCap, Number.isInteger(s) && s >= 1 ? s : 30),
    };
  }

  const harness = await startFakeHarness((request): FakeAnswer => {
    if (request.method !== "POST") return { status: 405, body: "POST only" };
    const { path, form, files } = request;
    const body = path.startsWith("/akv10/") ? kakao(form, path) : sms(form, path, files);
    if (body === null) return { status: 404, body: "Not Found" };
    return { status: 200, body };
  });

  return {
    url: harness.url,
    requests: harness.requests,
    received: harness.received,
    failNext(count, mode) {
      harness.failNext(count, mode);
    },
    setBehaviour(receiver, behaviour) {
      behaviours.set(receiver, behaviour);
    },
    release() {
      released = true;
    },
    revokeTokens() {
      tokens.clear();
    },
    tokensIssued: () => tokensIssued,
    close: harness.close,
  };
}

/** Aligo's date format, in Korean time. */
function kstDate(ms: number): string {
  return new Date(ms + 9 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}
