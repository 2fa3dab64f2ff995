/**
 * Every setting of the software, read from the environment here and nowhere else. A `.env` file
 * in the working directory is loaded once, when this module is; a variable set in the
 * environment wins over the same one in `.env`. Unset or empty, a variable takes its default.
 * Integers are digits only, booleans "true" or "false", lists comma-separated; a value that does
 * not fit fails in one line (`RATE_LIMIT must be a non-negative integer, got "abc"`).
 *
 *   Variable                   Default                          Meaning
 *   -- node (cluster/node.ts)
 *   SERVICES                   api,buildings,workflows          services this node runs, comma-separated
 *   NODE_ID                    <services>-<hostname>-<random>   this node's ID (`npm start` names its nodes)
 *   -- broker (moleculer.config.ts)
 *   NAMESPACE                  buildings                        nodes only see nodes of the same namespace
 *   TRANSPORTER                see meaning                      NATS URLs, comma-separated, or TCP. Unset: `npm start` runs
 *                                                               its own nats-server (TCP on loopback without one); a lone
 *                                                               node joins that cluster, else nats://127.0.0.1:4222
 *   TCP_NODES                  UDP discovery                    with TCP: host:port/nodeID of every node, comma-separated
 *   TCP_HOST                   127.0.0.1                        address a node listens on with TCP (0.0.0.0: every interface)
 *   NATS_USER, NATS_PASSWORD   none                             NATS user and password, put into the NATS URLs
 *   NATS_TOKEN                 none                             NATS token, instead of user and password
 *   NATS_TLS_CA                no TLS                           PEM file of the CA for TLS to NATS
 *   NATS_TLS_CERT              no TLS                           PEM file of the client certificate
 *   NATS_TLS_KEY               none                             PEM file of the client key
 *   BALANCER                   nats                             "nats": NATS queue groups pick the node; "moleculer": round-robin
 *   REQUEST_TIMEOUT            10000                            ms before a call between nodes fails
 *   RETRIES                    2                                retries of a call that never reached a handler
 *   LOG_LEVEL                  info (REPL: warn)                fatal, error, warn, info, debug or trace
 *   LOG_FORMAT                 text                             "text" for terminals, "json" for one JSON object a line
 *   METRICS                    false                            "true": Prometheus metrics at http://<node>:METRICS_PORT/metrics
 *   METRICS_PORT, METRICS_HOST 3030, 127.0.0.1                  where the metrics listen, port 1 to 65535 (`npm start`: + node index)
 *   TRACING, ZIPKIN_URL        off, http://127.0.0.1:9411       "console" or "zipkin": spans of every request across nodes; zipkin's URL
 *   -- gateway (services/api.service.ts)
 *   PORT, HOST                 3000, 0.0.0.0                    where the REST gateway listens, port 0 to 65535 (0: any free port)
 *   CORS_ORIGINS               none: CORS off                   origins allowed from a browser, comma-separated ("*": any)
 *   RATE_LIMIT                 0: no limit                      requests per minute allowed to one client address
 *   API_KEYS                   none: open                       keys a client must send (Bearer or X-API-Key), comma-separated
 *   -- databases (mixins/db.mixin.ts)
 *   BUILDINGS_DATABASE_URL     postgres://postgres@127.0.0.1:5432/buildings    the buildings service's database
 *   WORKFLOWS_DATABASE_URL     postgres://postgres@127.0.0.1:5432/workflows    the workflows service's database
 *                              (neither URL set: `npm start` runs an embedded PostgreSQL in DATA_DIR)
 *   DB_POOL_MAX                10 (at least 1)                  connections per service per node
 *   -- buildings service (services/buildings.service.ts)
 *   WORKFLOW_CALL_TIMEOUT      3000 (at least 1)                ms a POST waits for the workflow before answering 202 "pending"
 *   RECONCILE_INTERVAL         1000 (at least 1)                ms between two passes over pending work (the outbox)
 *   OUTBOX_MAX_BACKOFF         10000                            longest wait, in ms, between two attempts of one pending job
 *   IDEMPOTENCY_KEY_TTL_HOURS  24 (at least 1)                  how long an Idempotency-Key is remembered
 *   READ_CACHE_SIZE            10000                            answers of GET /api/buildings/:id kept per node; 0: none
 *   -- local topology (cluster/start.ts, `npm start`)
 *   WORKFLOWS_NODES            3 (at least 1)                   workflows nodes `npm start` runs
 *   DATA_DIR                   ./data                           files of the embedded PostgreSQL and nats-server, cluster.json
 *   NATS_SERVER_BIN            nats-server on PATH              the nats-server binary `npm start` runs without TRANSPORTER
 *   -- benchmark helpers (bench/, set by `npm run bench` for the processes it starts)
 *   BENCH_NATS_URL             nats://127.0.0.1:4222            the NATS a helper answers on
 *   BENCH_DATABASE_URL         postgres://postgres@127.0.0.1:5432/buildings    the database the read helper queries
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { LogLevels } from "moleculer";
import { PORT_RANGE, boolean, integer, list, oneOf, text, type Env } from "./rules";

export { SettingError, items, type Env } from "./rules";

/** The services a node can run. */
export const ALL_SERVICES: readonly string[] = ["api", "buildings", "workflows"];

/** The transporter of a node given none (and finding no local cluster to join). */
export const NATS_DEFAULT_URL = "nats://127.0.0.1:4222";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const satisfies readonly LogLevels[];
const defaultDatabaseUrl = (database: string) => `postgres://postgres@127.0.0.1:5432/${database}`;

