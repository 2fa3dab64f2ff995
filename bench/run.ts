/**
 * `npm run bench`: measures the cluster as shipped (every safety feature on) beside the raw
 * parts under it, in one run. Starts its own clusters through the `npm start` launcher: on the
 * transporter and Postgres given by the usual variables, else on the launcher's defaults (a
 * private nats-server, an embedded Postgres); the full run adds one on Moleculer's TCP
 * transporter. Loopback only; stops everything it started.
 * `npm run bench -- --quick` is a short smoke run, `-- --help` the usage. Results:
 * bench/results/<time>.json and .md.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../node/ports";
import { NatsServer } from "../cluster/nats-server";
import { isBuildingAsked, isBuildingAskedWithWorkflow, isCreatedWithWorkflow } from "./answers";
import { memoryOf, startBenchCluster, type BenchCluster } from "./cluster";
import { buildingIds, emptyDatabases, seedBuildingsWithWorkflows, settledWorkflowsPerNode, sql } from "./database";
import { ratiosAndGoals } from "./goals";
import { load, type LoadFigures } from "./load";
import { connectNats, withoutCredentials } from "./nats";
import { LARGE_TABLE, LARGE_TABLE_ROWS, POOL_SIZE, SCENARIO, YARDSTICK } from "./names";
import { report } from "./report";
import { benchOptions } from "./usage";
import type { Results } from "./results";
import { leanRead, natsRequestReply, rawHttp, rawInsert, readPipeline, type ReadLoad } from "./yardsticks";

const options = benchOptions(process.argv.slice(2));
if ("usage" in options) {
	(options.exitCode === 0 ? console.log : console.error)(options.usage);
	process.exit(options.exitCode);
}
const { quick } = options;
const seconds = quick ? 2 : 8;
const warmupSeconds = quick ? 1 : 3;

const post = (apiUrl: string, connections: number, durationSeconds = seconds) =>
	load({
		url: `${apiUrl}/buildings`,
		connections,
		durationSeconds,
		method: "POST",
		body: JSON.stringify({ name: "Bench" }),
		isRightAnswer: isCreatedWithWorkflow,
	});

/** Random pages among the first `pages` of 20 rows. */
const pagedList = (cluster: BenchCluster, pages: number): Promise<LoadFigures> =>
	load({
		url: `${cluster.apiUrl}/buildings`,
		connections: 50,
		durationSeconds: seconds,
		path: () => `/api/buildings?page=${1 + Math.floor(Math.random() * pages)}&pageSize=20`,
	});

/** Records one load under `name`, with the transporter its cluster ran on. */
async function measure(results: Results, cluster: BenchCluster, name: string, run: () => Promise<LoadFigures>): Promise<void> {
	results.scenarios[name] = { ...(await run()), transporter: withoutCredentials(cluster.transporter) };
}

