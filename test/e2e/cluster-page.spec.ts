import { mkdirSync } from "node:fs";
import path from "node:path";
import { connect, type NatsConnection } from "nats";
import type { Browser, Page } from "playwright-core";
import { launchChromium, rowCells, rowKeys } from "../support/browser";
import { waitFor } from "../support/infra";
import { LaunchedCluster } from "../support/launcher";
import { postBuildingsSteadily } from "../support/load";
import { ScriptProcess, privateNatsOf } from "../support/processes";

const ARTIFACTS = path.join(__dirname, "..", "..", "test-artifacts");

// The /cluster page in headless Chromium, on a cluster `npm start` runs (its private nats-server
// with its monitor), as an operator watches it while nodes come and go and buildings are created.
describe("the cluster page", () => {
	const cluster = new LaunchedCluster("cluster-page");
	let browser: Browser;
	let page: Page;
	let extra: ScriptProcess | undefined;

	beforeAll(async () => {
		await cluster.start({ WORKFLOWS_NODES: "2", LOG_LEVEL: "warn" });
		browser = await launchChromium();
		page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
		await page.goto(cluster.api.replace(/\/api$/, "/cluster"));
	}, 120_000);

	afterAll(async () => {
		if (extra && extra.child.exitCode === null) await extra.stop("SIGKILL");
		await browser?.close();
		await cluster.stop();
	}, 60_000);

	const nodesShown = () => rowKeys(page, "nodes");

	it("shows the running nodes, each on the private nats-server", async () => {
		await waitFor("three nodes on the page", async () => (await nodesShown()).length === 3, 15_000);
		expect(await nodesShown()).toEqual(["api-1", "workflows-1", "workflows-2"]);
		const [id, services, server] = await rowCells(page, "nodes", "workflows-1");
		expect([id, services]).toEqual(["workflows-1", "workflows"]);
		expect(server).toMatch(/^127\.0\.0\.1:\d+$/);
		expect(await rowCells(page, "queue", "workflows-2")).toEqual(["workflows-2", "yes", "yes"]);
		expect(await page.textContent('[data-testid="outbox"]')).toMatch(/^\d+ job\(s\) waiting/);
	});

	it("shows a workflows node started with `npm run node -- workflows` within seconds, and its share of the creations", async () => {
		extra = new ScriptProcess(
			"node/main.ts",
			["workflows"],
			{ DATA_DIR: cluster.dataDir, NODE_ID: "workflows-extra", LOG_LEVEL: "info" },
			cluster.workDir,
		);
		await extra.waitForOutput("started successfully", 60_000);
		const started = Date.now();
		await waitFor("workflows-extra on the page", async () => (await nodesShown()).includes("workflows-extra"), 10_000);
		console.log(`workflows-extra shown ${Date.now() - started} ms after its broker started`);

		const load = postBuildingsSteadily(cluster.api, { total: 400, ratePerSecond: 40, maxInFlight: 8 });
		const shares = new Set<string>();
		await waitFor(
			"the extra node's share to move while creations run",
			async () => {
				const [, , share] = await rowCells(page, "shares", "workflows-extra");
				if (share) shares.add(share);
				return [...shares].filter(s => /^[1-9]\d*%$/.test(s)).length >= 2;
			},
			20_000,
		);
		mkdirSync(ARTIFACTS, { recursive: true });
		await page.screenshot({ path: path.join(ARTIFACTS, "cluster.png"), fullPage: true });
		expect((await page.textContent('[data-testid="rate"]')) ?? "").toMatch(/^[1-9][\d.]*\/s over/);
		const result = await load;
		expect(result.statuses[201]).toBe(400);
		const latest = await rowKeys(page, "buildings");
		expect(latest).toHaveLength(10);
	}, 90_000);

	it("drops a workflows node that stops", async () => {
		expect(await extra!.stop("SIGTERM")).toBe(0);
		await waitFor("workflows-extra gone from the page", async () => !(await nodesShown()).includes("workflows-extra"), 10_000);
		expect(await rowKeys(page, "queue")).toEqual(["workflows-1", "workflows-2"]);
	}, 30_000);

	it("serves /api/docs from the gateway alone: Swagger UI shows every operation of the document", async () => {
		const docs = await browser.newPage();
		const origins = new Set<string>();
		docs.on("request", request => void origins.add(new URL(request.url()).origin));
		try {
			await docs.goto(cluster.api.replace(/\/api$/, "/api/docs"));
			const document = (await (await fetch(`${cluster.api}/openapi.json`)).json()) as { paths: Record<string, object> };
			const operations = Object.values(document.paths).flatMap(methods => Object.keys(methods)).length;
			await waitFor("every operation on the page", async () => (await docs.$$(".opblock")).length === operations, 15_000);
			expect([...origins]).toEqual([new URL(cluster.api).origin]);
		} finally {
			await docs.close();
		}
	}, 30_000);

	it("highlights a connection holding the queue subscription of a node the registry does not know", async () => {
		// What a node dropped by the registry but still connected to NATS looks like to the servers.
		const { port } = privateNatsOf(cluster.launcher.output);
		const ghost: NatsConnection = await connect({ servers: `nats://127.0.0.1:${port}` });
		try {
			ghost.subscribe("MOL-buildings.REQ.ghost-node");
			ghost.subscribe("MOL-buildings.REQB.workflows.create", { queue: "workflows.create" });
			await ghost.flush();
			const row = '[data-testid="queue"] tr[data-key="ghost-node"]';
			await page.waitForSelector(`${row}.mismatch`, { timeout: 10_000 });
			expect(await rowCells(page, "queue", "ghost-node")).toEqual(["ghost-node", "yes", "no"]);
			expect(await page.$$('[data-testid="queue"] tr.mismatch')).toHaveLength(1);
		} finally {
			await ghost.close();
		}
	}, 30_000);
});
