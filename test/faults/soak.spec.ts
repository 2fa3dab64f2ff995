import { execFileSync } from "node:child_process";
import { expectClean, settle } from "../support/fault-figures";
import { LaunchedCluster } from "../support/launcher";
import { postBuildingsSteadily } from "../support/load";
import { nodePidsOf } from "../support/processes";

const MINUTES = 10;
const RATE = 40;
const SAMPLE_EVERY_MS = 15_000;

/** The resident memory of each process, in kB. */
function rssOf(pids: number[]): number[] {
	const out = execFileSync("ps", ["-o", "rss=", "-p", pids.join(",")], { encoding: "utf8" });
	return out.split("\n").map(Number).filter(Boolean);
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

// Ten minutes of steady creations on `npm start`'s own processes: nothing lost or doubled, no
// answer but 201 or 202, and the nodes' memory flat once warm (the second and third minutes
// against the last one, within 10 %).
describe("a 10-minute soak at steady load", () => {
	const cluster = new LaunchedCluster("soak");
	beforeAll(() => cluster.start(), 120_000);
	afterAll(() => cluster.stop(), 60_000);

	it(
		`${RATE} creations a second for ${MINUTES} minutes`,
		async () => {
			const pids = Object.values(nodePidsOf(cluster.launcher.child.pid!));
			expect(pids).toHaveLength(4);
			const startedAt = Date.now();
			const samples: { atMs: number; totalKb: number }[] = [];
			const sampler = setInterval(
				() => samples.push({ atMs: Date.now() - startedAt, totalKb: rssOf(pids).reduce((a, b) => a + b, 0) }),
				SAMPLE_EVERY_MS,
			);
			const load = await postBuildingsSteadily(cluster.api, {
				name: "Soak",
				total: MINUTES * 60 * RATE,
				ratePerSecond: RATE,
				maxInFlight: 200,
			});
			clearInterval(sampler);

			const figures = await settle(cluster, `soak, ${MINUTES} min at ${RATE}/s`, load, startedAt);
			expectClean(figures, ["201", "202"]);
			const latencies = load.answers.map(a => a.answeredAt - a.sentAt).sort((a, b) => a - b);
			const warm = mean(samples.filter(s => s.atMs >= 60_000 && s.atMs < 180_000).map(s => s.totalKb));
			const last = mean(samples.filter(s => s.atMs >= (MINUTES - 1) * 60_000).map(s => s.totalKb));
			const growth = (last - warm) / warm;
			console.log(
				`[soak] ${load.sent} creations; p50 ${latencies[latencies.length >> 1]} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]} ms; ` +
					`memory of the ${pids.length} nodes: ${Math.round(warm / 1024)} MB in minutes 2-3, ${Math.round(last / 1024)} MB in the last (${(growth * 100).toFixed(1)} %); ` +
					`samples (s: MB) ${samples.map(s => `${Math.round(s.atMs / 1000)}: ${Math.round(s.totalKb / 1024)}`).join(", ")}`,
			);
			// The supervisor restarted nothing: the same processes ran throughout.
			expect(Object.values(nodePidsOf(cluster.launcher.child.pid!)).sort()).toEqual([...pids].sort());
			expect(load.sent).toBe(MINUTES * 60 * RATE);
			expect(Math.abs(growth)).toBeLessThan(0.1);
		},
		(MINUTES + 4) * 60_000,
	);
});
