// The browser tests drive the console as built from the sources they run
// with: it is built before them (when they are to run at all).
import { buildConsole } from "../../web/build.ts";
import { CHROMIUM } from "./chromium.ts";

export default async function setup(): Promise<void> {
  if (CHROMIUM) await buildConsole({ quiet: true });
}
