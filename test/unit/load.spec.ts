import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { postBuildingsSteadily } from "../support/load";

/** What the scripted server does with request number i (from the building's name). */
type Step = (res: ServerResponse) => void;

const json =
	(status: number, body: unknown, headers: Record<string, string> = {}): Step =>
	res => {
		res.writeHead(status, { "content-type": "application/json", ...headers });
		res.end(JSON.stringify(body));
	};

// The load harness that every fault figure rests on, against a server that answers as scripted.
describe("postBuildingsSteadily", () => {
	let server: Server;
	let api = "";
	let script: Step[] = [];
	let inFlight = 0;
	let mostInFlight = 0;
	const bodies: string[] = [];

	beforeAll(async () => {
		server = createServer((req: IncomingMessage, res: ServerResponse) => {
			let body = "";
			req.on("data", chunk => (body += chunk));
			req.on("end", () => {
				bodies.push(body);
				inFlight++;
				mostInFlight = Math.max(mostInFlight, inFlight);
				res.on("close", () => inFlight--);
				const index = Number(/ (\d+)$/.exec((JSON.parse(body) as { name: string }).name)![1]);
				setTimeout(() => script[index % script.length](res), 20);
			});
		});
		await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
		api = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
	});
	afterAll(() => new Promise(resolve => server.close(resolve)));
	beforeEach(() => {
		bodies.length = 0;
		mostInFlight = 0;
	});

	it("records each answer's real status: JSON or not, and 0 only for no answer at all", async () => {
		script = [
			json(201, { id: 1 }),
			json(202, { id: 2, workflow: null }),
			json(503, { type: "OVERLOADED", code: 503 }, { "retry-after": "1" }),
			res => (res.writeHead(502, { "content-type": "text/html" }), res.end("<html>Bad gateway</html>")),
			res => (res.writeHead(500), res.end("{truncated")),
			res => res.socket!.destroy(),
		];
		const result = await postBuildingsSteadily(api, { total: 6, ratePerSecond: 100, maxInFlight: 6 });
		expect(result.sent).toBe(6);
		expect(result.statuses).toEqual({ 0: 1, 201: 1, 202: 1, 500: 1, 502: 1, 503: 1 });
		expect(result.accepted.sort()).toEqual([1, 2]);
		expect(result.answers.find(answer => answer.status === 503)).toMatchObject({ retryAfter: "1", type: "OVERLOADED" });
		expect(bodies.map(body => JSON.parse(body) as unknown)).toContainEqual({ name: "Load 0" });
	});

	it("keeps to its rate and its limit of requests in flight", async () => {
		script = [res => setTimeout(() => json(201, { id: 7 })(res), 200)];
		const started = Date.now();
		const result = await postBuildingsSteadily(api, { total: 20, ratePerSecond: 50, maxInFlight: 3, name: "Paced" });
		expect(result.sent).toBe(20);
		expect(result.statuses).toEqual({ 201: 20 });
		expect(mostInFlight).toBe(3);
		// 3 at a time, each held 220 ms or more: at least 7 rounds.
		expect(Date.now() - started).toBeGreaterThanOrEqual(7 * 200);
	});

	it("stops on its condition, before its total", async () => {
		script = [json(201, { id: 3 })];
		const result = await postBuildingsSteadily(api, {
			total: 1000,
			ratePerSecond: 200,
			maxInFlight: 10,
			until: sofar => (sofar.statuses[201] ?? 0) >= 10,
		});
		expect(result.statuses[201]).toBeGreaterThanOrEqual(10);
		expect(result.sent).toBeLessThan(40);
	});

	it("stops after its duration", async () => {
		script = [json(201, { id: 4 })];
		const result = await postBuildingsSteadily(api, { total: 1000, ratePerSecond: 20, maxInFlight: 10, durationMs: 500 });
		expect(result.sent).toBeGreaterThanOrEqual(9);
		expect(result.sent).toBeLessThanOrEqual(11);
	});
});
