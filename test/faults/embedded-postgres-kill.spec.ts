import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LocalCluster } from "../../node/local-cluster";
import { expectClean, expectRecovered, settle } from "../support/fault-figures";
import { FaultStream, RATE } from "../support/fault-stream";
import { START, ScriptProcess, freePort, isRunning } from "../support/processes";

/** How soon after the kill creations must answer 201 again, 30 in a row (README, Faults and overload). */
const RECOVERY_BOUND_MS = 10_000;

// `npm start` on its default setup (a private nats-server, the embedded PostgreSQL reached over
// its Unix socket), and its database killed with kill -9 under a steady stream of creations: the
// launcher starts it again, the nodes' pools connect to it again, and nothing accepted is lost.
describe("kill -9 of the embedded PostgreSQL under `npm start`", () => {
	const workDir = mkdtempSync(path.join(tmpdir(), "postgres-kill-"));
	// Run as root, PostgreSQL runs as the "postgres" user, which must reach DATA_DIR.
	chmodSync(workDir, 0o755);
	const dataDir = path.join(workDir, "data");
	let launcher: ScriptProcess;
	let api = "";

	beforeAll(async () => {
		const port = await freePort();
		api = `http://127.0.0.1:${port}/api`;
		launcher = new ScriptProcess(START, [], { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: "warn" }, workDir);
		await launcher.waitForOutput("Cluster ready", 90_000);
	}, 120_000);
	afterAll(async () => {
		if (launcher?.child.exitCode === null) await launcher.stop("SIGKILL");
		rmSync(workDir, { recursive: true, force: true });
	}, 60_000);

	it("is started again, and creations answer 201 again within 10 s, sustained, with nothing lost, doubled or orphaned", async () => {
		expect(launcher.output).toMatch(/databases: +embedded PostgreSQL in data\/postgres, over its Unix socket/);
		expect(launcher.output).toMatch(/transporter: NATS nats:\/\/127\.0\.0\.1:\d+ \(private nats-server/);
		// Until 5 s of 201s after recovery: the sustained part.
		const stream = new FaultStream(api, "Kill Postgres", 40, 5 * RATE);
		await stream.warm();
		const postmaster = postmasterOf(dataDir);
		process.kill(postmaster, "SIGKILL");
		const killedAt = stream.faultEnded();
		await launcher.waitForOutput("The embedded PostgreSQL exited (signal SIGKILL); restarting in 0.5 s.", 5000);
		await launcher.waitForOutput("The embedded PostgreSQL restarted.", RECOVERY_BOUND_MS);
		console.log(`[fault] kill -9 of the embedded PostgreSQL: restarted ${Date.now() - killedAt} ms after the kill`);
		expect(postmasterOf(dataDir)).not.toBe(postmaster);
		expect(isRunning(postmaster)).toBe(false);

		const result = await stream.done;
		const figures = await settle(databasesOf(dataDir), "kill -9 of the embedded PostgreSQL", result, killedAt);
		// While it is down, a creation is refused (503, nothing saved), or saved and answered 202.
		expectClean(figures, ["201", "202", "503"]);
		expect(result.answers.filter(answer => answer.status === 503 && answer.retryAfter === undefined)).toEqual([]);
		// Sustained: 30 × 201 in a row within the bound, and from then on only 201, 5 s of them at least.
		expectRecovered(figures, RECOVERY_BOUND_MS);
		expect(result.answers.filter(answer => answer.answeredAt >= killedAt + figures.recoverMs!).length).toBeGreaterThanOrEqual(5 * RATE);
		// One line for the crash, one for the restart.
		expect(launcher.output.split("\n").filter(line => line.includes("The embedded PostgreSQL"))).toEqual([
			"The embedded PostgreSQL exited (signal SIGKILL); restarting in 0.5 s.",
			"The embedded PostgreSQL restarted.",
		]);
	}, 120_000);

	it("Ctrl-C then stops the restarted server with the rest: exit 0, no server left", async () => {
		const postmaster = postmasterOf(dataDir);
		launcher.interrupt();
		expect(await launcher.stop(undefined, 30_000)).toBe(0);
		expect(isRunning(postmaster)).toBe(false);
		expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
	}, 60_000);
});

/** The running postmaster of the data directory, from its pid file (checked against its command line). */
function postmasterOf(dataDir: string): number {
	const databaseDir = path.join(dataDir, "postgres");
	const pid = Number(readFileSync(path.join(databaseDir, "postmaster.pid"), "utf8").split("\n")[0]);
	const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
	if (!command[0].endsWith("/postgres") || command[command.indexOf("-D") + 1] !== databaseDir)
		throw new Error(`pid ${pid} is not the postmaster of ${databaseDir}: ${command.join(" ")}`);
	return pid;
}

/** The databases the launcher gave the nodes (over the socket), from DATA_DIR/cluster.json. */
function databasesOf(dataDir: string): { buildingsDb: string; workflowsDb: string } {
	const { env } = JSON.parse(readFileSync(path.join(dataDir, "cluster.json"), "utf8")) as LocalCluster;
	return { buildingsDb: env.BUILDINGS_DATABASE_URL, workflowsDb: env.WORKFLOWS_DATABASE_URL };
}
