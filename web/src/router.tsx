// A small router over the History API: the console's paths live under
// /console, and each screen is found by its path.
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from "react";

export const BASE = "/console";

function currentPath(): string {
  const path = window.location.pathname;
  const inside = path.startsWith(BASE) ? path.slice(BASE.length) : path;
  return inside === "" ? "/" : inside;
}

const listeners = new Set<() => void>();

/**
 * Goes to a path inside the console. `state` rides along in the history entry
 * (it is there again after a reload or going back): what a screen was handed
 * by the one before, such as the answer to a send.
 */
export function navigate(to: string, options: { replace?: boolean; state?: unknown } = {}) {
  const url = BASE + to;
  const state = options.state ?? null;
  if (options.replace) window.history.replaceState(state, "", url);
  else window.history.pushState(state, "", url);
  window.scrollTo(0, 0);
  for (const listener of listeners) listener();
}

/** The path inside /console, e.g. "/campaigns/cmp_…", kept current. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return path;
}

/** What the history entry shown now was handed (see `navigate`), or null. */
export function historyState(): unknown {
  return window.history.state ?? null;
}

/** Matches "/campaigns/:id" against a path; the named parts, or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = (path.replace(/\/+$/, "") || "/").split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = got[i] ?? "";
    if (part.startsWith(":")) {
      if (!value) return null;
      params[part.slice(1)] = decodeURIComponent(value);
    } else if (part !== value) {
      return null;
    }
  }
  return params;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={BASE + to} onClick={follow} {...rest} />;
}
