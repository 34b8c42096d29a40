// CSV as Excel opens it in Korean: UTF-8 with a byte-order mark (without it
// Excel reads the bytes as CP949 and every Korean word is garbled), CRLF
// line ends, fields quoted when they hold a comma, a quote or a line break,
// and a leading ' on text that a spreadsheet would run as a formula.

export const UTF8_BOM = "\uFEFF";

const FORMULA = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

function field(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && FORMULA.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line, with its CRLF. */
export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return `${values.map(field).join(",")}\r\n`;
}
