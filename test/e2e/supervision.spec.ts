import { isReachable } from "../../node/ports";
import { postBuildingsSteadily } from "../support/load";
import { query, waitFor } from "../support/infra";
import { expectClean, settle } from "../support/fault-figures";
import { LaunchedCluster } from "../support/launcher";
import { ScriptProcess, isRunning, nodePidsOf, privateNatsOf } from "../support/processes";

// `npm start` as users run it (no TRANSPORTER: its private nats-server; the tests' Postgres),
// its workflows nodes killed one after the other under a steady stream of creations.
describe("the launcher keeps the cluster serving", () => {
	const cluster = new LaunchedCluster("supervision");
	const { workDir, dataDir } = cluster;
	beforeAll(() => cluster.start(), 120_000);
	afterAll(() => cluster.stop(), 60_000);

	it("starts quietly on its private nats-server, and says what each migration run did", () => {
		const startUp = cluster.launcher.output.slice(0, cluster.launcher.output.indexOf("Cluster ready"));
		expect(startUp).not.toMatch(/ (WARN|ERROR) /);
		expect(startUp).not.toMatch(/reconnected/);
		expect(cluster.launcher.output).toMatch(
			/transporter: NATS nats:\/\/127\.0\.0\.1:\d+ \(private nats-server [\d.]+, pid \d+, files in data\/nats; queue groups pick the node\)/,
		);
		// Fresh databases: one node of each service applies the migrations, the others find them done.
		expect(startUp.match(/BUILDINGS: Database "buildings" ready: applied \d+ migration\(s\)\./g)).toHaveLength(1);
		expect(startUp.match(/WORKFLOWS: Database "workflows" ready: applied \d+ migration\(s\)\./g)).toHaveLength(1);
		expect(startUp.match(/WORKFLOWS: Database "workflows" ready: schema up to date \(\d+ migrations\)\./g)).toHaveLength(2);
	});

	it("restarts each workflows node killed with kill -9 while every creation is accepted and readiness stays 200", async () => {
		const readiness = pollReadiness(`${cluster.api}/health/ready`);
		const load = postBuildingsSteadily(cluster.api, { total: 700, ratePerSecond: 20, maxInFlight: 8 });
		const backAfterMs: Record<string, number> = {};
		for (const nodeID of ["workflows-1", "workflows-2", "workflows-3"]) {
			await sleep(2000);
			const pid = nodePidsOf(cluster.launcher.child.pid!)[nodeID];
			expect(pid).toBeGreaterThan(0);
			const killedAt = Date.now();
			process.kill(pid, "SIGKILL");
			await cluster.launcher.waitForOutput(`Node ${nodeID} exited (signal SIGKILL); restarting in 0.5 s.`, 10_000);
			await cluster.launcher.waitForOutput(`Node ${nodeID} restarted.`, 30_000);
			const restartedAt = new Date();
			expect(nodePidsOf(cluster.launcher.child.pid!)[nodeID]).not.toBe(pid);
			await waitFor(
				`${nodeID} to create workflows again`,
				async () =>
					(
						await query(cluster.workflowsDb, 'SELECT 1 FROM workflows WHERE "handledBy" = $1 AND "createdAt" > $2 LIMIT 1', [
							nodeID,
							restartedAt,
						])
					).length > 0,
				30_000,
			);
			backAfterMs[nodeID] = Date.now() - killedAt;
		}
		const result = await load;
		const readyStatuses = await readiness.stop();
		console.log(
			`Creations: ${JSON.stringify(result.statuses)} of ${result.sent}; /health/ready: ${JSON.stringify(readyStatuses)}; back to creating workflows after the kill (ms): ${JSON.stringify(backAfterMs)}`,
		);

		expect(result.accepted).toHaveLength(result.sent);
		expect(Object.keys(readyStatuses)).toEqual(["200"]);
		// Once the pending ones are done, every accepted building has exactly one workflow.
		expectClean(await settle(cluster, "kill -9 of each workflows node", result, Date.now(), 30_000), ["201", "202"]);
	}, 180_000);

	it("the REPL answers commands piped in right after it starts, and exits 0 on quit and at the end of its input", async () => {
		const repl = new ScriptProcess("cluster/repl.ts", [], { DATA_DIR: dataDir }, workDir);
		repl.write('call buildings.create --name "Piped into the REPL"');
		repl.write("quit");
		expect(await repl.stop(undefined, 30_000)).toBe(0);
		expect(repl.output).toMatch(/Joined the local cluster of `npm start`/);
		expect(repl.output).toMatch(/name: .*Piped into the REPL/);
		expect(repl.output).toMatch(/workflowStatus: .*created/);

		// No quit: the end of the input ends it, once the commands before have run.
		const eof = new ScriptProcess("cluster/repl.ts", [], { DATA_DIR: dataDir }, workDir);
		eof.write('call buildings.list --search "Piped into the REPL"');
		eof.child.stdin!.end();
		expect(await eof.stop(undefined, 30_000)).toBe(0);
		expect(eof.output).toMatch(/total: .*1/);
	}, 90_000);

	it("stops on Ctrl-C with exit 0, without a warning, and stops its nats-server too", async () => {
		const nats = privateNatsOf(cluster.launcher.output);
		const before = cluster.launcher.output.length;
		cluster.launcher.interrupt();
		expect(await cluster.launcher.stop(undefined, 60_000)).toBe(0);
		expect(cluster.launcher.output.slice(before)).not.toMatch(/ (WARN|ERROR) /);
		expect(cluster.launcher.output.slice(before)).toMatch(/Stopping the cluster \(SIGINT\)\./);
		await expect(fetch(`${cluster.api}/health`)).rejects.toThrow();
		expect(await isReachable("127.0.0.1", nats.port)).toBe(false);
		expect(isRunning(nats.pid)).toBe(false);
	}, 90_000);
});

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Polls a URL every 200 ms until stopped; returns how many answers had each status (0: none). */
function pollReadiness(url: string): { stop(): Promise<Record<string, number>> } {
	const statuses: Record<string, number> = {};
	let polling = true;
	const loop = (async () => {
		while (polling) {
			const status = await fetch(url, { signal: AbortSignal.timeout(5000) }).then(
				res => res.arrayBuffer().then(() => res.status),
				() => 0,
			);
			statuses[status] = (statuses[status] ?? 0) + 1;
			await sleep(200);
		}
	})();
	return {
		async stop() {
			polling = false;
			await loop;
			return statuses;
		},
	};
}
