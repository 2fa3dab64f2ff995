import { readFileSync } from "node:fs";
import path from "node:path";
import { expectClean, recoveredAndHeld, recovery, settle } from "../support/fault-figures";
import { waitFor } from "../support/infra";
import { LaunchedCluster } from "../support/launcher";
import { postBuildingsSteadily, type LoadResult } from "../support/load";

// `NATS_SERVERS=3 npm start` under a steady stream of creations: each NATS server killed with
// kill -9 in turn (the launcher starts it again), then one hung (SIGSTOP) for 20 s.
const RATE = 15;
/** Far more than a healthy cluster holds at 15/s: the stream itself caps nothing. */
const MAX_IN_FLIGHT = 200;
/** A kill fails at most the creations of about a second: those in flight on the nodes it cut off. */
const MOST_FAILED_PER_KILL = RATE;
/** After a kill, creations answer 201 again (30 in a row) within this long. */
const BACK_AFTER_KILL_MS = 5000;
/** After a hung server runs again, creations answer 201 again (30 in a row) within this long (the nodes on it meet the others again). */
const BACK_AFTER_HANG_MS = 15_000;

type Event = { what: string; at: number; until: number };

/** One of the launcher's nats-servers, as its pid file and command line say. */
function launchedServer(dataDir: string, index: number): { pid: number; port: number } {
	const filesDir = path.join(dataDir, "nats", String(index));
	const pid = Number(readFileSync(path.join(filesDir, "nats-server.pid"), "utf8"));
	const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
	return { pid, port: Number(args[args.indexOf("-p") + 1]) };
}

describe("a NATS cluster of three (NATS_SERVERS=3) under load", () => {
	const cluster = new LaunchedCluster("nats-failover");
	beforeAll(() => cluster.start({ NATS_SERVERS: "3" }), 120_000);
	afterAll(() => cluster.stop(), 90_000);

	it("spreads the nodes over the three servers and says which one each is on", async () => {
		expect(cluster.launcher.output).toMatch(
			/transporter: NATS (nats:\/\/127\.0\.0\.1:\d+,?){3} \(3 private nats-servers [\d.]+ routed as one cluster/,
		);
		const ready = (await (await fetch(`${cluster.api}/health/ready`)).json()) as { natsServers: Record<string, string> };
		expect(Object.keys(ready.natsServers).sort()).toEqual(["api-1", "workflows-1", "workflows-2", "workflows-3"]);
		for (const [nodeID, server] of Object.entries(ready.natsServers))
			expect(cluster.launcher.output).toContain(
				`node ${nodeID.padEnd(12)} ${nodeID === "api-1" ? "api,buildings" : "workflows"}  (on NATS ${server})`,
			);
	});

	it("loses no building and doubles no workflow when servers are killed or hang", async () => {
		const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
		const events: Event[] = [];
		let live: LoadResult | undefined;
		let done = false;
		// Ends once the last event is over and creations recovered and held after it.
		const load = postBuildingsSteadily(cluster.api, {
			total: RATE * 120,
			ratePerSecond: RATE,
			maxInFlight: MAX_IN_FLIGHT,
			until: result => ((live = result), done && recoveredAndHeld(result, events[events.length - 1].until)),
		});
		/** Until 30 × 201 in a row answer requests sent after `from`. */
		const recovered = (from: number) =>
			waitFor("creations to recover", () => live !== undefined && recovery(live.answers, from) !== undefined, 30_000);
		await recovered(Date.now());
		for (const index of [1, 2, 3]) {
			const server = launchedServer(cluster.dataDir, index);
			const at = Date.now();
			process.kill(server.pid, "SIGKILL");
			await cluster.launcher.waitForOutput(`nats-server on port ${server.port} restarted`, 15_000);
			expect(launchedServer(cluster.dataDir, index).pid).not.toBe(server.pid);
			events.push({ what: `kill -9 nats-${index}`, at, until: Date.now() });
			await recovered(at);
		}
		// The server the gateway is on, hung: the worst place for it.
		const { natsServers } = (await (await fetch(`${cluster.api}/health/ready`)).json()) as { natsServers: Record<string, string> };
		const hungIndex = [1, 2, 3].find(i => natsServers["api-1"].endsWith(`:${launchedServer(cluster.dataDir, i).port}`))!;
		const hung = launchedServer(cluster.dataDir, hungIndex).pid;
		const stoppedAt = Date.now();
		process.kill(hung, "SIGSTOP");
		await sleep(20_000);
		process.kill(hung, "SIGCONT");
		events.push({ what: `SIGSTOP nats-${hungIndex} for 20 s`, at: stoppedAt, until: Date.now() });
		done = true;
		const result = await load;

		const failed = result.answers.filter(a => a.status !== 201 && a.status !== 202);
		// A failure belongs to an event if its request was in flight then (a second's margin for the moves that follow).
		const during = (event: Event) => failed.filter(a => a.sentAt <= event.until + 1000 && a.answeredAt >= event.at);
		const figures = events.map(event => ({
			event: event.what,
			failed: during(event).length,
			back201AfterMs: recovery(result.answers, event.what.startsWith("kill") ? event.at : event.until),
		}));
		console.log(
			`NATS failover: ${JSON.stringify(result.statuses)} of ${result.sent} creations (${RATE}/s, ${MAX_IN_FLIGHT} in flight at most)\n` +
				figures.map(f => `  ${f.event.padEnd(22)} failed ${f.failed}, 201 again after ${f.back201AfterMs} ms`).join("\n"),
		);

		// Never lost: every request got an answer, and a failure is a 503 (the client may retry); see expectClean below.
		// Failures only around the events, at most the requests in flight at a kill.
		expect(failed.filter(a => !events.some(event => during(event).includes(a)))).toEqual([]);
		for (const f of figures.filter(f => f.event.startsWith("kill")))
			expect([f.event, f.failed <= MOST_FAILED_PER_KILL]).toEqual([f.event, true]);
		for (const f of figures) {
			const bound = f.event.startsWith("kill") ? BACK_AFTER_KILL_MS : BACK_AFTER_HANG_MS;
			expect([f.event, (f.back201AfterMs ?? Infinity) <= bound]).toEqual([f.event, true]);
		}

		// Every accepted building ends with exactly one workflow; none lost, doubled or orphaned.
		expectClean(await settle(cluster, "NATS cluster failover", result, events[events.length - 1].until, 45_000), ["201", "202", "503"]);
	}, 150_000);
});
