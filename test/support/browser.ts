import { execFileSync } from "node:child_process";
import { chromium, type Browser, type Page } from "playwright-core";

/** The Debian `chromium` on PATH (.ci/run installs it), driven headless by playwright-core. */
export function launchChromium(): Promise<Browser> {
	let executablePath = "";
	try {
		executablePath = execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
	} catch {
		throw new Error("chromium is not on PATH: apt-get install chromium (.ci/run does).");
	}
	// As root (CI containers), Chromium runs only without its sandbox.
	return chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

/** The `data-key` of each row of the table with this `data-testid`. */
export function rowKeys(page: Page, table: string): Promise<string[]> {
	return page.$$eval(`[data-testid="${table}"] tbody tr`, rows => rows.map(row => row.getAttribute("data-key") ?? ""));
}

/** The text of each cell of the row with this key. */
export function rowCells(page: Page, table: string, key: string): Promise<string[]> {
	return page.$$eval(`[data-testid="${table}"] tbody tr[data-key="${key}"] td`, cells => cells.map(cell => cell.textContent ?? ""));
}
