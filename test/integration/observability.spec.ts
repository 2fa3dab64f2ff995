import { configWith } from "../support/config";
import { startCluster, type TestCluster } from "../support/cluster";
import { freePort } from "../support/processes";

describe("observability", () => {
	describe("METRICS=true", () => {
		let cluster: TestCluster;
		let port = 0;
		beforeAll(async () => {
			port = await freePort();
			const { metrics } = configWith({ METRICS: "true", METRICS_PORT: String(port) });
			cluster = await startCluster({ transporter: null, api: false, brokerOptions: { metrics } });
		});
		afterAll(() => cluster?.stop());

		it("serves Prometheus request counts and latencies of buildings.create and workflows.create", async () => {
			for (let i = 0; i < 3; i++) await cluster.buildings.call("buildings.create", { name: `Measured ${i}` });
			const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
			for (const action of ["buildings.create", "workflows.create"]) {
				expect(text).toMatch(new RegExp(`moleculer_request_total\\{[^}]*action="${action}"[^}]*\\} 3\\b`));
				expect(text).toMatch(new RegExp(`moleculer_request_time_(bucket|count)\\{[^}]*action="${action}"`));
			}
		});
	});

	it("metrics and tracing are off unless asked for", () => {
		const config = configWith({});
		expect(config.metrics).toBe(false);
		expect(config.tracing).toBe(false);
	});

	it("TRACING picks the exporter; anything else is refused", () => {
		expect(configWith({ TRACING: "console" }).tracing).toMatchObject({ enabled: true, exporter: { type: "Console" } });
		expect(configWith({ TRACING: "zipkin", ZIPKIN_URL: "http://zipkin:9411" }).tracing).toMatchObject({ exporter: { type: "Zipkin", options: { baseURL: "http://zipkin:9411" } } });
		expect(() => configWith({ TRACING: "yes" })).toThrow(/TRACING must be/);
	});

	it("LOG_FORMAT=json writes one JSON object a line, naming the node", async () => {
		const { logger } = configWith({ LOG_FORMAT: "json" });
		expect(logger).toMatchObject({ options: { formatter: "json" } });
		const { ServiceBroker } = await import("moleculer");
		const lines: string[] = [];
		const spies = (["log", "info"] as const).map(method => jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.join(" "))));
		try {
			const broker = new ServiceBroker({ nodeID: "json-node", logger });
			broker.logger.info("hello");
		} finally {
			for (const spy of spies) spy.mockRestore();
		}
		const line = JSON.parse(lines.find(l => l.includes("hello"))!);
		expect(line).toMatchObject({ level: "info", msg: "hello", nodeID: "json-node" });
	});
});
