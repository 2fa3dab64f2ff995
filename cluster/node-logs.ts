/**
 * Where a node's output goes under `npm start`: all of it to its log file
 * (DATA_DIR/logs/<nodeID>.log, appended across restarts), and to the console only the records at
 * or above the console's level (warnings and errors unless LOG_LEVEL is set). A start then shows
 * its summary instead of pages of INFO lines, and the details stay one file away.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import type { Readable, Writable } from "node:stream";

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"];

/** The level a line of Moleculer's Console logger starts with ("full" or "json" format); none for a continuation line. */
export function levelOf(line: string): string | undefined {
	const text = /^\[[^\]]+\] (FATAL|ERROR|WARN|INFO|DEBUG|TRACE)\s/.exec(line)?.[1];
	const json = /^\{.*"level":"(\w+)"/.exec(line)?.[1];
	return (text ?? json)?.toLowerCase();
}

/**
 * Passes the lines of `from` on to `file`, and those of records at or above `consoleLevel` to
 * `console`. A line with no level of its own (a stack trace, a table) goes with the record
 * before it; output that is not a log record at all goes to both.
 */
export function routeLines(from: Readable, file: Writable, console: Writable, consoleLevel: string): void {
	const threshold = LEVELS.indexOf(consoleLevel);
	let shown = true;
	let partial = "";
	from.setEncoding("utf8");
	from.on("data", (chunk: string) => {
		const lines = (partial + chunk).split("\n");
		partial = lines.pop()!;
		for (const line of lines) {
			const level = levelOf(line);
			if (level) shown = LEVELS.indexOf(level) <= threshold;
			file.write(`${line}\n`);
			if (shown) console.write(`${line}\n`);
		}
	});
	from.on("end", () => {
		if (!partial) return;
		file.write(`${partial}\n`);
		if (shown) console.write(`${partial}\n`);
	});
}

/** The log file of one node, in `logDir` (made if missing), appended to. */
export function nodeLogFile(logDir: string, nodeID: string): Writable {
	mkdirSync(logDir, { recursive: true });
	return createWriteStream(path.join(logDir, `${nodeID}.log`), { flags: "a" });
}
