/**
 * The parsers of each group of settings: which variables a group reads, with their defaults and
 * rules. config/settings.ts documents every variable and is the one place that reads the environment.
 */
import path from "node:path";
import type { LogLevels } from "moleculer";
import { PORT_RANGE, boolean, integer, list, oneOf, text, type Env } from "./rules";

/** The services a node can run. */
export const ALL_SERVICES: readonly string[] = ["api", "buildings", "workflows"];

/** The transporter of a node given none (and finding no local cluster to join). */
export const NATS_DEFAULT_URL = "nats://127.0.0.1:4222";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const satisfies readonly LogLevels[];
const defaultDatabaseUrl = (database: string) => `postgres://postgres@127.0.0.1:5432/${database}`;

function node(env: Env) {
	const healthPort = text(env, "HEALTH_PORT") === undefined ? undefined : integer(env, "HEALTH_PORT", 0, PORT_RANGE);
	return Object.freeze({ id: text(env, "NODE_ID"), services: list(env, "SERVICES", ALL_SERVICES), healthPort });
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
		/** ms between the client's pings to its NATS server: a hung server is left after 3 missed. */
		natsPingIntervalMs: integer(env, "NATS_PING_INTERVAL", 1000, { min: 100 }),
		/** ms a node waits for a NATS server to accept its connection before trying the next. */
		natsConnectTimeoutMs: integer(env, "NATS_CONNECT_TIMEOUT", 2000, { min: 100 }),
		/** ms between a node's heartbeats; another node forgets it after HEARTBEAT_TIMEOUT without one. */
		heartbeatIntervalMs: integer(env, "HEARTBEAT_INTERVAL", 2000, { min: 100 }),
		heartbeatTimeoutMs: integer(env, "HEARTBEAT_TIMEOUT", 5000, { min: 100 }),
		retries: integer(env, "RETRIES", 2),
		logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
		logFormat: oneOf(env, "LOG_FORMAT", ["text", "json"], "text"),
		metrics: boolean(env, "METRICS", false),
		// Not 0: Moleculer would then ignore METRICS_HOST and listen on every interface.
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
		/** Requests per minute per client address; 0: no limit. */
		rateLimit: integer(env, "RATE_LIMIT", 0),
		maxInFlight: integer(env, "GATEWAY_MAX_IN_FLIGHT", 256, { min: 1 }),
		natsMonitorUrls: list(env, "NATS_MONITOR_URL"),
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
		// 0 turns a timeout off. The server-side ones end a statement Postgres is still running;
		// the query timeout ends one whose answer never comes back (a network black hole).
		statementTimeoutMs: integer(env, "DB_STATEMENT_TIMEOUT", 5000),
		lockTimeoutMs: integer(env, "DB_LOCK_TIMEOUT", 2000),
		idleInTransactionTimeoutMs: integer(env, "DB_IDLE_IN_TRANSACTION_TIMEOUT", 10_000),
		queryTimeoutMs: integer(env, "DB_QUERY_TIMEOUT", 6000),
		connectTimeoutMs: integer(env, "DB_CONNECT_TIMEOUT", 5000),
		/** Calls waiting in front of one group commit; past it, a 503 before anything is written. */
		groupCommitMaxQueued: integer(env, "GROUP_COMMIT_MAX_QUEUED", 1000, { min: 1 }),
	});
}

/** The two services' outboxes: work one owes the other, tried at once and retried until done. */
function outbox(env: Env) {
	return Object.freeze({
		workflowCallTimeoutMs: integer(env, "WORKFLOW_CALL_TIMEOUT", 3000, { min: 1 }),
		workflowAttemptTimeoutMs: integer(env, "WORKFLOW_ATTEMPT_TIMEOUT", 1000, { min: 1 }),
		reconcileIntervalMs: integer(env, "RECONCILE_INTERVAL", 1000, { min: 1 }),
		reconcileBatch: integer(env, "OUTBOX_BATCH", 500, { min: 1 }),
		maxBackoffMs: integer(env, "OUTBOX_MAX_BACKOFF", 10_000),
	});
}

function buildings(env: Env) {
	return Object.freeze({
		keyTtlHours: integer(env, "IDEMPOTENCY_KEY_TTL_HOURS", 24, { min: 1 }),
	});
}

function local(env: Env) {
	return Object.freeze({
		workflowsNodes: integer(env, "WORKFLOWS_NODES", 3, { min: 1 }),
		/** The buildings service in the gateway's node (api-1), or in a node of its own (buildings-1). */
		buildingsInGateway: boolean(env, "BUILDINGS_IN_GATEWAY", true),
		hangTimeoutMs: integer(env, "NODE_HANG_TIMEOUT", 8000),
		/** Absolute, from the working directory. */
		dataDir: path.resolve(text(env, "DATA_DIR", "data")),
		/** Whether DATA_DIR was given: its default may move where the embedded PostgreSQL's user cannot reach it. */
		dataDirGiven: text(env, "DATA_DIR") !== undefined,
		natsServerBin: text(env, "NATS_SERVER_BIN"),
		/** The system's PATH (not a setting of this software), where `npm start` looks for nats-server. */
		searchPath: (env.PATH ?? "").split(path.delimiter).filter(Boolean),
		natsServers: integer(env, "NATS_SERVERS", 1, { min: 1 }),
		/** What the nodes' output shows on `npm start`'s console (all of it goes to DATA_DIR/logs): LOG_LEVEL if set, else warnings. */
		consoleLogLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "warn"),
	});
}

function repl(env: Env) {
	return Object.freeze({ logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "warn") });
}

function bench(env: Env) {
	return Object.freeze({
		natsUrl: text(env, "BENCH_NATS_URL", NATS_DEFAULT_URL),
		databaseUrl: text(env, "BENCH_DATABASE_URL", defaultDatabaseUrl("buildings")),
	});
}

export const GROUPS = { node, broker, gateway, databases, outbox, buildings, local, repl, bench };
