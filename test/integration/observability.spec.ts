import { TracerExporters, type TracerOptions } from "moleculer";
import { configWith } from "../support/config";
import { startCluster, type TestCluster } from "../support/cluster";
import { waitFor } from "../support/infra";
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
			// Concurrent, so that the workflows node writes them together: still one request each.
			await Promise.all([0, 1, 2].map(i => cluster.buildings.call("buildings.create", { name: `Measured ${i}` })));
			const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
			for (const action of ["buildings.create", "workflows.create"]) {
				expect(text).toMatch(new RegExp(`moleculer_request_total\\{[^}]*action="${action}"[^}]*\\} 3\\b`));
				expect(text).toMatch(new RegExp(`moleculer_request_time_(bucket|count)\\{[^}]*action="${action}"`));
			}
		});

		it("serves the outbox backlog and the age of its oldest job", async () => {
			const metrics = () => fetch(`http://127.0.0.1:${port}/metrics`).then(res => res.text());
			// Read every 5 s.
			await waitFor("the outbox gauges", async () => /^buildings_outbox_backlog\{[^}]*\} 0$/m.test(await metrics()), 12_000);
			expect(await metrics()).toMatch(/^buildings_outbox_oldest_age_seconds\{[^}]*\} 0$/m);
		}, 20_000);
	});

	it("metrics and tracing are off unless asked for", () => {
		const config = configWith({});
		expect(config.metrics).toBe(false);
		expect(config.tracing).toBe(false);
	});

	it("TRACING picks the exporter; anything else is refused", () => {
		expect(configWith({ TRACING: "console" }).tracing).toMatchObject({ enabled: true, exporter: { type: "Console" } });
		expect(configWith({ TRACING: "zipkin", ZIPKIN_URL: "http://zipkin:9411" }).tracing).toMatchObject({
			exporter: { type: "Zipkin", options: { baseURL: "http://zipkin:9411" } },
		});
		expect(() => configWith({ TRACING: "yes" })).toThrow(/TRACING must be/);
	});

	it("LOG_FORMAT=json writes one JSON object a line, naming the node", async () => {
		const { logger } = configWith({ LOG_FORMAT: "json" });
		expect(logger).toMatchObject({ options: { formatter: "json" } });
		const { ServiceBroker } = await import("moleculer");
		const lines: string[] = [];
		const spies = (["log", "info"] as const).map(method =>
			jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.join(" "))),
		);
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

describe("TRACING", () => {
	interface FinishedSpan {
		name: string;
		traceID: string;
		tags: Record<string, unknown>;
	}
	const spans: FinishedSpan[] = [];
	// Collects the spans of every broker of the cluster (they all run in this process).
	class CollectingExporter extends TracerExporters.Base {
		spanFinished(span: FinishedSpan) {
			spans.push(span);
		}
	}
	let cluster: TestCluster;
	beforeAll(async () => {
		// Moleculer takes an exporter instance, though its typings (0.15.2) list only option objects.
		const exporter = new CollectingExporter({}) as unknown as TracerOptions["exporter"];
		cluster = await startCluster({ workflowsNodes: 2, brokerOptions: { tracing: { enabled: true, exporter } } });
	});
	afterAll(() => cluster?.stop());

	it("follows one POST from the gateway to the workflows node and both databases", async () => {
		const res = await fetch(`${cluster.apiUrl}/buildings`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ name: "Traced" }),
		});
		expect(res.status).toBe(201);
		const { workflow } = (await res.json()) as { workflow: { handledBy: string } };
		const create = spans.find(span => span.name === "action 'workflows.create'");
		expect(create).toBeDefined();
		const trace = spans.filter(span => span.traceID === create!.traceID).map(span => span.name);
		expect(trace).toEqual(
			expect.arrayContaining([
				"POST /api/buildings",
				"action 'buildings.create'",
				"db buildings: insert building and job",
				"action 'workflows.create'",
				"db workflows: create workflow",
				"db buildings: mark workflow created",
			]),
		);
		// The span of workflows.create names the node that handled it.
		expect(create!.tags.nodeID).toBe(workflow.handledBy);
	});
});