async function main(): Promise<void> {
	const workDir = mkdtempSync(path.join(tmpdir(), "bench-"));
	chmodSync(workDir, 0o755); // run as root, the embedded Postgres runs as "postgres"
	const results: Results = {
		quick,
		versions: { node: process.version, postgres: "", nats: "" },
		scenarios: {},
		yardsticks: {},
		ratios: {},
		goals: {},
		workflowsPerNode: {},
		memoryMb: {},
	};
	let privateNats: NatsServer | undefined;
	const clusters: BenchCluster[] = [];
	const step = (text: string) => console.log(`[bench] ${text}`);
	const started = Date.now();

	try {
		step(`starting the cluster (3 workflows nodes)${quick ? ", quick mode" : ""}`);
		const cluster = await startBenchCluster({ workflowsNodes: 3, dataDir: path.join(workDir, "three"), env: {} });
		clusters.push(cluster);
		const { BUILDINGS_DATABASE_URL: buildingsDb, WORKFLOWS_DATABASE_URL: workflowsDb } = cluster.databases;
		results.versions.postgres = (await sql<{ v: string }>(buildingsDb, "SELECT current_setting('server_version') AS v"))[0].v;

		const databases = { buildingsUrl: buildingsDb, workflowsUrl: workflowsDb };
		const workflowsNodes = Object.keys(cluster.nodePids())
			.filter(id => id.startsWith("workflows-"))
			.sort();

		step("warming up");
		await post(cluster.apiUrl, 10, warmupSeconds);
		// Creations still in flight land before the tables are emptied, not after.
		await settledWorkflowsPerNode(workflowsDb);
		await emptyDatabases(buildingsDb, workflowsDb);

		// The same pages (1-50) at both sizes, so that only the table's size differs; then pages
		// anywhere in the large table, which OFFSET makes slower the deeper they are.
		step("GET /api/buildings?page=N&pageSize=20 with 1,000 rows");
		await seedBuildingsWithWorkflows(databases, 1000, workflowsNodes);
		await measure(results, cluster, SCENARIO.list1k, () => pagedList(cluster, 50));

		step(`seeding ${LARGE_TABLE_ROWS} buildings, each with its workflow and the workflow's copy`);
		await seedBuildingsWithWorkflows(databases, LARGE_TABLE_ROWS, workflowsNodes);
		const ids = await buildingIds(buildingsDb);
		const randomId = () => ids[Math.floor(Math.random() * ids.length)];
		// Every answer is checked to be the building asked for with its workflow: a 404 or a
		// `workflow: null` is a failure in the figures, not a fast success.
		step(`GET /api/buildings/:id, random over all ${ids.length}`);
		const getRandom = (durationSeconds: number) =>
			load({
				url: `${cluster.apiUrl}/buildings`,
				connections: 50,
				durationSeconds,
				path: () => `/api/buildings/${randomId()}`,
				isRightAnswer: isBuildingAskedWithWorkflow,
			});
		await getRandom(warmupSeconds);
		await measure(results, cluster, SCENARIO.getRandom, () => getRandom(seconds));

		step(`GET /api/buildings?page=N&pageSize=20 with ${LARGE_TABLE} rows`);
		await measure(results, cluster, SCENARIO.listLarge, () => pagedList(cluster, 50));
		await measure(results, cluster, SCENARIO.listLargeAnyPage, () => pagedList(cluster, LARGE_TABLE_ROWS / 20));

		step("POST /api/buildings at 1, 10 and 50 connections");
		await measure(results, cluster, SCENARIO.post1, () => post(cluster.apiUrl, 1));
		await measure(results, cluster, SCENARIO.post10, () => post(cluster.apiUrl, 10));
		// The workflows each node created during this scenario alone: the counts' difference.
		const before = await settledWorkflowsPerNode(workflowsDb);
		await measure(results, cluster, SCENARIO.post50, () => post(cluster.apiUrl, 50));
		const after = await settledWorkflowsPerNode(workflowsDb);
		for (const nodeID of workflowsNodes) results.workflowsPerNode[nodeID] = (after[nodeID] ?? 0) - (before[nodeID] ?? 0);

		step("yardsticks: bare http, NATS request-reply, read pipeline, lean in-process read, raw INSERT");
		results.yardsticks[YARDSTICK.bareHttp] = await rawHttp(50, seconds);
		// Loaded as the GET above: over the same ids, after a warm-up.
		const reads: ReadLoad = { connections: 50, durationSeconds: seconds, warmupSeconds, randomId, isRightAnswer: isBuildingAsked };
		// The NATS the cluster runs on; on another transporter, a private nats-server if there is one.
		let natsUrl = cluster.transporter.startsWith("nats://") ? cluster.transporter : undefined;
		if (!natsUrl) {
			privateNats = new NatsServer(await freePort());
			natsUrl = await privateNats.start().then(
				() => privateNats!.url,
				() => undefined,
			);
		}
		if (natsUrl) {
			const nc = await connectNats(natsUrl);
			results.versions.nats = nc.info?.version ?? "";
			await nc.close();
			results.yardsticks[YARDSTICK.natsRequestReply] = await natsRequestReply(natsUrl, 50, seconds);
			results.yardsticks[YARDSTICK.readPipeline] = await readPipeline(natsUrl, buildingsDb, POOL_SIZE, reads);
		} else {
			results.versions.nats = "none (no NATS given, no nats-server on PATH)";
			results.yardsticks[YARDSTICK.natsRequestReply] = null;
			results.yardsticks[YARDSTICK.readPipeline] = null;
		}
		results.yardsticks[YARDSTICK.leanRead] = await leanRead(buildingsDb, POOL_SIZE, reads);
		results.yardsticks[YARDSTICK.insert] = await rawInsert(buildingsDb, POOL_SIZE, 50, seconds);

		for (const [nodeID, pid] of Object.entries(cluster.nodePids())) results.memoryMb[nodeID] = memoryOf(pid);
		await cluster.stop();

		step("POST /api/buildings with 1 workflows node");
		const single = await startBenchCluster({ workflowsNodes: 1, dataDir: path.join(workDir, "one"), env: {} });
		clusters.push(single);
		await post(single.apiUrl, 10, warmupSeconds);
		await measure(results, single, SCENARIO.post50OneNode, () => post(single.apiUrl, 50));
		await single.stop();

		if (!quick) {
			step("POST /api/buildings with METRICS=true");
			const measured = await startBenchCluster({
				workflowsNodes: 3,
				dataDir: path.join(workDir, "metrics"),
				env: { METRICS: "true", METRICS_PORT: String(await freePort()) },
			});
			clusters.push(measured);
			await post(measured.apiUrl, 10, warmupSeconds);
			await measure(results, measured, SCENARIO.post50Metrics, () => post(measured.apiUrl, 50));
			await measured.stop();

			step("POST /api/buildings on Moleculer's TCP transporter");
			const onTcp = await startBenchCluster({
				workflowsNodes: 3,
				dataDir: path.join(workDir, "tcp"),
				env: { TRANSPORTER: "TCP", TCP_NODES: "" },
			});
			clusters.push(onTcp);
			await post(onTcp.apiUrl, 10, warmupSeconds);
			await measure(results, onTcp, SCENARIO.post50Tcp, () => post(onTcp.apiUrl, 50));
			await onTcp.stop();
		}

		Object.assign(results, ratiosAndGoals(results));
		report(results);
		step(`done in ${Math.round((Date.now() - started) / 1000)} s`);
	} finally {
		for (const cluster of clusters) await cluster.stop().catch(() => undefined);
		await privateNats?.stop();
		rmSync(workDir, { recursive: true, force: true });
	}
}

main().catch(err => {
	console.error(`The benchmark failed: ${err.message}`);
	process.exit(1);
});
