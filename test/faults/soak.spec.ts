import { execFileSync } from "node:child_process";
import { expectClean, settle } from "../support/fault-figures";
import { LaunchedCluster } from "../support/launcher";
import { postBuildingsSteadily } from "../support/load";
import { nodePidsOf } from "../support/processes";
import { INSPECT, NodeHeaps } from "./node-heap";

const MINUTES = 10;
const RATE = 40;
const SAMPLE_EVERY_MS = 15_000;

/** The resident memory of each process, in kB. */
function rssOf(pids: number[]): number[] {
	const out = execFileSync("ps", ["-o", "rss=", "-p", pids.join(",")], { encoding: "utf8" });
	return out.split("\n").map(Number).filter(Boolean);
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

// Ten minutes of steady creations on `npm start`'s own processes: nothing lost or doubled, no
// answer but 201 or 202, and what each node keeps flat once warm: its heap and buffers after a
// full garbage collection, the second and third minutes against the last one, within 10 %.
// Not the resident memory: V8 sizes a node's young generation by how fast it allocates, and
// grows and shrinks it by turns under a steady load (measured on a buildings node of its own: between 4
// and 128 MB, its resident memory between 122 and 254 MB, with the same 28 MB kept); that is printed.
describe("a 10-minute soak at steady load", () => {
	const cluster = new LaunchedCluster("soak");
	let heaps: NodeHeaps | undefined;
	beforeAll(() => cluster.start(INSPECT), 120_000);
	afterAll(async () => {
		await heaps?.close();
		await cluster.stop();
	}, 60_000);

	it(
		`${RATE} creations a second for ${MINUTES} minutes`,
		async () => {
			const pids = Object.values(nodePidsOf(cluster.launcher.child.pid!));
			expect(pids).toHaveLength(4);
			heaps = await NodeHeaps.of(cluster.launcher.output);
			expect(heaps.nodeIDs).toHaveLength(pids.length);
			const startedAt = Date.now();
			const inWarm = (atMs: number) => atMs >= 60_000 && atMs < 180_000;
			const inLast = (atMs: number) => atMs >= (MINUTES - 1) * 60_000;
			const samples: { atMs: number; totalKb: number; kept?: Record<string, number> }[] = [];
			let sampling: Promise<void> | undefined;
			const sample = async () => {
				const atMs = Date.now() - startedAt;
				const totalKb = rssOf(pids).reduce((a, b) => a + b, 0);
				// A full collection pauses the node: only in the minutes compared.
				samples.push({ atMs, totalKb, kept: inWarm(atMs) || inLast(atMs) ? await heaps!.retained() : undefined });
			};
			let failed: unknown;
			const sampler = setInterval(() => {
				// One sample at a time: a full collection on every node takes a moment.
				sampling ??= sample()
					.catch((err: unknown) => void (failed ??= err))
					.finally(() => (sampling = undefined));
			}, SAMPLE_EVERY_MS);
			const load = await postBuildingsSteadily(cluster.api, {
				name: "Soak",
				total: MINUTES * 60 * RATE,
				ratePerSecond: RATE,
				maxInFlight: 200,
			});
			clearInterval(sampler);
			await sampling;
			if (failed) throw failed;

			const figures = await settle(cluster, `soak, ${MINUTES} min at ${RATE}/s`, load, startedAt);
			expectClean(figures, ["201", "202"]);
			const latencies = load.answers.map(a => a.answeredAt - a.sentAt).sort((a, b) => a - b);
			const warmSamples = samples.filter(s => inWarm(s.atMs));
			const lastSamples = samples.filter(s => inLast(s.atMs));
			const rssWarm = mean(warmSamples.map(s => s.totalKb));
			const rssLast = mean(lastSamples.map(s => s.totalKb));
			const growth = Object.fromEntries(
				heaps.nodeIDs.map(nodeID => {
					const warm = mean(warmSamples.map(s => s.kept![nodeID]));
					const last = mean(lastSamples.map(s => s.kept![nodeID]));
					return [nodeID, { warm, last, growth: (last - warm) / warm }];
				}),
			);
			console.log(
				`[soak] ${load.sent} creations; p50 ${latencies[latencies.length >> 1]} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]} ms; ` +
					`kept after a full GC, minutes 2-3 → last: ${Object.entries(growth)
						.map(([nodeID, g]) => `${nodeID} ${mb(g.warm)} → ${mb(g.last)} MB (${(g.growth * 100).toFixed(1)} %)`)
						.join(", ")}; ` +
					`resident memory of the ${pids.length} nodes: ${Math.round(rssWarm / 1024)} MB in minutes 2-3, ${Math.round(rssLast / 1024)} MB in the last; ` +
					`samples (s: MB) ${samples.map(s => `${Math.round(s.atMs / 1000)}: ${Math.round(s.totalKb / 1024)}`).join(", ")}`,
			);
			// The supervisor restarted nothing: the same processes ran throughout.
			expect(Object.values(nodePidsOf(cluster.launcher.child.pid!)).sort()).toEqual([...pids].sort());
			expect(load.sent).toBe(MINUTES * 60 * RATE);
			expect(warmSamples.length).toBeGreaterThan(0);
			expect(lastSamples.length).toBeGreaterThan(0);
			expect(
				Object.entries(growth)
					.filter(([, g]) => !(g.growth < 0.1))
					.map(([nodeID]) => nodeID),
			).toEqual([]);
		},
		(MINUTES + 4) * 60_000,
	);
});
