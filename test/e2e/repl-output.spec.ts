import { readFileSync } from "node:fs";
import { LaunchedCluster } from "../support/launcher";
import { ScriptProcess } from "../support/processes";

// `npm run repl` with its output piped: plain text a script or a log can hold, and a call with bad
// params answered with the field messages, not a stack trace.
describe("the REPL's output", () => {
	const cluster = new LaunchedCluster("repl-output");
	beforeAll(() => cluster.start(), 120_000);
	afterAll(() => cluster.stop(), 60_000);

	it("has no colour codes when stdout is not a terminal, and shows a bad call's field messages without a stack trace", async () => {
		const repl = new ScriptProcess("cluster/repl.ts", [], { DATA_DIR: cluster.dataDir }, cluster.workDir);
		repl.write('call buildings.create --name ""');
		repl.write("call buildings.get --id 987654");
		repl.write('call buildings.create --name "Plain output"');
		repl.write("nodes");
		repl.write("quit");
		expect(await repl.stop(undefined, 30_000)).toBe(0);

		expect(repl.output).toMatch(/name: .*Plain output/);
		expect(repl.output).toMatch(/workflows-3/);
		expect(repl.output).not.toContain("\u001b[");
		expect(repl.output).toContain(
			'>> ERROR:\nValidationError: Parameters validation error!\n  name: "name" must be at least 1 character long; got ""\nData:',
		);
		expect(repl.output).toContain(">> ERROR:\nEntityNotFoundError: Entity not found\nData:");
		// No stack frame anywhere: these are an operator's mistakes, not the software's.
		expect(repl.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
	}, 60_000);

	it("relies on moleculer-repl 0.8.0's printing of a failed call (framework/repl-errors.ts)", () => {
		const manifest = JSON.parse(readFileSync(require.resolve("moleculer-repl/package.json"), "utf8")) as { version: string };
		expect(manifest.version).toBe("0.8.0");
	});
});
