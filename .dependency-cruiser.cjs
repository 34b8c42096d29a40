// The dependency rule, checked by `npm test`: the pure core imports nothing of
// ours; infrastructure (db, lib, vendors, http) never reaches up into the
// capabilities; a module uses another only through that module's index.ts.
// Tests may reach inside what they test.
const notTest = "\\.test\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "src/domain is pure: it imports only itself (and node/npm packages).",
      severity: "error",
      from: { path: "^src/domain/", pathNot: notTest },
      to: { path: "^src/", pathNot: "^src/domain/" },
    },
    {
      name: "infrastructure-below-modules",
      comment: "db, lib, vendors and http never import a module: modules are built on them.",
      severity: "error",
      from: { path: "^src/(db|lib|vendors|http)/", pathNot: notTest },
      to: { path: "^src/modules/" },
    },
    {
      name: "modules-through-index",
      comment: "A module uses another module only through that module's index.ts.",
      severity: "error",
      from: { path: "^src/modules/([^/]+)/", pathNot: notTest },
      to: {
        path: "^src/modules/[^/]+/",
        pathNot: ["^src/modules/$1/", "^src/modules/[^/]+/index\\.ts$"],
      },
    },
    {
      name: "schema-is-for-types",
      comment:
        "At run time only types come from src/db/schema: its values load drizzle-orm/pg-core, about 190 MB of resident memory in every server process. Shared lists live in src/domain/vocabulary.ts.",
      severity: "error",
      from: { path: "^src/", pathNot: [notTest, "^src/db/schema/"] },
      to: { path: "^src/db/schema/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "no-cycles",
      severity: "error",
      from: { pathNot: notTest },
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
