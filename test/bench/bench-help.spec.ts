import { tmpdir } from "node:os";
import { ScriptProcess } from "../support/processes";

// `npm run bench -- --help` prints the usage and exits, instead of starting a run of minutes; an
// unknown option is refused the same way, with exit code 2.
describe("npm run bench -- --help", () => {
	it("prints the usage and exits 0 at once, starting nothing", async () => {
		const bench = new ScriptProcess("bench/run.ts", ["--help"], {}, tmpdir());
		expect(await bench.stop(undefined, 20_000)).toBe(0);
		expect(bench.output).toMatch(/^Usage: npm run bench \[-- --quick \| --help\]/);
		expect(bench.output).toContain("--quick   a short smoke run");
		expect(bench.output).not.toContain("starting the cluster");
	});

	it("refuses an unknown option with the usage and exit code 2", async () => {
		const bench = new ScriptProcess("bench/run.ts", ["--quik"], {}, tmpdir());
		expect(await bench.stop(undefined, 20_000)).toBe(2);
		expect(bench.output).toContain("Unknown option '--quik'");
		expect(bench.output).toContain("Usage: npm run bench");
	});
});
