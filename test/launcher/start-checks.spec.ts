import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runningLocalCluster } from "../../node/local-cluster";
import { LaunchedCluster } from "../support/launcher";
import { ScriptProcess } from "../support/processes";

// `npm start` with API_KEYS set becomes ready (its own readiness check carries a key), and a
// second start in the same DATA_DIR while it runs says it is this folder's cluster and how to stop it.
describe("the launcher's start checks", () => {
	const cluster = new LaunchedCluster("start-checks");
	beforeAll(() => cluster.start({ API_KEYS: "s3cret,other" }), 120_000);
	afterAll(() => cluster.stop(), 60_000);

	it("becomes ready with API_KEYS set, and the gateway still wants a key", async () => {
		expect(cluster.launcher.output).toContain("Cluster ready");
		expect((await fetch(`${cluster.api}/health/ready`)).status).toBe(401);
		expect((await fetch(`${cluster.api}/health/ready`, { headers: { Authorization: "Bearer s3cret" } })).status).toBe(200);
	});

	it("a second start while it runs names its launcher and how to stop it, and leaves it running", async () => {
		const port = new URL(cluster.api).port;
		const again = new ScriptProcess("cluster/start.ts", [], { PORT: port, DATA_DIR: cluster.dataDir }, cluster.workDir);
		expect(await again.stop(undefined, 30_000)).toBe(1);
		const pid = cluster.launcher.child.pid!;
		expect(again.output).toContain(
			`Could not start the cluster: The cluster of this DATA_DIR is still running: its launcher, pid ${pid} (recorded in ${path.join(cluster.dataDir, "cluster.json")}) and holds port ${port}. Stop it with Ctrl-C where it runs, or \`kill ${pid}\``,
		);
		expect(again.output).not.toContain("is in use");
		// Its record is left alone, and it serves on.
		expect(existsSync(path.join(cluster.dataDir, "cluster.json"))).toBe(true);
		expect((await fetch(`${cluster.api}/health`)).status).toBe(200);
	}, 60_000);

	it("takes a record whose pid now belongs to another process for a cluster that is gone", () => {
		expect(runningLocalCluster(cluster.dataDir)?.pid).toBe(cluster.launcher.child.pid);
		const stale = mkdtempSync(path.join(tmpdir(), "stale-cluster-"));
		try {
			// This test's own process: alive, but no launcher.
			writeFileSync(path.join(stale, "cluster.json"), JSON.stringify({ pid: process.pid, env: {} }));
			expect(runningLocalCluster(stale)).toBeUndefined();
		} finally {
			rmSync(stale, { recursive: true, force: true });
		}
	});
});
