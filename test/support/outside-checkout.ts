import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// Imported first by the run's setup and by every test file's: the tests work from a folder of
// their own, so config/settings.ts reads no `.env` of the developer's, and nothing relative to the
// working directory (data/, …) lands in the checkout. The tests name their files by absolute path.
const checkout = path.join(__dirname, "..", "..");
if (!path.relative(checkout, process.cwd()).startsWith("..")) {
	const folder = mkdtempSync(path.join(tmpdir(), "tests-"));
	process.chdir(folder);
	process.once("exit", () => rmSync(folder, { recursive: true, force: true }));
}
// The TypeScript the tests run through tsx (nodes, scripts) still compiles with the project's
// tsconfig (legacy decorators), which tsx otherwise looks for from the working directory.
process.env.TSX_TSCONFIG_PATH = path.join(checkout, "tsconfig.json");
