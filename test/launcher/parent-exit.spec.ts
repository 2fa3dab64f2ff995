import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { waitFor } from "../support/infra";
import { ScriptProcess, freePort, isRunning, nodePidsOf, privateNatsOf } from "../support/processes";

// `npm start` killed with `kill -TERM <npm's pid>`: npm dies without passing the signal on, and
// the launcher, its child, must stop the whole cluster by itself: nodes, nats-server, PostgreSQL.
describe("the launcher under a parent process that dies", () => {
	const workDir = mkdtempSync(path.join(tmpdir(), "parent-exit-"));
	// Run as root, the embedded Postgres runs as "postgres", which must reach DATA_DIR.
	chmodSync(workDir, 0o755);
	const dataDir = path.join(workDir, "data");
	let parent: ScriptProcess;
	afterAll(async () => {
		// Should anything have outlived the parent, the process group they share still reaches it.
		const group = -parent.child.pid!;
		// Its running members (the parent, ended, may wait to be reaped).
		const running = () =>
			execFileSync("ps", ["-e", "-o", "pid=,pgid="], { encoding: "utf8" })
				.split("\n")
				.map(line => line.trim().split(/\s+/).map(Number))
				.filter(([pid, pgid]) => pgid === -group && isRunning(pid));
		if (running().length > 0) {
			process.kill(group, "SIGTERM");
			await waitFor("the launcher's process group to end", () => running().length === 0, 15_000).catch(() =>
				process.kill(group, "SIGKILL"),
			);
		}
		rmSync(workDir, { recursive: true, force: true });
	}, 30_000);

	it("stops every node, its nats-server and its PostgreSQL once the parent is gone", async () => {
		const port = await freePort();
		parent = new ScriptProcess("test/launcher/parent-process.ts", [], { PORT: String(port), DATA_DIR: dataDir }, workDir);
		await parent.waitForOutput("Cluster ready", 120_000);
		const launcherPid = Number(/launcher pid (\d+)/.exec(parent.output)![1]);
		const listed = [...parent.output.matchAll(/^ {2}node (\S+)/gm)].map(match => match[1]);
		const nodePids = nodePidsOf(launcherPid);
		expect(Object.keys(nodePids).sort()).toEqual(listed.sort());
		const nodes = Object.values(nodePids);
		const nats = privateNatsOf(parent.output).pid;
		const postgres = Number(readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
		expect(nodes.length).toBeGreaterThanOrEqual(4);
		const started = [launcherPid, ...nodes, nats, postgres];
		expect(started.filter(pid => !isRunning(pid))).toEqual([]);

		parent.child.kill("SIGTERM");
		await waitFor("the launcher and all it started to stop", () => started.every(pid => !isRunning(pid)), 60_000);
		expect(parent.output).toContain("Stopping the cluster (the process that started it has exited).");
		await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
	}, 200_000);
});
