import { readFileSync } from "node:fs";
import path from "node:path";
import { SCENARIO, YARDSTICK } from "../../bench/names";
import { ScriptProcess } from "../support/processes";

interface Figures {
	requestsPerSecond: number;
	p50: number;
	p90: number;
	p99: number;
}

/** A rate above zero, latencies in order, and no latency above the run's own length. */
const saneFigures = ({ requestsPerSecond, p50, p90, p99 }: Figures) => [
	requestsPerSecond > 0,
	0 <= p50 && p50 <= p90 && p90 <= p99,
	p99 < 60_000,
];

// Keeps `npm run bench` working: the quick mode runs to the end, every load is answered as the
// README promises, and every figure is reported. (The figures' size is the benchmark's business,
// not a test's; that they are coherent is.)
describe("npm run bench -- --quick", () => {
	it("completes, every load answered, and reports every figure", async () => {
		const root = path.join(__dirname, "..", "..");
		const bench = new ScriptProcess("bench/run.ts", ["--quick"], {}, root);
		expect(await bench.stop(undefined, 150_000)).toBe(0);
		const written = /results written to (bench\/results\/\S+\.json)/.exec(bench.output);
		expect(written).not.toBeNull();
		const results = JSON.parse(readFileSync(path.join(root, written![1]), "utf8"));

		const figures = expect.objectContaining({
			requestsPerSecond: expect.any(Number),
			p50: expect.any(Number),
			p90: expect.any(Number),
			p99: expect.any(Number),
			errors: expect.any(Number),
			non2xx: expect.any(Number),
			checkedAnswers: expect.any(Number),
			wrongAnswers: expect.any(Number),
		});
		// The full run's extra clusters (METRICS=true, the TCP transporter) are not in the quick one.
		const { post50Metrics: _metrics, post50Tcp: _tcp, ...quickScenarios } = SCENARIO;
		expect(Object.keys(results.scenarios).sort()).toEqual(Object.values(quickScenarios).sort());
		for (const name of Object.values(quickScenarios)) {
			const scenario = results.scenarios[name];
			expect([name, scenario]).toEqual([name, figures]);
			expect([name, scenario.transporter]).toEqual([name, expect.any(String)]);
			// Each load was answered, and with a 2xx: no error, no other status.
			expect([name, scenario.requests > 0, scenario.errors, scenario.non2xx]).toEqual([name, true, 0, 0]);
			expect([name, ...saneFigures(scenario)]).toEqual([name, true, true, true]);
		}
		// Every random read found its building with the building's workflow embedded.
		const reads = results.scenarios[SCENARIO.getRandom];
		expect([reads.checkedAnswers > 0, reads.wrongAnswers]).toEqual([true, 0]);
		// A creation's answer is 201 with its workflow or 202 while it is pending: both are 2xx, and checked.
		for (const name of [SCENARIO.post1, SCENARIO.post10, SCENARIO.post50])
			expect(results.scenarios[name].checkedAnswers).toBeGreaterThan(0);

		expect(Object.keys(results.yardsticks).sort()).toEqual(Object.values(YARDSTICK).sort());
		for (const [name, figure] of Object.entries(results.yardsticks)) {
			expect([name, figure]).toEqual([name, figures]);
			expect([name, ...saneFigures(figure as Figures)]).toEqual([name, true, true, true]);
		}
		for (const name of [YARDSTICK.readPipeline, YARDSTICK.leanRead]) {
			const read = results.yardsticks[name];
			expect([name, read.checkedAnswers > 0, read.wrongAnswers, read.non2xx, read.errors]).toEqual([name, true, 0, 0, 0]);
		}

		for (const [name, value] of Object.entries(results.ratios))
			if (name !== "POST with METRICS ÷ without") expect([name, value]).toEqual([name, expect.any(Number)]);
		// The quick run judges every goal: each is met or not, none left unmeasured.
		expect(Object.keys(results.goals).length).toBeGreaterThanOrEqual(10);
		for (const [name, { goal, met }] of Object.entries(results.goals as Record<string, { goal: string; met: boolean | null }>)) {
			expect([name, goal, met]).toEqual([name, expect.any(String), expect.any(Boolean)]);
		}
		expect(Object.keys(results.workflowsPerNode).sort()).toEqual(["workflows-1", "workflows-2", "workflows-3"]);
		// Every node's memory: the workflows nodes and the node(s) of the gateway and the buildings service.
		const nodes = Object.keys(results.memoryMb);
		expect(nodes).toEqual(expect.arrayContaining(["workflows-1", "workflows-2", "workflows-3"]));
		expect(nodes.length).toBeGreaterThanOrEqual(4);
		for (const version of Object.values(results.versions)) expect(version).toMatch(/\d+\.\d+/);
		expect(bench.output).toContain("## Ratios and goals");
		expect(bench.output).toMatch(/Goals met: \d+ of \d+/);
	}, 180_000);
});
