// Picking rows of a paged list: the ids picked, kept while paging, and
// forgotten when the list becomes another one (`key`).
import { useCallback, useMemo, useState } from "react";

export interface Selection {
  ids: string[];
  size: number;
  has(id: string): boolean;
  toggle(id: string): void;
  /** Picks (or lets go of) every one of `ids`, e.g. a whole page. */
  setMany(ids: readonly string[], on: boolean): void;
  clear(): void;
}

export function useSelection(key: string): Selection {
  const [state, setState] = useState<{ key: string; ids: ReadonlySet<string> }>({
    key,
    ids: new Set(),
  });
  const ids = state.key === key ? state.ids : new Set<string>();
  const update = useCallback(
    (change: (ids: Set<string>) => void) =>
      setState((s) => {
        const next = new Set(s.key === key ? s.ids : []);
        change(next);
        return { key, ids: next };
      }),
    [key],
  );
  const toggle = useCallback(
    (id: string) =>
      update((next) => {
        if (next.has(id)) next.delete(id);
        else next.add(id);
      }),
    [update],
  );
  const setMany = useCallback(
    (many: readonly string[], on: boolean) =>
      update((next) => {
        for (const id of many) {
          if (on) next.add(id);
          else next.delete(id);
        }
      }),
    [update],
  );
  const clear = useCallback(() => update((next) => next.clear()), [update]);
  return useMemo(
    () => ({
      ids: [...ids],
      size: ids.size,
      has: (id: string) => ids.has(id),
      toggle,
      setMany,
      clear,
    }),
    [ids, toggle, setMany, clear],
  );
}
