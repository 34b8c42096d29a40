// Which texts a send carries (Alimtalk body, SMS text or fallback, subject), where each comes
// from, and the checks that can be made once for the whole request.
import { countCharacters } from "./characters.ts";
import { type LinkTable, trackTextLinks } from "./links.ts";
import {
  type ContentError,
  checkTextContent,
  LIMITS,
  type TextType,
  type TextTypeChoice,
} from "./message-content.ts";
import type { RequestedType, SendInput, Strategy, TemplateInfo } from "./send-plan.ts";
import {
  type CompiledTemplate,
  compileTemplate,
  extractButtonVariables,
  type FieldError,
} from "./template.ts";

export interface ContentPiece {
  compiled: CompiledTemplate;
  /** Where a request-level problem with this piece is reported. */
  path: string;
  /** What the piece is, for messages: "fallback text", "the template body"… */
  label: string;
  fromTemplate: boolean;
  /** The text is the Alimtalk body itself, so a rendered body can be reused. */
  reusesBody: boolean;
}

export interface TextContent {
  text: ContentPiece;
  subject: ContentPiece | null;
  type: TextTypeChoice;
  /** Set when neither text nor subject has variables: checked once, valid for everyone. */
  constant: { type: TextType; bytes: number } | null;
}

export interface SendContent {
  /** The Alimtalk body, when an Alimtalk path is possible. */
  alimtalk: CompiledTemplate | null;
  /** The SMS/LMS/MMS text (or Alimtalk fallback text), when a text path is possible. */
  text: TextContent | null;
  /** Every variable some piece needs, unique, in order. */
  variables: string[];
}

type Source = {
  value: string | null | undefined;
  path: string;
  label: string;
  fromTemplate: boolean;
};

export function resolveSendContent(options: {
  input: SendInput;
  template: TemplateInfo | null;
  type: RequestedType;
  strategy: Strategy;
  usesAlimtalk: boolean;
  usesText: boolean;
  /** Links in the text are tracked into this table (null: sent as written). */
  links?: LinkTable | null;
  errors: FieldError[];
}): SendContent {
  const { input, template, strategy, errors } = options;
  const alimtalk =
    options.usesAlimtalk && template !== null ? compileTemplate(template.body) : null;
  if (alimtalk !== null && alimtalk.variables.length === 0) {
    const characters = countCharacters(alimtalk.body);
    if (characters > LIMITS.alimtalkChars) {
      errors.push({
        path: "/template/code",
        code: "TEXT_TOO_LONG",
        message: `The template body is ${characters} characters; Alimtalk allows ${LIMITS.alimtalkChars}.`,
      });
    }
  }
  const text = options.usesText
    ? resolveTextContent({
        input,
        template,
        alimtalk,
        strategy,
        type: options.type,
        fallback: options.usesAlimtalk,
        links: options.links ?? null,
        errors,
      })
    : null;
  const names = new Set(alimtalk?.variables);
  // An Alimtalk's button links are filled in like its body: their variables are needed too.
  if (alimtalk !== null) {
    for (const name of extractButtonVariables(template?.buttons ?? [])) names.add(name);
  }
  for (const name of text?.text.compiled.variables ?? []) names.add(name);
  for (const name of text?.subject?.compiled.variables ?? []) names.add(name);
  return { alimtalk, text, variables: [...names] };
}

