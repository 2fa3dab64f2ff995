import { postBuildingsSteadily, type LoadResult } from "../support/load";
import { POSTGRES_URL, createDatabase, databaseUrl, dropDatabase, query, uniqueName, waitFor } from "../support/infra";
import { NatsServer, NodeProcess, freePort } from "../support/processes";
import { TcpProxy } from "../support/tcp-proxy";

// Each scenario runs the topology as separate processes (api, buildings, three workflows
// nodes) on a private nats-server, with both databases behind TCP proxies, sends a steady
// stream of POST /api/buildings through the gateway, breaks something in the middle, and then
// checks that every building has exactly one workflow.

interface Topology {
	nats: NatsServer;
	buildingsDb: TcpProxy;
	workflowsDb: TcpProxy;
	nodes: Record<string, NodeProcess>;
	apiUrl: string;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

const scenarios: [string, (t: Topology) => Promise<void>][] = [
	[
		"kill -9 a workflows node, then start it again",
		async t => {
			await t.nodes["workflows-2"].stop("SIGKILL");
			await sleep(2000);
			await t.nodes["workflows-2"].start();
		},
	],
	[
		"stop a workflows node with SIGTERM",
		async t => {
			expect(await t.nodes["workflows-2"].stop("SIGTERM")).toBe(0);
			await sleep(2000);
			await t.nodes["workflows-2"].start();
		},
	],
	["restart the NATS server", t => t.nats.restart(1500)],
	[
		"cut the workflows database off for 3 s",
		async t => {
			await t.workflowsDb.cut();
			await sleep(3000);
			await t.workflowsDb.restore();
		},
	],
	[
		"cut the buildings database off for 3 s",
		async t => {
			await t.buildingsDb.cut();
			await sleep(3000);
			await t.buildingsDb.restore();
		},
	],
];

describe.each(scenarios)("fault: %s", (_name, injectFault) => {
	const namespace = uniqueName("faults");
	const buildingsUrl = databaseUrl(`${namespace}_buildings`);
	const workflowsUrl = databaseUrl(`${namespace}_workflows`);
	let topology: Topology;

	beforeAll(async () => {
		await createDatabase(`${namespace}_buildings`);
		await createDatabase(`${namespace}_workflows`);
		const postgres = new URL(POSTGRES_URL);
		const nats = new NatsServer(await freePort());
		await nats.start();
		const buildingsDb = new TcpProxy(postgres.hostname, Number(postgres.port || 5432));
		const workflowsDb = new TcpProxy(postgres.hostname, Number(postgres.port || 5432));
		const throughProxy = (url: string, proxy: TcpProxy) => url.replace(/@[^/]+\//, `@127.0.0.1:${proxy.port}/`);
		await buildingsDb.start();
		await workflowsDb.start();
		const port = await freePort();
		const env = {
			NAMESPACE: namespace,
			TRANSPORTER: nats.url,
			BUILDINGS_DATABASE_URL: throughProxy(buildingsUrl, buildingsDb),
			WORKFLOWS_DATABASE_URL: throughProxy(workflowsUrl, workflowsDb),
			PORT: String(port),
			HOST: "127.0.0.1",
			// The gateway logs every 5xx with its stack; the expected 503s would bury the figures.
			LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? "fatal",
			OUTBOX_MAX_BACKOFF: "2000",
		};
		const nodes: Record<string, NodeProcess> = {
			"buildings-1": new NodeProcess("buildings-1", { ...env, SERVICES: "buildings" }),
			"workflows-1": new NodeProcess("workflows-1", { ...env, SERVICES: "workflows" }),
			"workflows-2": new NodeProcess("workflows-2", { ...env, SERVICES: "workflows" }),
			"workflows-3": new NodeProcess("workflows-3", { ...env, SERVICES: "workflows" }),
			"api-1": new NodeProcess("api-1", { ...env, SERVICES: "api" }),
		};
		topology = { nats, buildingsDb, workflowsDb, nodes, apiUrl: `http://127.0.0.1:${port}/api` };
		await Promise.all(Object.values(nodes).map(node => node.start()));
		await waitFor("the cluster to be ready", async () => (await fetch(`${topology.apiUrl}/health/ready`)).ok, 30_000);
	}, 120_000);

	afterAll(async () => {
		if (topology) {
			await Promise.all(Object.values(topology.nodes).map(node => node.stop("SIGKILL")));
			await topology.nats.stop();
			await topology.buildingsDb.stop();
			await topology.workflowsDb.stop();
		}
		await dropDatabase(`${namespace}_buildings`);
		await dropDatabase(`${namespace}_workflows`);
	});

	it("loses no workflow and doubles none", async () => {
		const load = postBuildingsSteadily(topology.apiUrl, { total: 300, ratePerSecond: 40, maxInFlight: 16 });
		await sleep(2000);
		await injectFault(topology);
		const result = await load;

		const drainStarted = Date.now();
		await waitFor(
			"the outbox to drain",
			async () => (await query<{ n: string }>(buildingsUrl, "SELECT count(*) AS n FROM outbox"))[0].n === "0",
			60_000,
		);
		const drainMs = Date.now() - drainStarted;

		const buildings = await query<{ id: number }>(buildingsUrl, "SELECT id FROM buildings");
		const workflows = await query<{ buildingId: number }>(workflowsUrl, 'SELECT "buildingId" FROM workflows');
		const perBuilding = new Map<number, number>();
		for (const w of workflows) perBuilding.set(w.buildingId, (perBuilding.get(w.buildingId) ?? 0) + 1);
		const stored = new Set(buildings.map(b => b.id));
		const figures = {
			sent: result.sent,
			"201": result.statuses[201] ?? 0,
			"202": result.statuses[202] ?? 0,
			"503": result.statuses[503] ?? 0,
			other: otherStatuses(result),
			buildings: buildings.length,
			lost: result.accepted.filter(id => !perBuilding.has(id)).length + buildings.filter(b => !perBuilding.has(b.id)).length,
			duplicates: [...perBuilding.values()].filter(n => n > 1).length,
			orphans: workflows.filter(w => !stored.has(w.buildingId)).length,
			drainMs,
		};
		process.stdout.write(`\n[faults] ${_name}: ${JSON.stringify(figures)}\n`);

		expect(result.sent).toBe(300);
		expect(figures.other).toEqual({});
		expect(figures["201"] + figures["202"]).toBeGreaterThan(0);
		for (const id of result.accepted) expect(stored.has(id)).toBe(true);
		expect(figures.lost).toBe(0);
		expect(figures.duplicates).toBe(0);
		expect(figures.orphans).toBe(0);
	}, 120_000);
});

/** Answers other than 201, 202 and the documented 503 (0 means no answer at all). */
function otherStatuses(result: LoadResult): Record<number, number> {
	return Object.fromEntries(Object.entries(result.statuses).filter(([status]) => !["201", "202", "503"].includes(status)));
}
