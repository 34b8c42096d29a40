// The signed-in user's session: who they are, the CSRF token every change
// carries (x-alimi-csrf), and the organization the console acts as: the
// user's own, or one below it (X-Alimi-Org on every call).
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { type AlimiClient, createAlimiClient } from "../../../sdk/index.ts";
import { unwrap } from "./errors.ts";
import type { Me, Org, Role, User } from "./types.ts";

const ACTING_KEY = "alimi.actingOrg";

export interface SignedIn {
  user: User;
  role: Role;
  /** The user's own organization. */
  home: Org;
  /** The organization the console acts as: `home`, or one below it. */
  acting: Org;
  /** The API as `acting`. */
  api: AlimiClient;
  actAs(org: Org | null): void;
  signOut(): Promise<void>;
}

type State =
  | { kind: "loading" }
  | { kind: "signed-out"; expired: boolean }
  | { kind: "signed-in"; me: Me & { user: User; role: Role } };

interface SessionContext {
  state: State;
  signedIn: SignedIn | null;
  signIn(email: string, password: string): Promise<void>;
}

const Context = createContext<SessionContext | null>(null);

function readActing(): string | null {
  try {
    return sessionStorage.getItem(ACTING_KEY);
  } catch {
    return null;
  }
}

function writeActing(id: string | null) {
  try {
    if (id) sessionStorage.setItem(ACTING_KEY, id);
    else sessionStorage.removeItem(ACTING_KEY);
  } catch {
    // Private windows may refuse storage: acting then lasts until a reload.
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const [acting, setActing] = useState<Org | null>(null);
  const csrf = useRef<string | undefined>(undefined);

  // A call answered 401 while signed in: the session ended (signed out elsewhere, disabled).
  const watchedFetch = useCallback(async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await fetch(input, init);
    if (response.status === 401) {
      csrf.current = undefined;
      setState((s) => (s.kind === "signed-in" ? { kind: "signed-out", expired: true } : s));
    }
    return response;
  }, []);
  const home = useMemo(
    () => createAlimiClient({ csrfToken: () => csrf.current, fetch: watchedFetch }),
    [watchedFetch],
  );
  const plain = useMemo(() => createAlimiClient({ csrfToken: () => csrf.current }), []);

  const load = useCallback(async () => {
    const { data, response } = await plain.GET("/v1/me");
    if (!data?.user || !data.role || !data.csrfToken) {
      setState({ kind: "signed-out", expired: false });
      if (response.status !== 401) console.warn("GET /v1/me answered", response.status);
      return;
    }
    csrf.current = data.csrfToken;
    const wanted = readActing();
    if (wanted && wanted !== data.org.id) {
      const found = await plain.GET("/v1/orgs/{id}", { params: { path: { id: wanted } } });
      setActing(found.data ?? null);
      if (!found.data) writeActing(null);
    }
    setState({ kind: "signed-in", me: { ...data, user: data.user, role: data.role } });
  }, [plain]);

  useEffect(() => {
    void load();
  }, [load]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      await unwrap(plain.POST("/v1/auth/login", { body: { email, password } }));
      writeActing(null);
      setActing(null);
      await load();
    },
    [plain, load],
  );

  const signOut = useCallback(async () => {
    await plain.POST("/v1/auth/logout").catch(() => undefined);
    csrf.current = undefined;
    writeActing(null);
    setActing(null);
    setState({ kind: "signed-out", expired: false });
  }, [plain]);

  const actAs = useCallback((org: Org | null) => {
    writeActing(org?.id ?? null);
    setActing(org);
  }, []);

  const actingId = acting?.id;
  const api = useMemo(
    () =>
      actingId
        ? createAlimiClient({ orgId: actingId, csrfToken: () => csrf.current, fetch: watchedFetch })
        : home,
    [actingId, home, watchedFetch],
  );

  const signedIn = useMemo<SignedIn | null>(() => {
    if (state.kind !== "signed-in") return null;
    const { me } = state;
    const actingOrg = acting && acting.id !== me.org.id ? acting : me.org;
    return { user: me.user, role: me.role, home: me.org, acting: actingOrg, api, actAs, signOut };
  }, [state, acting, api, actAs, signOut]);

  const value = useMemo(() => ({ state, signedIn, signIn }), [state, signedIn, signIn]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSessionState(): SessionContext {
  const value = useContext(Context);
  if (!value) throw new Error("useSessionState outside SessionProvider");
  return value;
}

/** The signed-in session; screens are rendered only inside one. */
export function useSession(): SignedIn {
  const { signedIn } = useSessionState();
  if (!signedIn) throw new Error("useSession while signed out");
  return signedIn;
}
