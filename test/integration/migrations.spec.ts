import { createWorkflowFunction } from "../../services/workflows/workflows.statements";
import { startCluster, type TestCluster } from "../support/cluster";
import { query } from "../support/infra";

// Three workflows nodes and a buildings node start at the same instant on empty databases.
describe("migrations", () => {
	let cluster: TestCluster;
	beforeAll(async () => {
		cluster = await startCluster({ workflowsNodes: 3, api: false });
	});
	afterAll(() => cluster?.stop());

	it("are applied once, whatever the number of nodes starting together", async () => {
		expect(await query(cluster.workflowsDatabaseUrl, "SELECT name FROM schema_migrations ORDER BY name")).toEqual([
			{ name: "001-create-workflows" },
			{ name: "002-removed-buildings" },
			{ name: "003-create-workflow-function" },
			{ name: "004-name-length" },
			{ name: "005-change-feed" },
		]);
		expect(await query(cluster.buildingsDatabaseUrl, "SELECT name FROM schema_migrations ORDER BY name")).toEqual([
			{ name: "001-create-buildings" },
			{ name: "002-outbox-and-idempotency" },
			{ name: "003-building-count" },
			{ name: "004-workflow-removed" },
			{ name: "005-name-length" },
			{ name: "006-workflow-copy" },
		]);
	});

	it("keep each service's tables in its own database", async () => {
		const tables = (url: string) =>
			query<{ tablename: string }>(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").then(rows =>
				rows.map(r => r.tablename),
			);
		expect(await tables(cluster.buildingsDatabaseUrl)).toEqual([
			"building_count",
			"buildings",
			"idempotency_keys",
			"outbox",
			"schema_migrations",
			"workflow_copies",
		]);
		expect(await tables(cluster.workflowsDatabaseUrl)).toEqual(["removed_buildings", "schema_migrations", "workflow_changes", "workflows"]);
	});

	it("index what the queries filter on", async () => {
		const indexes = await query<{ indexdef: string }>(
			cluster.workflowsDatabaseUrl,
			"SELECT indexdef FROM pg_indexes WHERE tablename = 'workflows'",
		);
		expect(indexes.map(i => i.indexdef).join("\n")).toMatch(/\("buildingId"\)/);
	});

	it("leave the database running create_workflow as its source in workflows.statements.ts reads", async () => {
		const [{ source }] = await query<{ source: string }>(
			cluster.workflowsDatabaseUrl,
			"SELECT prosrc AS source FROM pg_proc WHERE proname = 'create_workflow'",
		);
		// The body between the $$ of the CREATE OR REPLACE the nodes apply after the migrations.
		const body = createWorkflowFunction.sql.split("$$")[1];
		expect(source).toBe(body);
	});
});
