/**
 * Broker settings for every node of the cluster. This file is the one place
 * that reads the environment for them (variables set in the environment win
 * over a `.env` file in the working directory):
 *
 *   NAMESPACE        cluster name; nodes only see nodes of the same namespace  (default "buildings")
 *   NODE_ID          this node's ID                                             (default <hostname>-<pid>)
 *   TRANSPORTER      nats://host:4222[,nats://…], or TCP                         (default nats://127.0.0.1:4222)
 *   TCP_NODES        with TCP: host:port/nodeID of every node, comma-separated  (default: UDP discovery)
 *   NATS_USER, NATS_PASSWORD or NATS_TOKEN   NATS credentials                    (default none)
 *   NATS_TLS_CA, NATS_TLS_CERT, NATS_TLS_KEY  PEM files for TLS to NATS          (default no TLS)
 *   BALANCER         "nats": NATS queue groups pick the node; "moleculer": Moleculer's round-robin (default "nats")
 *   REQUEST_TIMEOUT  ms before a call between nodes fails                       (default 10000)
 *   RETRIES          retries of a call that never reached a handler             (default 2)
 *   LOG_LEVEL        fatal | error | warn | info | debug | trace                (default "info")
 *   LOG_FORMAT       "text" for terminals, "json" for one JSON object a line    (default "text")
 *   METRICS          "true": Prometheus metrics at http://<node>:METRICS_PORT/metrics (default off)
 *   METRICS_PORT     port of this node's metrics endpoint                       (default 3030)
 *   TRACING          "console" or "zipkin": trace every request across nodes    (default off)
 *   ZIPKIN_URL       where the zipkin exporter sends spans                      (default http://127.0.0.1:9411)
 */
import { Errors, type BrokerOptions, type LogLevels } from "moleculer";
import { integerFromEnv, loadDotEnv } from "./config/env";
import { CoalescingNatsTransporter } from "./transporters/coalescing-nats";
import { PushingTcpTransporter } from "./transporters/pushing-tcp";

loadDotEnv();

const env = process.env;

function balancer(): "nats" | "moleculer" {
	const value = env.BALANCER ?? "nats";
	if (value !== "nats" && value !== "moleculer") throw new Error(`BALANCER must be "nats" or "moleculer", got "${value}"`);
	return value;
}

/** The transporter, with NATS credentials and TLS from their own variables (never logged). */
function transporter(): BrokerOptions["transporter"] {
	// Moleculer's own TCP transporter needs no broker process. With a static list of nodes it
	// stays on the addresses given (no UDP discovery), and each node listens on its own entry;
	// its nodes push their details to the others, so a node that joins takes calls at once.
	if (env.TRANSPORTER === "TCP" && env.TCP_NODES) {
		return new PushingTcpTransporter({ udpDiscovery: false, urls: env.TCP_NODES.split(",") });
	}
	const urls = (env.TRANSPORTER || "nats://127.0.0.1:4222").split(",").map(url => url.trim());
	if (!urls.every(url => url.startsWith("nats://"))) return urls.join(",");
	// Moleculer reads user and password from the URLs (and would drop them if given apart).
	const withCredentials = urls.map(raw => {
		const url = new URL(raw);
		if (env.NATS_USER) url.username = encodeURIComponent(env.NATS_USER);
		if (env.NATS_PASSWORD) url.password = encodeURIComponent(env.NATS_PASSWORD);
		return url.toString();
	});
	const options: Record<string, unknown> = { url: withCredentials.join(",") };
	if (env.NATS_TOKEN) options.token = env.NATS_TOKEN;
	if (env.NATS_TLS_CA || env.NATS_TLS_CERT) {
		options.tls = { caFile: env.NATS_TLS_CA || undefined, certFile: env.NATS_TLS_CERT || undefined, keyFile: env.NATS_TLS_KEY || undefined };
	}
	return new CoalescingNatsTransporter(options);
}

/** Spans of every action call, linked across nodes, sent where TRACING says. */
function tracing(): BrokerOptions["tracing"] {
	if (!env.TRACING) return false;
	if (env.TRACING === "console") return { enabled: true, exporter: { type: "Console", options: { colors: false, width: 100 } } };
	if (env.TRACING === "zipkin") return { enabled: true, exporter: { type: "Zipkin", options: { baseURL: env.ZIPKIN_URL || "http://127.0.0.1:9411" } } };
	throw new Error(`TRACING must be "console" or "zipkin", got "${env.TRACING}"`);
}

const chosenTransporter = transporter();
const onNats = chosenTransporter instanceof CoalescingNatsTransporter;

const config: BrokerOptions = {
	namespace: env.NAMESPACE || "buildings",
	nodeID: env.NODE_ID || undefined,
	transporter: chosenTransporter,

	// With "nats", a request goes to a queue group of every node that has the action and NATS
	// delivers it to exactly one of them; with "moleculer" the caller picks the node itself.
	// Other transporters have no queue groups: Moleculer balances.
	disableBalancer: onNats && balancer() === "nats",
	registry: { strategy: "RoundRobin", preferLocal: true },

	// Each line names the node and service that wrote it (the JSON lines carry nodeID and svc).
	logger: {
		type: "Console",
		options: {
			level: (env.LOG_LEVEL || "info") as LogLevels,
			formatter: env.LOG_FORMAT === "json" ? "json" : "full",
			colors: env.LOG_FORMAT !== "json" && Boolean(process.stdout.isTTY),
		},
	},

	// The default timeout (0) lets a caller wait forever for a node that died mid-request.
	requestTimeout: integerFromEnv("REQUEST_TIMEOUT", 10_000),
	// Retry only errors raised before any handler ran (no node had the action yet, or the one
	// chosen was stopping): a call that timed out or failed in a handler may already have written.
	retryPolicy: {
		enabled: true,
		retries: integerFromEnv("RETRIES", 2),
		delay: 100,
		maxDelay: 1000,
		factor: 2,
		check: err => err instanceof Errors.ServiceNotFoundError || err instanceof Errors.ServiceNotAvailableError,
	},
	// A stopping node finishes the requests it holds before it leaves.
	tracking: { enabled: true, shutdownTimeout: 10_000 },

	validator: true,
	// Off by default: collecting costs throughput on every call (see the README for the figure).
	metrics:
		env.METRICS === "true"
			? { enabled: true, reporter: { type: "Prometheus", options: { port: integerFromEnv("METRICS_PORT", 3030), path: "/metrics" } } }
			: false,
	tracing: tracing(),
};

export default config;
