import path from "node:path";
import { SettingError, settingsFrom } from "../../config/settings";

// The rules, checked on environments of the test's own: process.env is never touched.
describe("settings", () => {
	it("gives every documented default on an empty environment", () => {
		const settings = settingsFrom({});
		expect(settings.node).toEqual({ id: undefined, services: ["api", "buildings", "workflows"], healthPort: undefined });
		expect(settings.broker).toMatchObject({
			namespace: "buildings",
			transporter: [],
			tcpNodes: [],
			tcpHost: "127.0.0.1",
			balancer: "nats",
			requestTimeoutMs: 10_000,
			natsPingIntervalMs: 1000,
			natsConnectTimeoutMs: 2000,
			heartbeatIntervalMs: 2000,
			heartbeatTimeoutMs: 5000,
			retries: 2,
			logLevel: "info",
			logFormat: "text",
			metrics: false,
			metricsPort: 3030,
			metricsHost: "127.0.0.1",
			tracing: "off",
			zipkinUrl: "http://127.0.0.1:9411",
		});
		expect(settings.gateway).toEqual({
			port: 3000,
			host: "0.0.0.0",
			corsOrigins: [],
			rateLimit: 0,
			maxInFlight: 256,
			natsMonitorUrls: [],
			apiKeys: [],
		});
		expect(settings.databases).toEqual({
			urls: { buildings: "postgres://postgres@127.0.0.1:5432/buildings", workflows: "postgres://postgres@127.0.0.1:5432/workflows" },
			given: false,
			poolMax: 10,
			statementTimeoutMs: 5000,
			lockTimeoutMs: 2000,
			idleInTransactionTimeoutMs: 10_000,
			queryTimeoutMs: 6000,
			connectTimeoutMs: 5000,
			groupCommitMaxQueued: 1000,
		});
		expect(settings.outbox).toEqual({
			workflowCallTimeoutMs: 3000,
			workflowAttemptTimeoutMs: 1000,
			reconcileIntervalMs: 1000,
			reconcileBatch: 500,
			maxBackoffMs: 10_000,
		});
		expect(settings.buildings).toEqual({ keyTtlHours: 24 });
		expect(settings.local).toEqual({
			workflowsNodes: 3,
			buildingsInGateway: true,
			hangTimeoutMs: 8000,
			dataDir: path.resolve("data"),
			dataDirGiven: false,
			natsServerBin: undefined,
			searchPath: [],
			natsServers: 1,
			consoleLogLevel: "warn",
		});
		expect(settings.repl.logLevel).toBe("warn");
	});

	it("treats an empty variable as unset", () => {
		const settings = settingsFrom({ RATE_LIMIT: "", METRICS: "", BALANCER: "", TRACING: "", NATS_TOKEN: "", BUILDINGS_DATABASE_URL: "" });
		expect(settings.gateway.rateLimit).toBe(0);
		expect(settings.broker).toMatchObject({ metrics: false, balancer: "nats", tracing: "off", nats: { token: undefined } });
		expect(settings.databases.given).toBe(false);
	});

	it("reads integers as digits only, within their range", () => {
		expect(settingsFrom({ RATE_LIMIT: "5", PORT: " 0 " }).gateway).toMatchObject({ rateLimit: 5, port: 0 });
		expect(settingsFrom({ NATS_MONITOR_URL: "http://a:8222, http://b:8222" }).gateway.natsMonitorUrls).toEqual([
			"http://a:8222",
			"http://b:8222",
		]);
		for (const bad of ["abc", "-1", "1.5", "1e3", "0x10", "5 req"]) {
			expect(() => settingsFrom({ RATE_LIMIT: bad }).gateway).toThrow(`RATE_LIMIT must be a non-negative integer, got "${bad}"`);
		}
		expect(() => settingsFrom({ DB_POOL_MAX: "0" }).databases).toThrow('DB_POOL_MAX must be an integer of at least 1, got "0"');
		expect(() => settingsFrom({ RECONCILE_INTERVAL: "0" }).outbox).toThrow('RECONCILE_INTERVAL must be an integer of at least 1, got "0"');
		expect(() => settingsFrom({ PORT: "70000" }).gateway).toThrow('PORT must be an integer from 0 to 65535, got "70000"');
		expect(settingsFrom({ HEALTH_PORT: "9000" }).node.healthPort).toBe(9000);
		expect(() => settingsFrom({ HEALTH_PORT: "http" }).node).toThrow('HEALTH_PORT must be an integer from 0 to 65535, got "http"');
		expect(settingsFrom({ NATS_SERVERS: "3" }).local.natsServers).toBe(3);
		expect(() => settingsFrom({ NATS_SERVERS: "0" }).local).toThrow('NATS_SERVERS must be an integer of at least 1, got "0"');
	});

	it('reads booleans as "true" or "false" only: the string "false" is false', () => {
		expect(settingsFrom({ METRICS: "true" }).broker.metrics).toBe(true);
		expect(settingsFrom({ METRICS: "false" }).broker.metrics).toBe(false);
		for (const bad of ["1", "yes", "TRUE", "on"])
			expect(() => settingsFrom({ METRICS: bad }).broker).toThrow(`METRICS must be "true" or "false", got "${bad}"`);
	});

	it("reads lists comma-separated, trimmed, without empty items", () => {
		expect(settingsFrom({ CORS_ORIGINS: " https://a.example, ,https://b.example ," }).gateway.corsOrigins).toEqual([
			"https://a.example",
			"https://b.example",
		]);
		expect(settingsFrom({ TRANSPORTER: "nats://a:4222, nats://b:4222" }).broker.transporter).toEqual(["nats://a:4222", "nats://b:4222"]);
		expect(settingsFrom({ SERVICES: "workflows," }).node.services).toEqual(["workflows"]);
		expect(settingsFrom({ SERVICES: " , " }).node.services).toEqual(["api", "buildings", "workflows"]);
	});

	it("reads enums as one of their values, exactly", () => {
		expect(settingsFrom({ BALANCER: "moleculer", LOG_LEVEL: "debug", LOG_FORMAT: "json", TRACING: "zipkin" }).broker).toMatchObject({
			balancer: "moleculer",
			logLevel: "debug",
			logFormat: "json",
			tracing: "zipkin",
		});
		expect(settingsFrom({ LOG_LEVEL: "error" }).repl.logLevel).toBe("error");
		expect(settingsFrom({ LOG_LEVEL: "debug" }).local.consoleLogLevel).toBe("debug");
		expect(() => settingsFrom({ BALANCER: "random" }).broker).toThrow('BALANCER must be "nats" or "moleculer", got "random"');
		expect(() => settingsFrom({ LOG_LEVEL: "INFO" }).broker).toThrow(
			'LOG_LEVEL must be "fatal", "error", "warn", "info", "debug" or "trace", got "INFO"',
		);
		expect(() => settingsFrom({ TRACING: "yes" }).broker).toThrow('TRACING must be "console" or "zipkin", got "yes"');
	});

	it("keeps text as given, and tells whether a database URL was given", () => {
		const settings = settingsFrom({ NATS_PASSWORD: " p@ss ", WORKFLOWS_DATABASE_URL: "postgres://w@db/workflows", DATA_DIR: "/srv/data" });
		expect(settings.broker.nats.password).toBe(" p@ss ");
		expect(settings.databases).toMatchObject({
			given: true,
			urls: { buildings: "postgres://postgres@127.0.0.1:5432/buildings", workflows: "postgres://w@db/workflows" },
		});
		expect(settings.local).toMatchObject({ dataDir: "/srv/data", dataDirGiven: true });
		expect(settingsFrom({ PATH: "/a/bin:/usr/bin" }).local.searchPath).toEqual(["/a/bin", "/usr/bin"]);
	});

	it("fails in one line, naming the variable, the value and what is expected", () => {
		const read = () => settingsFrom({ RATE_LIMIT: "abc" }).gateway;
		expect(read).toThrow(SettingError);
		// Anchored: the whole message, on one line.
		expect(read).toThrow(/^RATE_LIMIT must be a non-negative integer, got "abc"$/);
	});

	it("is read-only", () => {
		const settings = settingsFrom({});
		expect(Object.isFrozen(settings)).toBe(true);
		expect(Object.isFrozen(settings.gateway)).toBe(true);
	});

	it("reads a group from the variables as they are when it is read", () => {
		const env: Record<string, string> = {};
		const settings = settingsFrom(env);
		expect(settings.gateway.rateLimit).toBe(0);
		env.RATE_LIMIT = "7";
		expect(settings.gateway.rateLimit).toBe(7);
	});
});
