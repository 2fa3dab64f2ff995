import Ajv2020 from "ajv/dist/2020";
import { offlineDocument } from "../../services/api/openapi/generate";
import { startCluster, type TestCluster } from "../support/cluster";
import { http, type HttpAnswer } from "../support/http";

type Operation = { responses: Record<string, { $ref?: string; content?: { "application/json": { schema: { $ref: string } } } }> };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };

// The document the gateway serves against the gateway itself: the same routes (as moleculer-web
// lists its aliases), and every status a request gets is one the document gives its route, with
// the body its schema says.
describe("OpenAPI document", () => {
	let cluster: TestCluster;
	let api: string;
	let doc: Document;
	const ajv = new Ajv2020({ strict: false, validateFormats: false });
	/** Statuses seen, by "METHOD /api/path/{param}". */
	const seen = new Map<string, Set<number>>();

	beforeAll(async () => {
		cluster = await startCluster({ workflowsNodes: 1 });
		api = cluster.apiUrl;
		const res = await http("GET", `${api}/openapi.json`);
		expect(res.status).toBe(200);
		doc = res.body;
		for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(schema, `#/components/schemas/${name}`);
	});
	afterAll(() => cluster?.stop());

	/** One request to a documented route; its status and body are checked against the document. */
	async function probe(
		method: string,
		template: string,
		path: string,
		body?: unknown,
		headers?: Record<string, string>,
	): Promise<HttpAnswer> {
		const res = await http(method, `${api.replace(/\/api$/, "")}${path}`, body, headers);
		const key = `${method} ${template}`;
		if (!seen.has(key)) seen.set(key, new Set());
		seen.get(key)!.add(res.status);
		const response = doc.paths[template]?.[method.toLowerCase()]?.responses[String(res.status)];
		expect([key, res.status, response !== undefined]).toEqual([key, res.status, true]);
		const ref = response!.$ref
			? "#/components/schemas/Error"
			: response!.content!["application/json"].schema.$ref.replace(/^#\/components\/schemas\//, "#/components/schemas/");
		const valid = ajv.validate(ref, res.body);
		expect([key, res.status, valid ? "valid" : ajv.errorsText()]).toEqual([key, res.status, "valid"]);
		return res;
	}

	it("is the document built offline (npm run openapi), which CI lints", () => {
		expect(doc).toEqual(offlineDocument());
	});

	it("has every alias of the gateway, and no path that is not one", async () => {
		const aliases = (await cluster.brokers.find(b => b.getLocalService("api"))!.call("api.listAliases")) as {
			methods: string;
			fullPath: string;
		}[];
		const routes = aliases.map(a => `${a.methods} ${a.fullPath.replace(/:(\w+)/g, "{$1}")}`).sort();
		const documented = Object.entries(doc.paths)
			.flatMap(([path, methods]) => Object.keys(methods).map(method => `${method.toUpperCase()} ${path}`))
			.sort();
		expect(documented).toEqual(routes);
		expect(routes).toContain("POST /api/buildings");
	});

	it("lists in each path's Allow the methods it documents, HEAD with GET, and OPTIONS", async () => {
		for (const [path, methods] of Object.entries(doc.paths)) {
			const documented = Object.keys(methods).map(m => m.toUpperCase());
			const expected = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].filter(
				m => documented.includes(m) || m === "OPTIONS" || (m === "HEAD" && documented.includes("GET")),
			);
			const res = await http("OPTIONS", `${api.replace(/\/api$/, "")}${path.replace(/\{\w+\}/g, "1")}`);
			expect([path, res.status, res.headers.get("allow")]).toEqual([path, 204, expected.join(", ")]);
		}
	});

	it("describes the Idempotency-Key header and the 201/202 of POST /api/buildings", () => {
		const post = doc.paths["/api/buildings"].post as Operation & { parameters: { name: string; in: string }[] };
		expect(post.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header" }));
		expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(["201", "202", "400", "409", "413", "415", "422", "503"]));
	});

	it("gives each route the statuses and bodies the gateway answers", async () => {
		const b = "/api/buildings";
		const created = await probe("POST", b, b, { name: "Documented" });
		expect(created.status).toBe(201);
		const id = created.body.id;
		const workflowId = created.body.workflow.id;
		const key = { "Idempotency-Key": "doc-key-1" };
		const first = await probe("POST", b, b, { name: "Keyed" }, key);
		expect((await probe("POST", b, b, { name: "Keyed" }, key)).body.id).toBe(first.body.id);
		await probe("POST", b, b, { name: "Other" }, key); // 422: the key with another body
		await probe("POST", b, b, {});
		await probe("POST", b, b, '{"name": ', { "content-type": "application/json" });
		await probe("POST", b, b, "name=x", { "content-type": "text/plain" });
		await probe("POST", b, b, { name: "x".repeat(200 * 1024) });
		await probe("GET", b, `${b}?sort=-id&pageSize=5`);
		await probe("GET", b, `${b}?sort=bad`);
		const one = "/api/buildings/{id}";
		await probe("GET", one, `${b}/${id}`);
		await probe("GET", one, `${b}/999999`);
		await probe("GET", one, `${b}/abc`);
		await probe("PATCH", one, `${b}/${id}`, { name: "Renamed" });
		await probe("PATCH", one, `${b}/${id}`, {});
		await probe("PATCH", one, `${b}/999999`, { name: "x" });
		const byBuilding = "/api/buildings/{buildingId}/workflows";
		await probe("GET", byBuilding, `${b}/${id}/workflows`);
		await probe("GET", byBuilding, `${b}/abc/workflows`);
		const w = "/api/workflows";
		await probe("GET", w, `${w}?buildingId=${id}`);
		await probe("GET", w, `${w}?pageSize=1000`);
		const wf = "/api/workflows/{id}";
		await probe("GET", wf, `${w}/${workflowId}`);
		await probe("GET", wf, `${w}/999999`);
		await probe("PATCH", wf, `${w}/${workflowId}`, { status: "running" });
		await probe("PATCH", wf, `${w}/${workflowId}`, { status: "done" });
		await probe("DELETE", wf, `${w}/${workflowId}`);
		await probe("DELETE", wf, `${w}/${workflowId}`);
		await probe("DELETE", one, `${b}/${id}`);
		await probe("DELETE", one, `${b}/${id}`);
		await probe("GET", "/api/health", "/api/health");
		await probe("GET", "/api/health/ready", "/api/health/ready");
		await probe("GET", "/api/openapi.json", "/api/openapi.json");
		await probe("GET", "/api/cluster", "/api/cluster");

		// Without a workflows node: the building is saved and its workflow pending (202), readiness fails (503).
		await Promise.all(cluster.brokers.filter(broker => broker.getLocalService("workflows")).map(broker => broker.stop()));
		expect((await probe("POST", b, b, { name: "Later" })).status).toBe(202);
		expect((await probe("GET", "/api/health/ready", "/api/health/ready")).status).toBe(503);
		await probe("GET", w, w);

		const statuses = Object.fromEntries([...seen].map(([route, set]) => [route, [...set].sort()]));
		expect(statuses).toEqual({
			"POST /api/buildings": [201, 202, 400, 413, 415, 422],
			"GET /api/buildings": [200, 422],
			"GET /api/buildings/{id}": [200, 404, 422],
			"PATCH /api/buildings/{id}": [200, 404, 422],
			"DELETE /api/buildings/{id}": [200, 404],
			"GET /api/buildings/{buildingId}/workflows": [200, 422],
			"GET /api/workflows": [200, 422, 503],
			"GET /api/workflows/{id}": [200, 404],
			"PATCH /api/workflows/{id}": [200, 422],
			"DELETE /api/workflows/{id}": [200, 404],
			"GET /api/health": [200],
			"GET /api/health/ready": [200, 503],
			"GET /api/openapi.json": [200],
			"GET /api/cluster": [200],
		});
		// Every documented route was tried.
		expect(Object.keys(statuses).sort()).toEqual(
			Object.entries(doc.paths)
				.flatMap(([path, methods]) => Object.keys(methods).map(method => `${method.toUpperCase()} ${path}`))
				.sort(),
		);
	});
});
