// Builds the console into web/dist: run by `npm install` (postinstall),
// `npm run web:build` and the browser tests. An install without the
// development packages (npm install --omit=dev) has no Vite: it is told so
// and the server answers /console with how to build it.
import { pathToFileURL } from "node:url";

export async function buildConsole(options: { quiet?: boolean } = {}): Promise<void> {
  const { build } = await import("vite");
  const { default: config } = await import("./vite.config.ts");
  await build({ ...config, configFile: false, logLevel: options.quiet ? "warn" : "info" });
}

async function main(): Promise<number> {
  try {
    await import("vite");
  } catch {
    console.warn("alimi: the console is not built (Vite is not installed: run `npm install`)");
    return 0;
  }
  await buildConsole();
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = await main();
}
