import { PassThrough } from "node:stream";
import { levelOf, routeLines } from "../../cluster/node-logs";

/** Everything written to a stream, once `from` has ended. */
function collected(stream: PassThrough): () => string {
	let text = "";
	stream.on("data", chunk => (text += chunk));
	return () => text;
}

describe("a node's output under npm start", () => {
	it("reads the level of Moleculer's text and JSON lines, and none of a continuation", () => {
		expect(levelOf("[2026-12-06T12:00:00.000Z] WARN  api-1/API: 503 …")).toBe("warn");
		expect(levelOf("[2026-12-06T12:00:00.000Z] INFO  api-1/BROKER: started")).toBe("info");
		expect(levelOf('{"ts":1,"level":"error","msg":"boom","nodeID":"api-1"}')).toBe("error");
		expect(levelOf("    at Object.<anonymous> (x.js:1:1)")).toBeUndefined();
	});

	it("writes every line to the file and the records at or above the console's level, with their continuation lines, to the console", async () => {
		const from = new PassThrough();
		const file = new PassThrough();
		const console = new PassThrough();
		const [fileText, consoleText] = [collected(file), collected(console)];
		routeLines(from, file, console, "warn");
		const lines = [
			"[t] INFO  api-1/BROKER: starting",
			"[t] ERROR api-1/API: Request failed: Error: boom",
			"    at handler (x.js:1:1)",
			"[t] INFO  api-1/API: quiet again",
			"    an INFO record's second line",
			'{"ts":1,"level":"warn","msg":"json warning"}',
		];
		// Split mid-line, as a pipe may deliver it.
		const text = `${lines.join("\n")}\n`;
		from.write(text.slice(0, 50));
		from.end(text.slice(50));
		await new Promise(resolve => setImmediate(resolve));
		expect(fileText()).toBe(text);
		expect(consoleText()).toBe(`${[lines[1], lines[2], lines[5]].join("\n")}\n`);
	});
});
