/**
 * Every setting of the software, read from the environment here and nowhere else. A `.env` file
 * in the working directory is loaded once, when this module is; a variable set in the
 * environment wins over the same one in `.env`. Unset or empty, a variable takes its default.
 * Integers are digits only, booleans "true" or "false", lists comma-separated; a value that does
 * not fit fails in one line (`RATE_LIMIT must be a non-negative integer, got "abc"`).
 *
 *   Variable                   Default                          Meaning
 *   -- node (node/main.ts)
 *   SERVICES                   api,buildings,workflows          services this node runs, comma-separated
 *   NODE_ID                    <services>-<hostname>-<random>   this node's ID (`npm start` names its nodes)
 *   HEALTH_PORT                none: no health server           port of the node's /live and /ready probes (Kubernetes)
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
 *   NATS_PING_INTERVAL         1000 (at least 100)              ms between a node's pings to its NATS server; 3 unanswered: reconnect
 *   NATS_CONNECT_TIMEOUT       2000 (at least 100)              ms a node waits to connect to a NATS server before trying the next
 *   HEARTBEAT_INTERVAL         2000 (at least 100)              ms between a node's Moleculer heartbeats
 *   HEARTBEAT_TIMEOUT          5000 (at least 100)              ms without a heartbeat before the others forget a node (checked as often)
 *   RETRIES                    2                                retries of a call that never reached a handler
 *   LOG_LEVEL                  info (REPL: warn)                fatal, error, warn, info, debug or trace. `npm start` writes each node's log
 *                                                               to DATA_DIR/logs/<node>.log and shows on its console warn and
 *                                                               above, or this level when set
 *   LOG_FORMAT                 text                             "text" for terminals, "json" for one JSON object a line
 *   METRICS                    false                            "true": Prometheus metrics at http://<node>:METRICS_PORT/metrics
 *   METRICS_PORT, METRICS_HOST 3030, 127.0.0.1                  where the metrics listen, port 1 to 65535 (`npm start`: + node index)
 *   TRACING, ZIPKIN_URL        off, http://127.0.0.1:9411       "console" or "zipkin": spans of every request across nodes; zipkin's URL
 *   -- gateway (services/api/api.service.ts)
 *   PORT, HOST                 3000, 0.0.0.0                    where the REST gateway listens, port 0 to 65535 (0: any free port)
 *   CORS_ORIGINS               none: CORS off                   origins allowed from a browser, comma-separated ("*": any)
 *   RATE_LIMIT                 0: no limit                      requests per minute allowed to one client address
 *   GATEWAY_MAX_IN_FLIGHT      256 (at least 1)                 requests one gateway handles at once; past it 503 + Retry-After
 *   NATS_MONITOR_URL           none (`npm start`: its own)      NATS monitoring URLs (nats-server -m) for /cluster, comma-separated
 *   API_KEYS                   none: open                       keys a client must send (Bearer or X-API-Key), comma-separated
 *   -- databases (mixins/db.mixin.ts)
 *   BUILDINGS_DATABASE_URL     postgres://postgres@127.0.0.1:5432/buildings    the buildings service's database
 *   WORKFLOWS_DATABASE_URL     postgres://postgres@127.0.0.1:5432/workflows    the workflows service's database
 *                              (neither URL set: `npm start` runs an embedded PostgreSQL in DATA_DIR)
 *   DB_POOL_MAX                10 (at least 1)                  connections per service per node
 *   DB_STATEMENT_TIMEOUT       5000                             ms Postgres runs one statement before cancelling it; 0: none
 *   DB_LOCK_TIMEOUT            2000                             ms a statement waits for a lock; 0: none
 *   DB_IDLE_IN_TRANSACTION_TIMEOUT  10000                       ms a transaction may sit idle before Postgres ends it; 0: none
 *   DB_QUERY_TIMEOUT           6000                             ms a node waits for an answer before dropping the connection
 *   DB_CONNECT_TIMEOUT         5000                             ms to open a connection; 0: none
 *   GROUP_COMMIT_MAX_QUEUED    1000 (at least 1)                writes waiting for one group commit; past it 503 + Retry-After
 *   -- outboxes (services/buildings/outbox.ts, services/workflows/change-feed.ts)
 *   WORKFLOW_CALL_TIMEOUT      3000 (at least 1)                ms a call about a workflow between the services waits (a POST for its
 *                                                               workflow, before answering 202 "pending"; a workflow's change, to be
 *                                                               shown by building reads) before it is left to the outbox
 *   WORKFLOW_ATTEMPT_TIMEOUT   1000 (at least 1)                ms one such call waits before it is sent again (to any node)
 *   RECONCILE_INTERVAL         1000 (at least 1)                ms between two passes over pending work (the outboxes)
 *   OUTBOX_BATCH               500 (at least 1)                 pending jobs one node leases at a time; a full lease is followed at once
 *   OUTBOX_MAX_BACKOFF         10000                            longest wait, in ms, between two attempts of one pending job
 *   -- buildings service (services/buildings/buildings.service.ts)
 *   IDEMPOTENCY_KEY_TTL_HOURS  24 (at least 1)                  how long an Idempotency-Key is remembered
 *   -- local topology (cluster/start.ts, `npm start`)
 *   NODE_HANG_TIMEOUT          8000                             ms a node may leave its launcher's pings unanswered before it is killed
 *                                                               and restarted (a hung node keeps its share of NATS requests); 0: never
 *   WORKFLOWS_NODES            3 (at least 1)                   workflows nodes `npm start` runs
 *   BUILDINGS_IN_GATEWAY       true                             the gateway's node runs the buildings service too (api-1);
 *                                                               false: a buildings node of its own (buildings-1)
 *   DATA_DIR                   ./data                           files of the embedded PostgreSQL and nats-server, cluster.json (unset, as
 *                                                               root: the server's files may go elsewhere, see cluster/postgres-home.ts)
 *   NATS_SERVER_BIN            nats-server on PATH, else sbin   the nats-server binary `npm start` and the tests run (see findNatsServer)
 *   NATS_SERVERS               1 (at least 1)                   nats-servers `npm start` runs, routed into one NATS cluster
 *   -- benchmark helpers (bench/, set by `npm run bench` for the processes it starts)
 *   BENCH_NATS_URL             nats://127.0.0.1:4222            the NATS a helper answers on
 *   BENCH_DATABASE_URL         postgres://postgres@127.0.0.1:5432/buildings    the database the read helpers query
 */
import { existsSync } from "node:fs";
import { GROUPS } from "./groups";
import type { Env } from "./rules";

export { ALL_SERVICES, NATS_DEFAULT_URL } from "./groups";
export { SettingError, items, type Env } from "./rules";

type Groups = { readonly [name in keyof typeof GROUPS]: ReturnType<(typeof GROUPS)[name]> };

/**
 * Settings grouped by concern, from the variables `read` gives. A group is parsed each time it is
 * read, from the variables as they are then: a node reads its groups once it has joined the local
 * cluster (which fills in variables), and a service reads its own when it is loaded or created.
 */
function grouped(read: () => Env): Groups {
	const groups = {};
	for (const [name, parse] of Object.entries(GROUPS)) {
		Object.defineProperty(groups, name, { enumerable: true, get: () => parse(read()) });
	}
	return Object.freeze(groups) as Groups;
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