function node(env: Env) {
	return Object.freeze({ id: text(env, "NODE_ID"), services: list(env, "SERVICES", ALL_SERVICES) });
}

function broker(env: Env) {
	return Object.freeze({
		namespace: text(env, "NAMESPACE", "buildings"),
		/** Empty when none is given. */
		transporter: list(env, "TRANSPORTER"),
		tcpNodes: list(env, "TCP_NODES"),
		tcpHost: text(env, "TCP_HOST", "127.0.0.1"),
		nats: Object.freeze({
			user: text(env, "NATS_USER"),
			password: text(env, "NATS_PASSWORD"),
			token: text(env, "NATS_TOKEN"),
			tlsCa: text(env, "NATS_TLS_CA"),
			tlsCert: text(env, "NATS_TLS_CERT"),
			tlsKey: text(env, "NATS_TLS_KEY"),
		}),
		balancer: oneOf(env, "BALANCER", ["nats", "moleculer"], "nats"),
		requestTimeoutMs: integer(env, "REQUEST_TIMEOUT", 10_000),
		retries: integer(env, "RETRIES", 2),
		logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
		logFormat: oneOf(env, "LOG_FORMAT", ["text", "json"], "text"),
		metrics: boolean(env, "METRICS", false),
		metricsPort: integer(env, "METRICS_PORT", 3030, { min: 1, max: PORT_RANGE.max }),
		metricsHost: text(env, "METRICS_HOST", "127.0.0.1"),
		tracing: oneOf<"off" | "console" | "zipkin">(env, "TRACING", ["console", "zipkin"], "off"),
		zipkinUrl: text(env, "ZIPKIN_URL", "http://127.0.0.1:9411"),
	});
}

function gateway(env: Env) {
	return Object.freeze({
		port: integer(env, "PORT", 3000, PORT_RANGE),
		host: text(env, "HOST", "0.0.0.0"),
		corsOrigins: list(env, "CORS_ORIGINS"),
		rateLimit: integer(env, "RATE_LIMIT", 0),
		apiKeys: list(env, "API_KEYS"),
	});
}

function databases(env: Env) {
	return Object.freeze({
		urls: Object.freeze({
			buildings: text(env, "BUILDINGS_DATABASE_URL", defaultDatabaseUrl("buildings")),
			workflows: text(env, "WORKFLOWS_DATABASE_URL", defaultDatabaseUrl("workflows")),
		}),
		/** Whether either URL was given: with neither, `npm start` runs an embedded PostgreSQL. */
		given: Boolean(text(env, "BUILDINGS_DATABASE_URL") || text(env, "WORKFLOWS_DATABASE_URL")),
		poolMax: integer(env, "DB_POOL_MAX", 10, { min: 1 }),
	});
}

function buildings(env: Env) {
	return Object.freeze({
		workflowCallTimeoutMs: integer(env, "WORKFLOW_CALL_TIMEOUT", 3000, { min: 1 }),
		reconcileIntervalMs: integer(env, "RECONCILE_INTERVAL", 1000, { min: 1 }),
		maxBackoffMs: integer(env, "OUTBOX_MAX_BACKOFF", 10_000),
		keyTtlHours: integer(env, "IDEMPOTENCY_KEY_TTL_HOURS", 24, { min: 1 }),
		readCacheSize: integer(env, "READ_CACHE_SIZE", 10_000),
	});
}

function local(env: Env) {
	return Object.freeze({
		workflowsNodes: integer(env, "WORKFLOWS_NODES", 3, { min: 1 }),
		/** Absolute, from the working directory. */
		dataDir: path.resolve(text(env, "DATA_DIR", "data")),
		natsServerBin: text(env, "NATS_SERVER_BIN"),
	});
}

/**
 * Settings grouped by concern, from the variables `read` gives. A group is parsed each time it is
 * read, from the variables as they are then: a node reads its groups once it has joined the local
 * cluster (which fills in variables), and a service reads its own when it is loaded or created.
 */
function grouped(read: () => Env) {
	return Object.freeze({
		get node() {
			return node(read());
		},
		get broker() {
			return broker(read());
		},
		get gateway() {
			return gateway(read());
		},
		get databases() {
			return databases(read());
		},
		get buildings() {
			return buildings(read());
		},
		get local() {
			return local(read());
		},
		get repl() {
			return Object.freeze({ logLevel: oneOf(read(), "LOG_LEVEL", LOG_LEVELS, "warn") });
		},
		get bench() {
			const env = read();
			return Object.freeze({
				natsUrl: text(env, "BENCH_NATS_URL", NATS_DEFAULT_URL),
				databaseUrl: text(env, "BENCH_DATABASE_URL", defaultDatabaseUrl("buildings")),
			});
		},
	});
}

/** The settings an environment of one's own holds (for tests: process.env stays untouched). */
export function settingsFrom(env: Env) {
	return grouped(() => env);
}

export type Settings = ReturnType<typeof settingsFrom>;

/** Reads every group: a bad value anywhere fails here, in one line, before anything starts. */
export function checkSettings(checked: Settings = settings): void {
	Object.values(checked);
}

if (existsSync(".env")) process.loadEnvFile(".env");

/** This process's settings, from process.env as it is when a group is read. */
export const settings: Settings = grouped(() => process.env);
