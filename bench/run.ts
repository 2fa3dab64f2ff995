/**
 * `npm run bench`: measures the cluster as shipped (every safety feature on) beside the raw
 * parts under it, in one run. Starts its own clusters on the NATS and Postgres given by the
 * usual variables, or on the embedded default; loopback only; stops everything it started.
 * `npm run bench -- --quick` is a short smoke run. Results: bench/results/<time>.json and .md.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "nats";
import { Client } from "pg";
import { freePort } from "../cluster/ports";
import { NatsServer } from "../cluster/nats-server";
import { memoryOf, startBenchCluster, type BenchCluster } from "./cluster";
import { load, type LoadFigures } from "./load";
import { natsRequestReply, rawHttp, rawInsert } from "./yardsticks";

const quick = process.argv.includes("--quick");
const seconds = quick ? 2 : 8;
const warmupSeconds = quick ? 1 : 3;
/** INSERTs one creation makes: the building, its outbox job, the workflow. */
const INSERTS_PER_CREATION = 3;
const POOL_SIZE = Number(process.env.DB_POOL_MAX) || 10;

interface Results {
	quick: boolean;
	versions: { node: string; postgres: string; nats: string };
	scenarios: Record<string, LoadFigures>;
	yardsticks: Record<string, LoadFigures | null>;
	ratios: Record<string, number | null>;
	workflowsPerNode: Record<string, number>;
	memoryMb: Record<string, { peakMb: number; rssMb: number }>;
}

const post = (apiUrl: string, connections: number, durationSeconds = seconds) =>
	load({ url: `${apiUrl}/buildings`, connections, durationSeconds, method: "POST", body: JSON.stringify({ name: "Bench" }) });

async function sql<T>(url: string, text: string): Promise<T[]> {
	const client = new Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query(text)).rows as T[];
	} finally {
		await client.end();
	}
}

/** Fills the buildings table up to `rows` rows straight through SQL (list scenarios only read them). */
async function seedBuildings(url: string, rows: number): Promise<void> {
	const [{ count }] = await sql<{ count: string }>(url, "SELECT count(*) FROM buildings");
	const missing = rows - Number(count);
	if (missing > 0) {
		await sql(url, `INSERT INTO buildings (name, "workflowStatus", "createdAt", "updatedAt") SELECT 'Seeded ' || g, 'created', now(), now() FROM generate_series(1, ${missing}) AS g`);
		// A table in steady state has been vacuumed (index-only scans need the visibility map).
		await sql(url, "VACUUM ANALYZE buildings");
	}
}

/** Random pages among the first `pages` of 20 rows, with the table filled to `rows` rows. */
async function pagedList(cluster: BenchCluster, rows: number, pages: number): Promise<LoadFigures> {
	await seedBuildings(cluster.databases.BUILDINGS_DATABASE_URL, rows);
	return load({ url: `${cluster.apiUrl}/buildings`, connections: 50, durationSeconds: seconds, path: () => `/api/buildings?page=${1 + Math.floor(Math.random() * pages)}&pageSize=20` });
}

