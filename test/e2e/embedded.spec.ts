import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "pg";
import type { Building, BuildingWithWorkflow, Page } from "../../types";
import { http } from "../support/http";
import { waitFor } from "../support/infra";
import { postBuildingsSteadily } from "../support/load";
import type { LocalCluster } from "../../node/local-cluster";
import { isReachable } from "../../node/ports";
import { START, ScriptProcess, freePort, isRunning, nodePidsOf, privateNatsOf } from "../support/processes";

// `npm start` with nothing given: no TRANSPORTER, no database URLs, no .env. The cluster runs on
// a private nats-server (from PATH) and an embedded PostgreSQL, their files in DATA_DIR.
describe("the zero-infrastructure default", () => {
	const workDir = mkdtempSync(path.join(tmpdir(), "embedded-"));
	// Run as root, Postgres runs as the "postgres" user, which must reach the data directory.
	chmodSync(workDir, 0o755);
	const dataDir = path.join(workDir, "data");
	let port = 0;
	let api = "";
	let launcher: ScriptProcess;
	const start = async () => {
		launcher = new ScriptProcess(START, [], { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: "warn" }, workDir);
		await launcher.waitForOutput("Cluster ready");
	};

	beforeAll(async () => {
		port = await freePort();
		api = `http://127.0.0.1:${port}/api`;
		await start();
	}, 120_000);
	afterAll(async () => {
		await launcher?.stop("SIGINT");
		rmSync(workDir, { recursive: true, force: true });
	}, 60_000);

	it("says what it chose and why", () => {
		expect(launcher.output).toContain(`Cluster ready: http://localhost:${port}/api`);
		expect(launcher.output).toMatch(
			/transporter: NATS nats:\/\/127\.0\.0\.1:\d+ \(private nats-server [\d.]+, pid \d+, files in data\/nats; queue groups pick the node\)/,
		);
		expect(launcher.output).toMatch(
			/databases: +embedded PostgreSQL in data\/postgres, over its Unix socket in data\/postgres-socket \(also on 127\.0\.0\.1:\d+\): .*no database URLs given/,
		);
		for (const node of ["api-1", "workflows-1", "workflows-2", "workflows-3"])
			expect(launcher.output).toMatch(new RegExp(`node ${node}\\s`));
	});

	it("answers POST /api/buildings with 201 and spreads workflows over the three nodes", async () => {
		const handledBy = new Set<string>();
		for (let i = 0; i < 30; i++) {
			const res = await http<BuildingWithWorkflow>("POST", `${api}/buildings`, { name: `Embedded ${i}` });
			expect(res.status).toBe(201);
			handledBy.add(res.body.workflow!.handledBy);
		}
		expect([...handledBy].sort()).toEqual(["workflows-1", "workflows-2", "workflows-3"]);
	});

	it("the nodes reach the database over its Unix socket in DATA_DIR, open to the server's user alone", async () => {
		const socketDir = path.join(dataDir, "postgres-socket");
		const { buildings, workflows, socket } = nodesDatabases(dataDir);
		expect(buildings).toBe(`postgres://postgres@localhost:${socket.port}/buildings?host=${socketDir}`);
		expect(workflows).toBe(`postgres://postgres@localhost:${socket.port}/workflows?host=${socketDir}`);
		expect(statSync(socket.file).isSocket()).toBe(true);
		expect(statSync(socketDir).mode & 0o777).toBe(0o700);

		expect((await http("POST", `${api}/buildings`, { name: "Over the socket" })).status).toBe(201);
		// A client on a Unix socket has no address; the nodes' connections, just used, all are.
		const client = new Client({ connectionString: buildings });
		await client.connect();
		try {
			const { rows } = await client.query<{ overSocket: boolean }>(
				`SELECT client_addr IS NULL AS "overSocket" FROM pg_stat_activity WHERE datname IN ('buildings', 'workflows') AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
			);
			expect(rows.length).toBeGreaterThan(0);
			expect(rows.filter(row => !row.overSocket)).toEqual([]);
		} finally {
			await client.end();
		}
	});

	it("the REPL joins it: a call and the operator commands work", async () => {
		const repl = new ScriptProcess("cluster/repl.ts", [], { DATA_DIR: dataDir }, workDir);
		const workflowsBefore = (await http<Page<unknown>>("GET", `${api}/workflows?pageSize=1`)).body.total;
		const buildingsBefore = (await http<Page<unknown>>("GET", `${api}/buildings?pageSize=1`)).body.total;
		try {
			await repl.waitForOutput("mol $", 60_000);
			// Wait until the REPL node has discovered the others.
			await waitUntil(async () => {
				repl.write("nodes");
				await sleep(1000);
				return /workflows-3/.test(repl.output) && /api-1/.test(repl.output);
			}, 30_000);
			repl.write("services");
			await repl.waitForOutput(/buildings\s*│.*\n?.*workflows/s, 15_000);
			repl.write("actions");
			await repl.waitForOutput(/buildings\.create/, 15_000);
			expect(repl.output).toMatch(/workflows\.countByNode/);
			repl.write('call buildings.create --name "From the REPL"');
			await repl.waitForOutput(/name: .*From the REPL/, 15_000);
			repl.write("workflows-per-node");
			await repl.waitForOutput(new RegExp(`Total\\s*│\\s*${workflowsBefore + 1}\\b`), 15_000);
			for (const node of ["workflows-1", "workflows-2", "workflows-3"]) expect(repl.output).toMatch(new RegExp(`${node}\\s*│\\s*\\d+`));
			repl.write("latest-buildings -n 2");
			await repl.waitForOutput(`${Math.min(2, buildingsBefore + 1)} of ${buildingsBefore + 1} buildings.`, 15_000);
			expect(repl.output).toMatch(/From the REPL\s*│\s*created/);
			repl.write("quit");
			expect(await repl.stop(undefined, 20_000)).toBe(0);
		} finally {
			if (repl.child.exitCode === null) await repl.stop("SIGKILL");
		}
	}, 120_000);

	it("a workflows node joins and leaves under a steady stream with no failed request", async () => {
		const load = postBuildingsSteadily(api, { total: 700, ratePerSecond: 35, maxInFlight: 8 });
		await sleep(1000);
		const extra = new ScriptProcess(
			"node/main.ts",
			["workflows"],
			{ DATA_DIR: dataDir, NODE_ID: "workflows-extra", LOG_LEVEL: "warn" },
			workDir,
		);
		try {
			// Joined once it takes requests.
			await waitUntil(async () => (await countByNode(api))["workflows-extra"] > 0, 45_000);
			expect(await extra.stop("SIGTERM")).toBe(0);
		} finally {
			if (extra.child.exitCode === null) await extra.stop("SIGKILL");
		}
		const result = await load;
		expect(result.statuses).toEqual({ 201: 700 });
	}, 120_000);

	it("stops on Ctrl-C with exit 0, NATS and the database last, and a second start still has the data", async () => {
		const nats = privateNatsOf(launcher.output);
		const socket = nodesDatabases(dataDir).socket;
		const before = launcher.output.length;
		launcher.interrupt();
		expect(await launcher.stop()).toBe(0);
		expect(existsSync(socket.file)).toBe(false);
		// The nodes finished before NATS and the database went: none of them saw either go.
		expect(launcher.output.slice(before)).not.toMatch(/shutting down|ECONNREFUSED|DATABASE_UNAVAILABLE| WARN | ERROR /);
		await expect(fetch(`${api}/health`)).rejects.toThrow();
		expect(await isReachable("127.0.0.1", nats.port)).toBe(false);
		expect(isRunning(nats.pid)).toBe(false);
		await start();
		const page = await http<Page<Building>>("GET", `${api}/buildings?search=From%20the%20REPL`);
		expect(page.body.total).toBe(1);
		// Over the socket again, on the new server's port.
		expect(statSync(nodesDatabases(dataDir).socket.file).isSocket()).toBe(true);
		expect((await http<Page<Building>>("GET", `${api}/buildings?search=Over%20the%20socket`)).body.total).toBe(1);
		expect((await http("POST", `${api}/buildings`, { name: "After the restart" })).status).toBe(201);
	}, 120_000);

	it("recovers after the launcher is killed with kill -9, stopping the nats-server it left behind", async () => {
		const before = (await http<Page<Building>>("GET", `${api}/buildings?pageSize=1`)).body.total;
		expect(before).toBeGreaterThan(0);
		const leftBehind = privateNatsOf(launcher.output);
		const nodes = Object.values(nodePidsOf(launcher.child.pid!));
		expect(nodes.length).toBeGreaterThan(0);
		launcher.child.kill("SIGKILL");
		await launcher.stop();
		expect(isRunning(leftBehind.pid)).toBe(true);
		// The nodes see their launcher gone and leave by themselves, freeing the gateway's port.
		await waitFor("the nodes to leave", () => nodes.every(pid => !isRunning(pid)), 15_000);
		await start();
		expect(isRunning(leftBehind.pid)).toBe(false);
		expect(privateNatsOf(launcher.output).pid).not.toBe(leftBehind.pid);
		expect((await http<Page<Building>>("GET", `${api}/buildings?pageSize=1`)).body.total).toBe(before);
	}, 120_000);

	describe("clear one-line errors", () => {
		const failFast = async (env: Record<string, string>, message: RegExp) => {
			const run = new ScriptProcess(START, [], { DATA_DIR: path.join(workDir, "unused"), ...env }, workDir);
			expect(await run.stop(undefined, 30_000)).toBe(1);
			expect(run.output).toMatch(message);
			expect(run.output).not.toMatch(/\n\s+at /); // no stack trace
		};

		it("for a port in use", async () => {
			const blocker: Server = await new Promise(resolve => {
				const server = createServer().listen(0, "0.0.0.0", () => resolve(server));
			});
			const busy = (blocker.address() as { port: number }).port;
			try {
				await failFast({ PORT: String(busy) }, new RegExp(`Port ${busy} is in use: stop what uses it, or set PORT`));
			} finally {
				blocker.close();
			}
		});

		it("for an unreachable NATS", async () => {
			const closed = await freePort();
			await failFast(
				{ PORT: String(await freePort()), TRANSPORTER: `nats://127.0.0.1:${closed}` },
				new RegExp(`Cannot reach NATS at 127.0.0.1:${closed}: start it, or unset TRANSPORTER`),
			);
		});

		it("for an unreachable database", async () => {
			const closed = await freePort();
			await failFast(
				{
					PORT: String(await freePort()),
					BUILDINGS_DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/b`,
					WORKFLOWS_DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/w`,
				},
				new RegExp(`Cannot reach Postgres at 127.0.0.1:${closed}`),
			);
		});
	});
});

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check().catch(() => false))) {
		if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
		await sleep(250);
	}
}

/** The database URLs the launcher gave the nodes (from DATA_DIR/cluster.json), and the socket they name. */
function nodesDatabases(dataDir: string): { buildings: string; workflows: string; socket: { port: number; file: string } } {
	const { env } = JSON.parse(readFileSync(path.join(dataDir, "cluster.json"), "utf8")) as LocalCluster;
	const url = new URL(env.BUILDINGS_DATABASE_URL);
	const socket = { port: Number(url.port), file: path.join(url.searchParams.get("host") ?? "", `.s.PGSQL.${url.port}`) };
	return { buildings: env.BUILDINGS_DATABASE_URL, workflows: env.WORKFLOWS_DATABASE_URL, socket };
}

/** Workflows per node, read through the API. */
async function countByNode(api: string): Promise<Record<string, number>> {
	const counts: Record<string, number> = {};
	const first = await http<Page<{ handledBy: string }>>("GET", `${api}/workflows?pageSize=100&sort=-id`);
	for (const w of first.body.rows) counts[w.handledBy] = (counts[w.handledBy] ?? 0) + 1;
	return counts;
}
