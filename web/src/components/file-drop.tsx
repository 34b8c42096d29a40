// A file picked by dropping it on the box or through the browser's picker;
// the box says which file it holds and takes another one the same ways.
import { type DragEvent, useId, useRef, useState } from "react";
import { useI18n } from "../i18n.tsx";

export function FileDrop({
  file,
  accept,
  label,
  hint,
  disabled = false,
  onFile,
}: {
  file: File | null;
  /** What the picker offers, e.g. ".xlsx,.csv". */
  accept: string;
  label: string;
  hint?: string;
  disabled?: boolean;
  onFile(file: File): void;
}) {
  const { t, locale } = useI18n();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const take = (files: FileList | null) => {
    const first = files?.[0];
    if (first && !disabled) onFile(first);
  };
  const drop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setOver(false);
    take(event.dataTransfer.files);
  };
  const classes = ["file-drop", over ? "over" : "", file ? "has-file" : "", disabled ? "off" : ""];
  return (
    <fieldset
      aria-label={label}
      className={classes.filter(Boolean).join(" ")}
      data-testid="file-drop"
      onDragEnter={(e) => {
        e.preventDefault();
        if (!disabled) setOver(true);
      }}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = disabled ? "none" : "copy";
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={drop}
    >
      <label htmlFor={id} className="file-drop-label">
        <span className="file-drop-icon" aria-hidden="true">
          ⇪
        </span>
        <span className="strong">{label}</span>
        {file ? (
          <span className="file-drop-file" data-testid="file-drop-name">
            {file.name} · {formatSize(file.size, locale)}
          </span>
        ) : (
          <span className="muted small">{t("file.dropHere")}</span>
        )}
        {hint ? <span className="hint">{hint}</span> : null}
        <span className="button small file-drop-pick">
          {file ? t("file.other") : t("file.pick")}
        </span>
      </label>
      <input
        ref={input}
        id={id}
        type="file"
        accept={accept}
        className="sr-only"
        disabled={disabled}
        onChange={(e) => {
          take(e.target.files);
          // The same file picked again is a new pick.
          e.target.value = "";
        }}
      />
    </fieldset>
  );
}

/** Bytes as people read them: 12.3 KB, 4.5 MB. */
export function formatSize(bytes: number, locale: string): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(locale, { maximumFractionDigits: digits })} ${units[unit]}`;
}
