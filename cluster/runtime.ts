import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * How to run a script of the project (`node/main`, say) the way the current one runs: as
 * TypeScript through tsx (resolved from here, so any working directory will do), or as compiled
 * JavaScript.
 */
export function projectScript(name: string): { script: string; execArgv: string[] } {
	const extension = path.extname(__filename);
	const execArgv = extension === ".ts" ? ["--import", pathToFileURL(require.resolve("tsx")).href] : [];
	return { script: path.join(__dirname, "..", `${name}${extension}`), execArgv };
}
