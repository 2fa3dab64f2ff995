import { startCluster, type TestCluster } from "../support/cluster";
import { http, rawHttp } from "../support/http";
import { query } from "../support/infra";

interface BadRequest {
	method: string;
	path: string;
	/** An object is sent as JSON; a string as it is. */
	body?: unknown;
	headers?: Record<string, string>;
	status: number;
	/** The field a 422 must name. */
	field?: string;
	/** The exact message, when the case checks it. */
	message?: string;
	/** The exact Allow header of a 405. */
	allow?: string;
}

const json = { "content-type": "application/json" };

// Malformed and hostile requests on every route: each gets its documented 4xx with a clear
// message, none a 5xx, and none writes anything.
const cases: [string, BadRequest][] = [
	["no name", { method: "POST", path: "/buildings", body: {}, status: 422, field: "name", message: '"name" is required.' }],
	[
		"empty name",
		{
			method: "POST",
			path: "/buildings",
			body: { name: "" },
			status: 422,
			field: "name",
			message: '"name" must be at least 1 character long; got "".',
		},
	],
	[
		"whitespace name",
		{
			method: "POST",
			path: "/buildings",
			body: { name: " \t\n " },
			status: 422,
			field: "name",
			message: '"name" must be at least 1 character long; got " \\t\\n ".',
		},
	],
	["null name", { method: "POST", path: "/buildings", body: { name: null }, status: 422, field: "name" }],
	[
		"numeric name",
		{ method: "POST", path: "/buildings", body: { name: 123 }, status: 422, field: "name", message: '"name" must be a string; got 123.' },
	],
	["array name", { method: "POST", path: "/buildings", body: { name: ["HQ"] }, status: 422, field: "name" }],
	["operator-object name", { method: "POST", path: "/buildings", body: { name: { $gt: "" } }, status: 422, field: "name" }],
	[
		"10 kB name",
		{
			method: "POST",
			path: "/buildings",
			body: { name: "x".repeat(10 * 1024) },
			status: 422,
			field: "name",
			message: '"name" must be at most 200 characters long; got 10240.',
		},
	],
	[
		"201 emoji name",
		{
			method: "POST",
			path: "/buildings",
			body: { name: "🏢".repeat(201) },
			status: 422,
			field: "name",
			message: '"name" must be at most 200 characters long; got 201.',
		},
	],
	[
		"a name of 200 characters over 600 code points",
		{
			method: "POST",
			path: "/buildings",
			body: { name: "👨‍👩‍👧".repeat(200) },
			status: 422,
			field: "name",
			message: '"name" must be at most 600 Unicode code points long; got 1000.',
		},
	],
	[
		"NUL byte in name",
		{
			method: "POST",
			path: "/buildings",
			body: { name: "a\u0000b" },
			status: 422,
			field: "name",
			message: '"name" must not contain NUL bytes.',
		},
	],
	[
		"unknown field",
		{
			method: "POST",
			path: "/buildings",
			body: { name: "HQ", colour: "red" },
			status: 422,
			field: "colour",
			message: '"colour" is not a field of this request.',
		},
	],
	["client-chosen id", { method: "POST", path: "/buildings", body: { name: "HQ", id: 1 }, status: 422, field: "id" }],
	[
		"empty workflowName",
		{ method: "POST", path: "/buildings", body: { name: "HQ", workflowName: "" }, status: 422, field: "workflowName" },
	],
	[
		"numeric workflowName",
		{ method: "POST", path: "/buildings", body: { name: "HQ", workflowName: 7 }, status: 422, field: "workflowName" },
	],
	[
		"over-long Idempotency-Key",
		{
			method: "POST",
			path: "/buildings",
			body: { name: "HQ" },
			headers: { "idempotency-key": "k".repeat(300) },
			status: 422,
			field: "idempotencyKey",
		},
	],
	[
		"idempotencyKey in the body (the header only)",
		{ method: "POST", path: "/buildings", body: { name: "HQ", idempotencyKey: "k-1" }, status: 422, field: "idempotencyKey" },
	],
	[
		"idempotencyKey in the query (the header only)",
		{ method: "POST", path: "/buildings?idempotencyKey=k-2", body: { name: "HQ" }, status: 422, field: "idempotencyKey" },
	],
	["malformed JSON", { method: "POST", path: "/buildings", body: '{"name": "HQ"', headers: json, status: 400 }],
	[
		"malformed JSON is named so",
		{
			method: "POST",
			path: "/buildings",
			body: "{name: HQ}",
			headers: json,
			status: 400,
			message: "The body is not valid JSON: it cannot be parsed.",
		},
	],
	[
		"JSON string body",
		{
			method: "POST",
			path: "/buildings",
			body: '"HQ"',
			headers: json,
			status: 422,
			field: "",
			message: 'The body must be a JSON object of fields; got "HQ".',
		},
	],
	[
		"JSON null body",
		{
			method: "POST",
			path: "/buildings",
			body: "null",
			headers: json,
			status: 422,
			message: "The body must be a JSON object of fields; got null.",
		},
	],
	[
		"JSON array body",
		{
			method: "POST",
			path: "/buildings",
			body: '[{"name": "HQ"}]',
			headers: json,
			status: 422,
			message: "The body must be a JSON object of fields; got an array.",
		},
	],
	[
		"text/plain body",
		{ method: "POST", path: "/buildings", body: '{"name": "HQ"}', headers: { "content-type": "text/plain" }, status: 415 },
	],
	[
		"form body",
		{ method: "POST", path: "/buildings", body: "name=HQ", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415 },
	],
	["body over 100 kB", { method: "POST", path: "/buildings", body: { name: "x".repeat(150 * 1024) }, status: 413 }],
	["negative id", { method: "GET", path: "/buildings/-1", status: 422, field: "id", message: '"id" must be a positive number; got "-1".' }],
	["zero id", { method: "GET", path: "/buildings/0", status: 422, field: "id" }],
	["huge id", { method: "GET", path: "/buildings/99999999999999999999", status: 422, field: "id" }],
	["non-numeric id", { method: "GET", path: "/buildings/abc", status: 422, field: "id" }],
	["fractional id", { method: "GET", path: "/buildings/1.5", status: 422, field: "id" }],
	["SQL in id", { method: "GET", path: "/buildings/1%20OR%201=1", status: 422, field: "id" }],
	["unknown id", { method: "GET", path: "/buildings/2147483647", status: 404 }],
	["rename without name", { method: "PATCH", path: "/buildings/1", body: {}, status: 422, field: "name" }],
	["rename to whitespace", { method: "PATCH", path: "/buildings/1", body: { name: "   " }, status: 422, field: "name" }],
	["rename with bad id", { method: "PATCH", path: "/buildings/abc", body: { name: "x" }, status: 422, field: "id" }],
	["rename unknown id", { method: "PATCH", path: "/buildings/2147483647", body: { name: "x" }, status: 404 }],
	["delete bad id", { method: "DELETE", path: "/buildings/-7", status: 422, field: "id" }],
	["delete unknown id", { method: "DELETE", path: "/buildings/2147483647", status: 404 }],
	["page 0", { method: "GET", path: "/buildings?page=0", status: 422, field: "page" }],
	[
		"pageSize 1000",
		{
			method: "GET",
			path: "/buildings?pageSize=1000",
			status: 422,
			field: "pageSize",
			message: '"pageSize" must be at most 100; got "1000".',
		},
	],
	[
		"non-numeric page",
		{ method: "GET", path: "/buildings?page=two", status: 422, field: "page", message: '"page" must be a number; got "two".' },
	],
	[
		"sort on a hidden column",
		{
			method: "GET",
			path: "/buildings?sort=password",
			status: 422,
			field: "sort",
			message: '"sort" must be one of id, -id, name, -name, createdAt, -createdAt, updatedAt, -updatedAt; got "password".',
		},
	],
	["SQL in sort", { method: "GET", path: "/buildings?sort=name;DROP%20TABLE%20buildings", status: 422, field: "sort" }],
	[
		"unknown query parameter",
		{ method: "GET", path: "/buildings?admin=true", status: 422, field: "admin", message: '"admin" is not a field of this request.' },
	],
	["bad building id in workflows route", { method: "GET", path: "/buildings/abc/workflows", status: 422, field: "buildingId" }],
	["negative buildingId filter", { method: "GET", path: "/workflows?buildingId=-5", status: 422, field: "buildingId" }],
	[
		"unknown workflow status",
		{
			method: "PATCH",
			path: "/workflows/1",
			body: { status: "done" },
			status: 422,
			field: "status",
			message: '"status" must be one of new, running, completed, failed; got "done".',
		},
	],
	[
		"two problems at once",
		{
			method: "PATCH",
			path: "/workflows/1",
			body: { status: "done", colour: "red" },
			status: 422,
			field: "colour",
			message: '"status" must be one of new, running, completed, failed; got "done". "colour" is not a field of this request.',
		},
	],
	[
		"workflow update without changes",
		{
			method: "PATCH",
			path: "/workflows/1",
			body: {},
			status: 422,
			field: "name",
			message: '"name" or "status" is required: give at least one to change.',
		},
	],
	["moving a workflow to another building", { method: "PATCH", path: "/workflows/1", body: { buildingId: 5 }, status: 422 }],
	["handledBy forged", { method: "PATCH", path: "/workflows/1", body: { handledBy: "me" }, status: 422 }],
	["unknown workflow", { method: "GET", path: "/workflows/2147483647", status: 404 }],
	["delete bad workflow id", { method: "DELETE", path: "/workflows/x", status: 422, field: "id" }],
	[
		"PUT on a building",
		{
			method: "PUT",
			path: "/buildings/1",
			body: { name: "x" },
			status: 405,
			allow: "GET, HEAD, PATCH, DELETE, OPTIONS",
			message: "PUT is not a method of /api/buildings/1; it takes GET, HEAD, PATCH, DELETE, OPTIONS.",
		},
	],
	["DELETE on the list", { method: "DELETE", path: "/buildings", status: 405, allow: "GET, HEAD, POST, OPTIONS" }],
	["unknown route", { method: "GET", path: "/users", status: 404 }],
	[
		"internal workflows.create",
		{ method: "POST", path: "/workflows", body: { name: "x", buildingId: 1 }, status: 405, allow: "GET, HEAD, OPTIONS" },
	],
	[
		"internal removeByBuilding",
		{
			method: "POST",
			path: "/workflows/removeByBuilding",
			body: { buildingId: 1 },
			status: 405,
			allow: "GET, HEAD, PATCH, DELETE, OPTIONS",
		},
	],
	["$node actions", { method: "GET", path: "/$node/actions", status: 404 }],
	// Sent as written, `..` and all (see rawHttp).
	["path traversal", { method: "GET", path: "/../../etc/passwd", status: 404 }],
	["path traversal under a route", { method: "GET", path: "/buildings/../../../etc/passwd", status: 404 }],
	["path traversal, encoded", { method: "GET", path: "/buildings/%2e%2e%2f%2e%2e%2fetc%2fpasswd", status: 422, field: "id" }],
	["path traversal of the documentation's files", { method: "GET", path: "/docs/../../../../../etc/passwd", status: 404 }],
	["path traversal of the documentation's files, encoded", { method: "GET", path: "/docs/..%2f..%2f..%2f..%2fetc%2fpasswd", status: 404 }],
];

