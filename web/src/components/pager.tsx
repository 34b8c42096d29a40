// Cursor-paged lists: the page shown, the cursors that led to it, and the
// buttons that move between pages.
import { useState } from "react";
import { useI18n } from "../i18n.tsx";
import { type Loaded, useLoad } from "../use-load.ts";
import { Button } from "./form.tsx";

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface Paged<T> extends Loaded<Page<T>> {
  page: number;
  next(): void;
  previous(): void;
}

/** Loads the page at a cursor; `key` names the list (a new key starts at page one). */
export function usePaged<T>(
  key: string,
  load: (cursor: string | undefined) => Promise<Page<T>>,
): Paged<T> {
  const [trail, setTrail] = useState<{ key: string; cursors: (string | undefined)[] }>({
    key,
    cursors: [undefined],
  });
  const cursors = trail.key === key ? trail.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const loaded = useLoad(`${key}@${cursor ?? ""}`, () => load(cursor));
  return {
    ...loaded,
    page: cursors.length,
    next() {
      const nextCursor = loaded.data?.nextCursor;
      if (nextCursor) setTrail({ key, cursors: [...cursors, nextCursor] });
    },
    previous() {
      if (cursors.length > 1) setTrail({ key, cursors: cursors.slice(0, -1) });
    },
  };
}

export function Pager<T>({ paged }: { paged: Paged<T> }) {
  const { t } = useI18n();
  const hasNext = Boolean(paged.data?.nextCursor);
  if (paged.page === 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label={t("pager.label")}>
      <Button small disabled={paged.page === 1} onClick={paged.previous}>
        {t("pager.previous")}
      </Button>
      <span className="muted">{t("pager.page", { n: paged.page })}</span>
      <Button small disabled={!hasNext} onClick={paged.next}>
        {t("pager.next")}
      </Button>
    </nav>
  );
}
