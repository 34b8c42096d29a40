import { countSmsBytes, countSupportedSmsBytes, type UnsupportedCharacter } from "./sms-bytes.ts";

export const LIMITS = {
  smsBytes: 90,
  lmsBytes: 2000,
  subjectBytes: 40,
  alimtalkChars: 1000,
  alimtalkVariables: 40,
  alimtalkButtons: 5,
} as const;

export type MessageType = "alimtalk" | "sms" | "lms" | "mms";
export type TextType = "sms" | "lms" | "mms";
/**
 * How a text's type is chosen: a fixed type; "auto", by the text's bytes and a subject (a
 * subject means LMS); or "by_text", by the text's bytes alone, the subject riding along only
 * when the text needs LMS anyway (an Alimtalk fallback: a subject must not triple its price).
 */
export type TextTypeChoice = TextType | "auto" | "by_text";

export type ContentError = {
  code:
    | "TEXT_TOO_LONG"
    | "SUBJECT_TOO_LONG"
    | "UNSUPPORTED_CHARACTER"
    | "TEXT_REQUIRED"
    | "SUBJECT_NOT_ALLOWED";
  path: string;
  message: string;
};

export interface TextContentInput {
  text: string;
  /** A blank subject ("" or spaces) counts as no subject. */
  subject?: string | null;
  type: TextTypeChoice;
  textPath?: string;
  subjectPath?: string;
}

export type TextContentResult =
  | { ok: true; type: TextType; bytes: number }
  | { ok: false; errors: ContentError[] };

const BLANK = /^\s*$/;

/** Checks an SMS/LMS/MMS text and subject against the byte limits and picks the type for "auto". */
export function checkTextContent(input: TextContentInput): TextContentResult {
  const textPath = input.textPath ?? "/text";
  const subjectPath = input.subjectPath ?? "/subject";
  const errors: ContentError[] = [];
  const textBlank = BLANK.test(input.text);
  if (textBlank) {
    errors.push({ code: "TEXT_REQUIRED", path: textPath, message: "Text must not be empty." });
  }
  const text = countSmsBytes(input.text);
  if (!text.ok) {
    errors.push({
      code: "UNSUPPORTED_CHARACTER",
      path: textPath,
      message: describeUnsupported("Text", text.unsupported),
    });
  }
  const subject = input.subject ?? "";
  const hasSubject = !BLANK.test(subject);
  if (hasSubject) {
    if (input.type === "sms") {
      errors.push({
        code: "SUBJECT_NOT_ALLOWED",
        path: subjectPath,
        message: 'An SMS has no subject; use type "lms" or "auto" to send one.',
      });
    } else {
      errors.push(...checkSubject(subject, subjectPath));
    }
  }
  const type = chooseType(input.type, text.bytes, hasSubject);
  if (!textBlank) {
    const tooLong = checkTextBytes(
      type,
      input.type === "auto" || input.type === "by_text",
      text.bytes,
    );
    if (tooLong !== null) errors.push({ code: "TEXT_TOO_LONG", path: textPath, message: tooLong });
  }
  return errors.length === 0 ? { ok: true, type, bytes: text.bytes } : { ok: false, errors };
}

/**
 * The type checkTextContent would pick, or null where it would report errors. The same rules
 * without building results, for the per-recipient loop; ask checkTextContent for the reasons.
 */
export function pickTextType(
  text: string,
  subject: string | null,
  type: TextTypeChoice,
): TextType | null {
  const bytes = countSupportedSmsBytes(text);
  if (bytes < 0 || BLANK.test(text)) return null;
  const hasSubject = subject !== null && !BLANK.test(subject);
  if (hasSubject) {
    if (type === "sms") return null;
    const subjectBytes = countSupportedSmsBytes(subject);
    if (subjectBytes < 0 || subjectBytes > LIMITS.subjectBytes) return null;
  }
  const picked = chooseType(type, bytes, hasSubject);
  return bytes <= (picked === "sms" ? LIMITS.smsBytes : LIMITS.lmsBytes) ? picked : null;
}

function chooseType(choice: TextTypeChoice, bytes: number, hasSubject: boolean): TextType {
  if (choice === "auto") return bytes <= LIMITS.smsBytes && !hasSubject ? "sms" : "lms";
  if (choice === "by_text") return bytes <= LIMITS.smsBytes ? "sms" : "lms";
  return choice;
}

/** Checks an LMS/MMS subject: EUC-KR characters only, at most 40 bytes. */
export function checkSubject(subject: string, path = "/subject"): ContentError[] {
  const errors: ContentError[] = [];
  const counted = countSmsBytes(subject);
  if (!counted.ok) {
    errors.push({
      code: "UNSUPPORTED_CHARACTER",
      path,
      message: describeUnsupported("Subject", counted.unsupported),
    });
  }
  if (counted.bytes > LIMITS.subjectBytes) {
    errors.push({
      code: "SUBJECT_TOO_LONG",
      path,
      message: `Subject is ${counted.bytes} bytes; the limit is ${LIMITS.subjectBytes} bytes (20 Korean characters).`,
    });
  }
  return errors;
}

function checkTextBytes(type: TextType, auto: boolean, bytes: number): string | null {
  if (type === "sms") {
    if (bytes <= LIMITS.smsBytes) return null;
    return `Text is ${bytes} bytes; an SMS holds ${LIMITS.smsBytes} bytes (45 Korean characters). Use type "lms" or "auto" for up to ${LIMITS.lmsBytes} bytes.`;
  }
  if (bytes <= LIMITS.lmsBytes) return null;
  const name = auto ? "an LMS" : `an ${type.toUpperCase()}`;
  return `Text is ${bytes} bytes; ${name} holds ${LIMITS.lmsBytes} bytes (1,000 Korean characters).`;
}

/** Names the characters EUC-KR cannot carry and where they are, for an error message. */
export function describeUnsupported(label: string, unsupported: UnsupportedCharacter[]): string {
  const listed = unsupported
    .map(({ char, codePoint, index }) => {
      const hex = codePoint.toString(16).toUpperCase().padStart(4, "0");
      return `"${char}" (U+${hex}) at character ${index + 1}`;
    })
    .join(", ");
  const more = unsupported.length >= 10 ? " and possibly more" : "";
  return `${label} contains characters that SMS cannot carry (not in EUC-KR): ${listed}${more}.`;
}
