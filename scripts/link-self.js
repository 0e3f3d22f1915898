// Links node_modules/pulumi-mde to this checkout so that the dynamic provider, which
// loads its runtime by package name (`require("pulumi-mde/provider")`) from the
// program's directory, resolves it inside this repository too: tests, examples and
// the demo run exactly what users install. Runs from `npm install` (prepare).
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-mde");
fs.mkdirSync(path.dirname(link), { recursive: true });
try {
  if (fs.realpathSync(link) === root) process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {
  // Not there yet.
}
fs.symlinkSync("..", link, "dir");