describe("bad input", () => {
	let cluster: TestCluster;
	const counts = async () => ({
		buildings: (await query(cluster.buildingsDatabaseUrl, "SELECT count(*) AS n FROM buildings"))[0].n,
		outbox: (await query(cluster.buildingsDatabaseUrl, "SELECT count(*) AS n FROM outbox"))[0].n,
		keys: (await query(cluster.buildingsDatabaseUrl, "SELECT count(*) AS n FROM idempotency_keys"))[0].n,
		workflows: (await query(cluster.workflowsDatabaseUrl, "SELECT count(*) AS n FROM workflows"))[0].n,
		updated: (await query(cluster.buildingsDatabaseUrl, 'SELECT max("updatedAt") AS n FROM buildings'))[0].n,
	});
	let before: Awaited<ReturnType<typeof counts>>;

	beforeAll(async () => {
		cluster = await startCluster({ workflowsNodes: 1 });
		// Something for the routes with ids to find: building 1 and workflow 1.
		expect((await http("POST", `${cluster.apiUrl}/buildings`, { name: "Existing" })).status).toBe(201);
		before = await counts();
	});
	afterAll(() => cluster?.stop());

	it(`has at least 30 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(30));

	it.each(cases)("%s", async (_name, { method, path, body, headers, status, field, message, allow }) => {
		const res = /\.\.|%2e/i.test(path)
			? await rawHttp(method, cluster.apiUrl, `${new URL(cluster.apiUrl).pathname}${path}`)
			: await http(method, `${cluster.apiUrl}${path}`, body, headers);
		expect(res.status).toBe(status);
		expect(res.body).toMatchObject({ name: expect.any(String), message: message ?? expect.any(String), code: status });
		if (field !== undefined) expect(res.body.data.map((e: { field: string }) => e.field)).toContain(field);
		// Each field's problem carries its own message, which the whole message repeats.
		for (const problem of status === 422 ? res.body.data : []) expect(res.body.message).toContain(problem.message);
		if (status === 405) expect([res.headers.get("allow"), res.body.type]).toEqual([allow, "METHOD_NOT_ALLOWED"]);
		expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(ts|js):\d+|SELECT|INSERT|root:/);
	});

	it("none of them wrote anything", async () => {
		expect(await counts()).toEqual(before);
	});

	it("gives each field's value in data where it is safe, never a long or NUL-bearing one", async () => {
		const res = await http("PATCH", `${cluster.apiUrl}/workflows/1`, { status: "done" });
		expect(res.body.data).toEqual([
			{ field: "status", type: "enumValue", value: "done", message: '"status" must be one of new, running, completed, failed; got "done"' },
		]);
		for (const name of ["x".repeat(300), "a\u0000b"]) {
			const long = await http("POST", `${cluster.apiUrl}/buildings`, { name });
			expect(long.status).toBe(422);
			expect(long.body.data[0]).not.toHaveProperty("value");
			expect(long.body.data[0]).not.toHaveProperty("nodeID");
		}
	});

	it("counts a name in characters as a reader does: 200 emoji, 200 flags and 200 accented letters pass", async () => {
		for (const name of ["🏢".repeat(200), "🇨🇭".repeat(200), "e\u0301".repeat(200)]) {
			const res = await http("POST", `${cluster.apiUrl}/buildings`, { name });
			expect(res.status).toBe(201);
			expect((await http("GET", `${cluster.apiUrl}/buildings/${res.body.id}`)).body.name).toBe(name);
			expect((await http("DELETE", `${cluster.apiUrl}/buildings/${res.body.id}`)).status).toBe(200);
		}
	});

	it("answers OPTIONS with 204 and Allow, without running the GET", async () => {
		for (const [path, allow] of [
			["/buildings", "GET, HEAD, POST, OPTIONS"],
			["/buildings/2147483647", "GET, HEAD, PATCH, DELETE, OPTIONS"],
			["/workflows", "GET, HEAD, OPTIONS"],
			["/health", "GET, HEAD, OPTIONS"],
		]) {
			const res = await http("OPTIONS", `${cluster.apiUrl}${path}`);
			// An unknown id: a GET would have been a 404.
			expect([path, res.status, res.headers.get("allow"), res.body]).toEqual([path, 204, allow, ""]);
		}
		// With CORS off, a preflight-looking OPTIONS runs nothing either.
		const remove = await http("OPTIONS", `${cluster.apiUrl}/buildings/1`, undefined, { "access-control-request-method": "DELETE" });
		expect(remove.status).toBe(204);
		expect((await http("GET", `${cluster.apiUrl}/buildings/1`)).status).toBe(200);
		expect((await http("OPTIONS", `${cluster.apiUrl}/users`)).status).toBe(404);
	});

	it("answers the pages' files as HTTP says: GET and HEAD, OPTIONS with Allow, a 405 for any other method", async () => {
		const origin = new URL(cluster.apiUrl).origin;
		for (const path of ["/cluster/", "/cluster/cluster.js", "/api/docs/"]) {
			const [get, head] = [await http("GET", `${origin}${path}`), await http("HEAD", `${origin}${path}`)];
			expect([path, get.status, head.status, head.headers.get("content-type"), head.body]).toEqual([
				path,
				200,
				200,
				get.headers.get("content-type"),
				"",
			]);
			const options = await http("OPTIONS", `${origin}${path}`);
			expect([path, options.status, options.headers.get("allow"), options.body]).toEqual([path, 204, "GET, HEAD, OPTIONS", ""]);
			const post = await http("POST", `${origin}${path}`, {});
			expect([path, post.status, post.headers.get("allow"), post.body.type, post.body.message]).toEqual([
				path,
				405,
				"GET, HEAD, OPTIONS",
				"METHOD_NOT_ALLOWED",
				`POST is not a method of ${path}; it takes GET, HEAD, OPTIONS.`,
			]);
		}
	});

	it("answers HEAD as the GET, without a body", async () => {
		for (const path of ["/buildings/1", "/buildings?pageSize=1", "/buildings/2147483647", "/buildings/abc", "/health"]) {
			const [get, head] = [await http("GET", `${cluster.apiUrl}${path}`), await http("HEAD", `${cluster.apiUrl}${path}`)];
			expect([path, head.status, head.headers.get("content-type"), head.body]).toEqual([
				path,
				get.status,
				get.headers.get("content-type"),
				"",
			]);
		}
		expect((await http("HEAD", `${cluster.apiUrl}/users`)).status).toBe(404);
	});

	it("stores SQL-looking and unicode names verbatim, never executing them", async () => {
		for (const name of ["'); DROP TABLE buildings; --", "1 OR 1=1", "Zürich 東京 🏢 \u202e"]) {
			const res = await http("POST", `${cluster.apiUrl}/buildings`, { name });
			expect(res.status).toBe(201);
			expect((await http("GET", `${cluster.apiUrl}/buildings/${res.body.id}`)).body.name).toBe(name);
		}
		expect((await http("GET", `${cluster.apiUrl}/buildings?search=${encodeURIComponent("'; DROP")}`)).status).toBe(200);
		expect(Number((await counts()).buildings)).toBe(Number(before.buildings) + 3);
	});
});
