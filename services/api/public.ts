import path from "node:path";

/**
 * The folder of the pages the gateway serves (HTML, CSS, browser scripts): beside this file in
 * the sources, and found there from the compiled files too (dist/ holds only what tsc emits).
 */
export function publicDir(page: string): string {
	const root = path.extname(__filename) === ".ts" ? __dirname : path.join(__dirname, "..", "..", "..", "services", "api");
	return path.join(root, "public", page);
}
