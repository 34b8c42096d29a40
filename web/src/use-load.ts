// Loading what a screen shows: the latest answer, the error, and a way to
// load it again. `key` names what is loaded; a new key loads anew.
import { useCallback, useEffect, useRef, useState } from "react";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

export function useLoad<T>(key: string, load: (key: string) => Promise<T>): Loaded<T> {
  const latest = useRef(load);
  latest.current = load;
  const [round, setRound] = useState(0);
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new round loads the same key again
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    latest.current(key).then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [key, round]);

  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
