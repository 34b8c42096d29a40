// PostgreSQL's COPY text format: one line per row, columns separated by tabs,
// \N for null, and backslash escapes for the characters that would break it.

export type CopyValue = string | number | bigint | boolean | null | undefined;

const SPECIAL = /[\\\t\n\r]/;

export function escapeCopyText(value: string): string {
  if (!SPECIAL.test(value)) return value;
  return value
    .replaceAll("\\", "\\\\")
    .replaceAll("\t", "\\t")
    .replaceAll("\n", "\\n")
    .replaceAll("\r", "\\r");
}

export function copyLine(values: readonly CopyValue[]): string {
  let line = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) line += "\t";
    if (v === null || v === undefined) line += "\\N";
    else if (typeof v === "string") line += escapeCopyText(v);
    else line += String(v);
  }
  return `${line}\n`;
}