async function main(): Promise<void> {
	const workDir = mkdtempSync(path.join(tmpdir(), "bench-"));
	chmodSync(workDir, 0o755); // run as root, the embedded Postgres runs as "postgres"
	const results: Results = { quick, versions: { node: process.version, postgres: "", nats: "" }, scenarios: {}, yardsticks: {}, ratios: {}, workflowsPerNode: {}, memoryMb: {} };
	// NATS for the request-reply yardstick: the given one, or a private nats-server if there is one.
	let privateNats: NatsServer | undefined;
	let natsUrl = process.env.TRANSPORTER?.startsWith("nats://") ? process.env.TRANSPORTER.split(",")[0] : undefined;
	const clusters: BenchCluster[] = [];
	const step = (text: string) => console.log(`[bench] ${text}`);

	try {
		step(`starting the cluster (3 workflows nodes)${quick ? ", quick mode" : ""}`);
		const cluster = await startBenchCluster({ workflowsNodes: 3, dataDir: path.join(workDir, "three"), env: {} });
		clusters.push(cluster);
		const { BUILDINGS_DATABASE_URL: buildingsDb, WORKFLOWS_DATABASE_URL: workflowsDb } = cluster.databases;
		results.versions.postgres = (await sql<{ v: string }>(buildingsDb, "SELECT current_setting('server_version') AS v"))[0].v;

		step("warming up");
		await post(cluster.apiUrl, 10, warmupSeconds);
		await sql(buildingsDb, "TRUNCATE buildings RESTART IDENTITY");

		// The same pages (1-50) at both sizes, so that only the table's size differs; then pages
		// anywhere in the 100,000 rows, which OFFSET makes slower the deeper they are.
		step("GET /api/buildings?page=N&pageSize=20 with ~1,000 rows");
		results.scenarios["list, 1k rows, 50 conn"] = await pagedList(cluster, 1000, 50);
		step("GET /api/buildings/:id");
		results.scenarios["GET /buildings/:id, 50 conn"] = await load({ url: `${cluster.apiUrl}/buildings`, connections: 50, durationSeconds: seconds, path: () => `/api/buildings/${1 + Math.floor(Math.random() * 1000)}` });
		step("GET /api/buildings?page=N&pageSize=20 with ~100,000 rows");
		results.scenarios["list, 100k rows, 50 conn"] = await pagedList(cluster, 100_000, 50);
		results.scenarios["list, 100k rows, any page, 50 conn"] = await pagedList(cluster, 100_000, 5000);

		step("POST /api/buildings at 10 and 50 connections");
		results.scenarios["POST /buildings, 10 conn"] = await post(cluster.apiUrl, 10);
		results.scenarios["POST /buildings, 50 conn"] = await post(cluster.apiUrl, 50);
		for (const row of await sql<{ handledBy: string; n: string }>(workflowsDb, 'SELECT "handledBy", count(*) AS n FROM workflows GROUP BY 1 ORDER BY 1')) {
			results.workflowsPerNode[row.handledBy] = Number(row.n);
		}

		step("yardsticks: bare http, NATS request-reply, raw INSERT");
		results.yardsticks["bare http POST, 50 conn"] = await rawHttp(50, seconds);
		if (!natsUrl) {
			privateNats = new NatsServer(await freePort());
			natsUrl = await privateNats.start().then(() => privateNats!.url, () => undefined);
		}
		if (natsUrl) {
			const nc = await connect({ servers: natsUrl.replace(/^nats:\/\//, "") });
			results.versions.nats = nc.info?.version ?? "";
			await nc.close();
			results.yardsticks["NATS request-reply, 50 in flight"] = await natsRequestReply(natsUrl, 50, seconds);
		} else {
			results.versions.nats = "none (no NATS given, no nats-server on PATH)";
			results.yardsticks["NATS request-reply, 50 in flight"] = null;
		}
		results.yardsticks[`INSERT … RETURNING, pool ${POOL_SIZE}, 50 in flight`] = await rawInsert(buildingsDb, POOL_SIZE, 50, seconds);

		for (const [nodeID, pid] of Object.entries(cluster.nodePids())) results.memoryMb[nodeID] = memoryOf(pid);
		await cluster.stop();

		step("POST /api/buildings with 1 workflows node");
		const single = await startBenchCluster({ workflowsNodes: 1, dataDir: path.join(workDir, "one"), env: {} });
		clusters.push(single);
		await post(single.apiUrl, 10, warmupSeconds);
		results.scenarios["POST /buildings, 50 conn, 1 workflows node"] = await post(single.apiUrl, 50);
		await single.stop();

		if (!quick) {
			step("POST /api/buildings with METRICS=true");
			const measured = await startBenchCluster({ workflowsNodes: 3, dataDir: path.join(workDir, "metrics"), env: { METRICS: "true", METRICS_PORT: String(await freePort()) } });
			clusters.push(measured);
			await post(measured.apiUrl, 10, warmupSeconds);
			results.scenarios["POST /buildings, 50 conn, METRICS=true"] = await post(measured.apiUrl, 50);
			await measured.stop();
		}

		const s = results.scenarios;
		const y = results.yardsticks;
		const insert = y[`INSERT … RETURNING, pool ${POOL_SIZE}, 50 in flight`]!;
		const ratio = (a: number, b: number) => Math.round((100 * a) / b) / 100;
		results.ratios = {
			"POST 50 conn ÷ (raw insert ÷ inserts per creation)": ratio(s["POST /buildings, 50 conn"].requestsPerSecond, insert.requestsPerSecond / INSERTS_PER_CREATION),
			"GET by id ÷ bare http": ratio(s["GET /buildings/:id, 50 conn"].requestsPerSecond, y["bare http POST, 50 conn"]!.requestsPerSecond),
			"POST ÷ bare http": ratio(s["POST /buildings, 50 conn"].requestsPerSecond, y["bare http POST, 50 conn"]!.requestsPerSecond),
			"list p50 latency, 100k ÷ 1k rows": ratio(s["list, 100k rows, 50 conn"].p50 || 1, s["list, 1k rows, 50 conn"].p50 || 1),
			"POST, 3 workflows nodes ÷ 1": ratio(s["POST /buildings, 50 conn"].requestsPerSecond, s["POST /buildings, 50 conn, 1 workflows node"].requestsPerSecond),
			"POST with METRICS ÷ without": quick ? null : ratio(s["POST /buildings, 50 conn, METRICS=true"].requestsPerSecond, s["POST /buildings, 50 conn"].requestsPerSecond),
		};
		report(results);
	} finally {
		for (const cluster of clusters) await cluster.stop().catch(() => undefined);
		await privateNats?.stop();
		rmSync(workDir, { recursive: true, force: true });
	}
}

function report(results: Results): void {
	const rows = (entries: [string, LoadFigures | null][]) =>
		entries.map(([name, f]) => (f ? `| ${name} | ${f.requestsPerSecond} | ${f.p50} | ${f.p90} | ${f.p99} | ${f.errors} | ${f.non2xx} |` : `| ${name} | n/a | | | | | |`));
	const header = ["| scenario | req/s | p50 ms | p90 ms | p99 ms | errors | non-2xx |", "|---|---|---|---|---|---|---|"];
	const markdown = [
		`# Benchmark${results.quick ? " (quick)" : ""}, ${new Date().toISOString()}`,
		"",
		`Node ${results.versions.node}, PostgreSQL ${results.versions.postgres}, NATS ${results.versions.nats}.`,
		"",
		"## Cluster",
		...header,
		...rows(Object.entries(results.scenarios)),
		"",
		"## Yardsticks (same run, same concurrency)",
		...header,
		...rows(Object.entries(results.yardsticks)),
		"",
		"## Ratios",
		"| ratio | value |",
		"|---|---|",
		...Object.entries(results.ratios).map(([name, value]) => `| ${name} | ${value ?? "n/a"} |`),
		"",
		"## workflows.create per node",
		"| node | workflows |",
		"|---|---|",
		...Object.entries(results.workflowsPerNode).map(([node, n]) => `| ${node} | ${n} |`),
		"",
		"## Memory per node at the end of the run (MB)",
		"| node | peak RSS | RSS |",
		"|---|---|---|",
		...Object.entries(results.memoryMb).map(([node, m]) => `| ${node} | ${m.peakMb} | ${m.rssMb} |`),
		"",
	].join("\n");
	const dir = path.join(__dirname, "results");
	mkdirSync(dir, { recursive: true });
	const name = `${new Date().toISOString().replace(/[:.]/g, "-")}${results.quick ? "-quick" : ""}`;
	writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
	writeFileSync(path.join(dir, `${name}.md`), markdown);
	console.log(`\n${markdown}`);
	console.log(`[bench] results written to bench/results/${name}.json and .md`);
}

main().catch(err => {
	console.error(`The benchmark failed: ${err.message}`);
	process.exit(1);
});
