import { readFileSync } from "node:fs";
import path from "node:path";
import { ScriptProcess } from "../support/processes";

// Keeps `npm run bench` working: the quick mode runs to the end and reports every figure.
// (The figures' size is the benchmark's business, not a test's.)
describe("npm run bench -- --quick", () => {
	it("completes and reports every figure", async () => {
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
		});
		const scenarios = [
			"POST /buildings, 10 conn",
			"POST /buildings, 50 conn",
			"GET /buildings/:id, 50 conn",
			"list, 1k rows, 50 conn",
			"list, 100k rows, 50 conn",
			"list, 100k rows, any page, 50 conn",
			"POST /buildings, 50 conn, 1 workflows node",
		];
		for (const name of scenarios) {
			expect([name, results.scenarios[name]]).toEqual([name, figures]);
			expect(results.scenarios[name].requests).toBeGreaterThan(0);
			expect([name, results.scenarios[name].transporter]).toEqual([name, expect.any(String)]);
		}
		for (const figure of Object.values(results.yardsticks)) expect(figure).toEqual(figures);
		expect(Object.keys(results.yardsticks)).toHaveLength(4);
		for (const [name, value] of Object.entries(results.ratios))
			if (name !== "POST with METRICS ÷ without") expect([name, value]).toEqual([name, expect.any(Number)]);
		// The quick run judges every goal: each is met or not, none left unmeasured.
		expect(Object.keys(results.goals).length).toBeGreaterThanOrEqual(8);
		for (const [name, { goal, met }] of Object.entries(results.goals as Record<string, { goal: string; met: boolean | null }>)) {
			expect([name, goal, met]).toEqual([name, expect.any(String), expect.any(Boolean)]);
		}
		expect(Object.keys(results.workflowsPerNode).sort()).toEqual(["workflows-1", "workflows-2", "workflows-3"]);
		expect(Object.keys(results.memoryMb).sort()).toEqual(["api-1", "buildings-1", "workflows-1", "workflows-2", "workflows-3"]);
		for (const version of Object.values(results.versions)) expect(version).toMatch(/\d+\.\d+/);
		expect(bench.output).toContain("## Ratios and goals");
		expect(bench.output).toMatch(/Goals met: \d+ of \d+/);
	}, 180_000);
});