function resolveTextContent(options: {
  input: SendInput;
  template: TemplateInfo | null;
  alimtalk: CompiledTemplate | null;
  strategy: Strategy;
  type: RequestedType;
  /** The text is (or may be) an Alimtalk fallback. */
  fallback: boolean;
  links: LinkTable | null;
  errors: FieldError[];
}): TextContent | null {
  const { input, template, alimtalk, strategy, errors } = options;
  const fallbackFirst = strategy === "alimtalk_first";
  const own: Source[] = [
    { value: input.text, path: "/text", label: "text", fromTemplate: false },
    {
      value: input.fallback?.text,
      path: "/fallback/text",
      label: "fallback text",
      fromTemplate: false,
    },
  ];
  const ownSubjects: Source[] = [
    { value: input.subject, path: "/subject", label: "subject", fromTemplate: false },
    {
      value: input.fallback?.subject,
      path: "/fallback/subject",
      label: "fallback subject",
      fromTemplate: false,
    },
  ];
  // For Alimtalk the explicit fallback wins; for an SMS send, `text` is the message itself.
  if (fallbackFirst) {
    own.reverse();
    ownSubjects.reverse();
  }
  const textSource = pickSource([
    ...own,
    {
      value: template?.fallbackText,
      path: "/template/code",
      label: "the template's fallback text",
      fromTemplate: true,
    },
    {
      value: template?.body,
      path: "/template/code",
      label: "the template body",
      fromTemplate: true,
    },
  ]);
  if (textSource === null) {
    errors.push({
      path: "/text",
      code: "TEXT_REQUIRED",
      message: "Give text, or a template whose body or fallback text can be sent as SMS.",
    });
    return null;
  }
  const type = chooseTextType(options);
  // A forced SMS fallback has no subject, wherever one came from.
  const subjectSource =
    type === "sms" && options.fallback
      ? null
      : pickSource([
          ...ownSubjects,
          {
            value: template?.fallbackSubject,
            path: "/template/code",
            label: "the template's fallback subject",
            fromTemplate: true,
          },
        ]);
  // Checked and priced as sent: with its links tracked, each as long as every recipient's.
  const sent = options.links
    ? { ...textSource, value: trackTextLinks(textSource.value, options.links) }
    : textSource;
  const reuseBody = alimtalk !== null && sent.value === alimtalk.body;
  const text = toPiece(sent, reuseBody ? alimtalk : null);
  const subject = subjectSource === null ? null : toPiece(subjectSource, null);
  const checked = checkTextContent({
    text: text.compiled.body,
    subject: subject?.compiled.body ?? null,
    type,
    textPath: "text",
    subjectPath: "subject",
  });
  const textConstant = text.compiled.variables.length === 0;
  const subjectConstant = subject === null || subject.compiled.variables.length === 0;
  // Cost-optimized sends with a template can always go as Alimtalk: a template text that SMS
  // cannot carry just takes SMS out of the running instead of failing the request.
  const optional = strategy === "cost_optimized" && alimtalk !== null && text.fromTemplate;
  if (!checked.ok && optional) return null;
  if (!checked.ok) {
    for (const error of checked.errors) {
      // Lengths of texts with variables are only known per recipient.
      if (error.code === "TEXT_TOO_LONG" && !textConstant) continue;
      if (error.code === "SUBJECT_TOO_LONG" && !subjectConstant) continue;
      const piece = error.path === "text" ? text : (subject ?? text);
      errors.push(toRequestError(error, piece, fallbackFirst));
    }
  }
  const constant =
    checked.ok && textConstant && subjectConstant
      ? { type: checked.type, bytes: checked.bytes }
      : null;
  return { text, subject, type, constant };
}

/**
 * A fallback goes by its text's bytes (its subject only rides along on an LMS) unless
 * fallback.type says; an SMS send's text by its type, "auto" reading bytes, subject and images.
 */
function chooseTextType(options: {
  input: SendInput;
  strategy: Strategy;
  type: RequestedType;
  fallback: boolean;
}): TextTypeChoice {
  const { input, strategy, type } = options;
  if (strategy === "alimtalk_first") return input.fallback?.type ?? "by_text";
  if (type === "sms" || type === "lms" || type === "mms") return type;
  if ((input.imageIds?.length ?? 0) > 0) return "mms";
  if (options.fallback) return input.fallback?.type ?? "by_text";
  return "auto";
}

function pickSource(sources: Source[]): (Source & { value: string }) | null {
  for (const source of sources) {
    if (typeof source.value === "string" && source.value !== "") {
      return { ...source, value: source.value };
    }
  }
  return null;
}

function toPiece(
  source: Source & { value: string },
  compiled: CompiledTemplate | null,
): ContentPiece {
  return {
    compiled: compiled ?? compileTemplate(source.value),
    path: source.path,
    label: source.label,
    fromTemplate: source.fromTemplate,
    reusesBody: compiled !== null,
  };
}

function toRequestError(
  error: ContentError,
  piece: ContentPiece,
  fallbackFirst: boolean,
): FieldError {
  if (!piece.fromTemplate) return { path: piece.path, code: error.code, message: error.message };
  const hint = fallbackFirst
    ? ' Give fallback.text, or use strategy "alimtalk_only".'
    : " Give text.";
  const usedAs = fallbackFirst ? "the fallback SMS" : "the SMS";
  return {
    path: piece.path,
    code: error.code,
    message: `${capitalize(piece.label)} is used as ${usedAs}: ${error.message}${hint}`,
  };
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
