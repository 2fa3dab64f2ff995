import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import type { BuildingWithWorkflow } from "../../types";
import { http } from "../support/http";
import { LaunchedCluster } from "../support/launcher";
import { ScriptProcess } from "../support/processes";

// `npm start` on a machine without nats-server: Moleculer's TCP transporter on loopback.
describe("without nats-server", () => {
	const cluster = new LaunchedCluster("tcp-fallback");
	const { workDir, dataDir } = cluster;
	// A PATH with node on it and no nats-server, in it or in an sbin folder beside it.
	const binDir = path.join(workDir, "bin");
	mkdirSync(binDir);
	symlinkSync(process.execPath, path.join(binDir, "node"));
	const withoutNats = { PATH: binDir, NATS_SERVER_BIN: undefined, BUILDINGS_IN_GATEWAY: "false" };
	beforeAll(() => cluster.start(withoutNats), 120_000);
	afterAll(() => cluster.stop(), 60_000);

	it("says so in one line with how to install nats-server, and runs on TCP", () => {
		const output = cluster.launcher.output;
		// The summary names the transporter and why; any other line about nats-server is this one.
		const aboutNats = output.split("\n").filter(line => /nats-server/.test(line) && !line.startsWith("  transporter:"));
		expect(aboutNats).toHaveLength(1);
		expect(aboutNats[0]).toMatch(
			/^No nats-server found \(NATS_SERVER_BIN unset, none on PATH or in the sbin folders beside it\): the cluster runs on Moleculer's TCP transporter on 127\.0\.0\.1 instead\./,
		);
		for (const hint of ["apt-get install nats-server", "brew install nats-server", "https://github.com/nats-io/nats-server/releases"])
			expect(aboutNats[0]).toContain(hint);
		expect(output).toMatch(
			/transporter: Moleculer TCP on 127\.0\.0\.1, static node list \(no nats-server found; Moleculer balances the calls\)/,
		);
	});

	it("starts without a warning, and calls each node's first contact connected", () => {
		const startUp = cluster.launcher.output.slice(0, cluster.launcher.output.indexOf("Cluster ready"));
		expect(startUp).not.toMatch(/ (WARN|ERROR) /);
		expect(startUp).not.toMatch(/reconnected/);
		expect(startUp).toMatch(/api-1\/REGISTRY: Node 'workflows-1' connected\./);
	});

	it("creates a building with 201", async () => {
		const res = await http<BuildingWithWorkflow>("POST", `${cluster.api}/buildings`, { name: "Over TCP" });
		expect(res.status).toBe(201);
		expect(res.body.workflow).toMatchObject({ buildingId: res.body.id });
	});

	it("a workflows node that joins takes creations within a few seconds of starting", async () => {
		const joined = new ScriptProcess(
			"node/main.ts",
			["workflows"],
			{ ...withoutNats, LOG_LEVEL: "info", DATA_DIR: dataDir, NODE_ID: "workflows-joined" },
			workDir,
		);
		try {
			await joined.waitForOutput(/ServiceBroker with \d+ service\(s\) started successfully/, 60_000);
			const startedAt = Date.now();
			let handledBy = "";
			while (handledBy !== "workflows-joined" && Date.now() - startedAt < 15_000) {
				handledBy =
					(await http<BuildingWithWorkflow>("POST", `${cluster.api}/buildings`, { name: "Joining" })).body.workflow?.handledBy ?? "";
				await new Promise(resolve => setTimeout(resolve, 50));
			}
			const tookMs = Date.now() - startedAt;
			console.log(`The joined node took its first creation ${tookMs} ms after its broker started.`);
			expect(handledBy).toBe("workflows-joined");
			expect(tookMs).toBeLessThan(5000);
			expect(await joined.stop("SIGTERM")).toBe(0);
		} finally {
			if (joined.child.exitCode === null) await joined.stop("SIGKILL");
		}
	}, 90_000);

	it("stops on Ctrl-C with exit 0", async () => {
		cluster.launcher.interrupt();
		expect(await cluster.launcher.stop(undefined, 60_000)).toBe(0);
	}, 90_000);
});
