// The dispatch module as other modules see it: import it from here, never from its files.
export { type CompiledContent, compileContent, renderMessage } from "./render.ts";
