import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { waitFor } from "../support/infra";
import { ScriptProcess, freePort, isRunning, nodePidsOf, privateNatsOf } from "../support/processes";

/** The running processes of a process group (a parent that has ended may wait to be reaped). */
function runningInGroup(group: number): number[] {
	return execFileSync("ps", ["-e", "-o", "pid=,pgid="], { encoding: "utf8" })
		.split("\n")
		.map(line => line.trim().split(/\s+/).map(Number))
		.filter(([pid, pgid]) => pgid === group && isRunning(pid))
		.map(([pid]) => pid);
}

// `npm start`'s npm killed (`kill -TERM` or `kill -9` of its pid): npm passes no signal on to the
// launcher, which must stop the whole cluster by itself: nodes, nats-server, PostgreSQL. npm runs
// it through `sh -c`, which outlives a killed npm: that case runs too.
describe("the launcher under a parent process that dies", () => {
	const workDir = mkdtempSync(path.join(tmpdir(), "parent-exit-"));
	// Run as root, the embedded Postgres runs as "postgres", which must reach DATA_DIR.
	chmodSync(workDir, 0o755);
	const dataDir = path.join(workDir, "data");
	const groups: number[] = [];
	afterAll(async () => {
		// Should anything have outlived its parent, the process group they share still reaches it.
		for (const group of groups.filter(group => runningInGroup(group).length > 0)) {
			process.kill(-group, "SIGTERM");
			await waitFor("the launcher's process group to end", () => runningInGroup(group).length === 0, 15_000).catch(() =>
				process.kill(-group, "SIGKILL"),
			);
		}
		rmSync(workDir, { recursive: true, force: true });
	}, 60_000);

	for (const { how, signal, args } of [
		{ how: "its parent", signal: "SIGTERM" as const, args: [] },
		{ how: "the parent of the shell it runs in, killed with SIGKILL", signal: "SIGKILL" as const, args: ["--shell"] },
	]) {
		it(`stops every node, its nats-server and its PostgreSQL once ${how} is gone`, async () => {
			const port = await freePort();
			const parent = new ScriptProcess("test/launcher/parent-process.ts", args, { PORT: String(port), DATA_DIR: dataDir }, workDir);
			groups.push(parent.child.pid!);
			await parent.waitForOutput("Cluster ready", 120_000);
			const [, started, childPid] = /(launcher|shell) pid (\d+)/.exec(parent.output)!;
			const launcherPid =
				started === "launcher"
					? Number(childPid)
					: Number(execFileSync("ps", ["-o", "pid=", "--ppid", childPid], { encoding: "utf8" }).trim());
			const listed = [...parent.output.matchAll(/^ {2}node (\S+)/gm)].map(match => match[1]);
			const nodePids = nodePidsOf(launcherPid);
			expect(Object.keys(nodePids).sort()).toEqual(listed.sort());
			expect(listed.length).toBeGreaterThanOrEqual(4);
			const nats = privateNatsOf(parent.output).pid;
			const postgres = Number(readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
			const processes = [launcherPid, ...Object.values(nodePids), nats, postgres];
			expect(processes.filter(pid => !isRunning(pid))).toEqual([]);

			parent.child.kill(signal);
			await waitFor("the launcher and all it started to stop", () => processes.every(pid => !isRunning(pid)), 60_000);
			expect(parent.output).toContain("Stopping the cluster (the process that started it has exited).");
			await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
		}, 200_000);
	}
});
