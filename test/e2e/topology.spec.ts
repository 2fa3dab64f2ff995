import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BuildingWithWorkflow } from "../../types";
import { http } from "../support/http";
import { NATS_URL, databaseUrl, dropDatabase, uniqueName } from "../support/infra";
import { START, ScriptProcess, freePort } from "../support/processes";

// `npm start`'s launcher with NATS and Postgres given: five processes over NATS, then Ctrl-C.
describe("the local topology on given NATS and Postgres (npm start)", () => {
	const namespace = uniqueName("topology");
	// A folder of its own: the checkout's data/ and .env are the developer's.
	const workDir = mkdtempSync(path.join(tmpdir(), "topology-"));
	let launcher: ScriptProcess;
	let api = "";

	beforeAll(async () => {
		const port = await freePort();
		api = `http://127.0.0.1:${port}/api`;
		const env = {
			PORT: String(port),
			NAMESPACE: namespace,
			TRANSPORTER: NATS_URL,
			BUILDINGS_DATABASE_URL: databaseUrl(`${namespace}_buildings`),
			WORKFLOWS_DATABASE_URL: databaseUrl(`${namespace}_workflows`),
			WORKFLOWS_NODES: "3",
			LOG_LEVEL: "warn",
			DATA_DIR: path.join(workDir, "data"),
		};
		launcher = new ScriptProcess(START, [], env, workDir);
		await launcher.waitForOutput("Cluster ready", 90_000);
	}, 120_000);

	afterAll(async () => {
		if (launcher?.child.exitCode === null) await launcher.stop("SIGKILL");
		await dropDatabase(`${namespace}_buildings`);
		await dropDatabase(`${namespace}_workflows`);
		rmSync(workDir, { recursive: true, force: true });
	});

	it("prints one summary naming the gateway, the nodes and the transporter", () => {
		expect(launcher.output).toContain(`Cluster ready: http://localhost:${new URL(api).port}/api`);
		for (const node of ["api-1", "workflows-1", "workflows-2", "workflows-3"])
			expect(launcher.output).toMatch(new RegExp(`node ${node}\\s`));
		expect(launcher.output).toContain("(given; queue groups pick the node)");
		expect(existsSync(path.join(workDir, "data", "cluster.json"))).toBe(true);
	});

	it("answers 30 creations with 201, spread over all three workflows nodes", async () => {
		const handledBy = new Map<string, number>();
		for (let i = 0; i < 30; i++) {
			const res = await http<BuildingWithWorkflow>("POST", `${api}/buildings`, { name: "HQ" });
			expect(res.status).toBe(201);
			handledBy.set(res.body.workflow!.handledBy, (handledBy.get(res.body.workflow!.handledBy) ?? 0) + 1);
		}
		expect([...handledBy.keys()].sort()).toEqual(["workflows-1", "workflows-2", "workflows-3"]);
	});

	it("stops every node on SIGINT and exits 0", async () => {
		expect(await launcher.stop("SIGINT", 30_000)).toBe(0);
		await expect(fetch(`${api}/health`)).rejects.toThrow();
	}, 40_000);
});
