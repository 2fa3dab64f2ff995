/**
 * Broker settings for every node of the cluster, from the `broker` group of config/settings.ts
 * (which lists each variable with its default).
 */
import { Errors, Transporters, type BrokerOptions } from "moleculer";
import { NATS_DEFAULT_URL, settings } from "./config/settings";
import { CoalescingNatsTransporter } from "./framework/coalescing-nats";
import { PushingTcpTransporter } from "./framework/pushing-tcp";
import { FieldValidator } from "./broker/validator";
import { LocalFirst } from "./framework/local-first";
import { SettleTimedOutCalls } from "./framework/settle-timed-out-calls";

const given = settings.broker;

/** The transporter, with NATS credentials and TLS from their own variables (never logged). */
function transporter(): BrokerOptions["transporter"] {
	// Moleculer's own TCP transporter needs no broker process. With a static list of nodes it
	// stays on the addresses given (no UDP discovery), and each node listens on its own entry's
	// port, on TCP_HOST; its nodes push their details to the others, so a node that joins takes
	// calls at once.
	if (given.transporter.join(",") === "TCP") {
		const nodes = given.tcpNodes.length > 0 ? { udpDiscovery: false, urls: given.tcpNodes.join(",") } : {};
		return new PushingTcpTransporter({ host: given.tcpHost, ...nodes });
	}
	const urls = given.transporter.length > 0 ? given.transporter : [NATS_DEFAULT_URL];
	// Another kind of URL is Moleculer's to resolve, as it would the string.
	if (!urls.every(url => url.startsWith("nats://"))) return Transporters.resolve(urls.join(","));
	const { user, password, token, tlsCa, tlsCert, tlsKey } = given.nats;
	// Moleculer reads user and password from the URLs (and would drop them if given apart).
	const withCredentials = urls.map(raw => {
		const url = new URL(raw);
		if (user) url.username = encodeURIComponent(user);
		if (password) url.password = encodeURIComponent(password);
		return url.toString();
	});
	// Several URLs are the servers of one NATS cluster: each node takes them in a random order, so
	// the nodes spread over the servers, and a node whose server fails moves to another. The client
	// pings its server every NATS_PING_INTERVAL (1 s) and, after 2 unanswered, reconnects: a hung
	// server, or one whose host dropped off the network, is left within 3 s, not after 4 minutes.
	// (The servers ping less often, every 2 s, as NATS advises: nats/nats.conf.)
	const options: Record<string, unknown> = {
		url: withCredentials.join(","),
		noRandomize: false,
		pingInterval: given.natsPingIntervalMs,
		maxPingOut: 2,
		// A node whose server dropped off the network may try that server first again: a connection
		// to it is never refused, only unanswered, so give up on it after NATS_CONNECT_TIMEOUT (2 s),
		// not nats.js's 20 s, and move to the next server.
		timeout: given.natsConnectTimeoutMs,
	};
	if (token) options.token = token;
	if (tlsCa || tlsCert) options.tls = { caFile: tlsCa, certFile: tlsCert, keyFile: tlsKey };
	return new CoalescingNatsTransporter(options);
}

/** Spans of every action call, linked across nodes, sent where TRACING says. */
function tracing(): BrokerOptions["tracing"] {
	if (given.tracing === "console") return { enabled: true, exporter: { type: "Console", options: { colors: false, width: 100 } } };
	if (given.tracing === "zipkin") return { enabled: true, exporter: { type: "Zipkin", options: { baseURL: given.zipkinUrl } } };
	return false;
}

const chosenTransporter = transporter();
const onNats = chosenTransporter instanceof CoalescingNatsTransporter;

const config: BrokerOptions = {
	namespace: given.namespace,
	nodeID: settings.node.id,
	transporter: chosenTransporter,

	// With "nats", a request goes to a queue group of every node that has the action and NATS
	// delivers it to exactly one of them; with "moleculer" the caller picks the node itself.
	// Other transporters have no queue groups: Moleculer balances.
	disableBalancer: onNats && given.balancer === "nats",
	registry: { strategy: "RoundRobin", preferLocal: true },

	// Each line names the node and service that wrote it (the JSON lines carry nodeID and svc).
	logger: {
		type: "Console",
		options: {
			level: given.logLevel,
			formatter: given.logFormat === "json" ? "json" : "full",
			colors: given.logFormat !== "json" && Boolean(process.stdout.isTTY),
		},
	},

	// The default timeout (0) lets a caller wait forever for a node that died mid-request.
	requestTimeout: given.requestTimeoutMs,
	// How soon the others forget a node that stopped answering (a host cut off, a hung process):
	// the registry checks every heartbeatTimeout, so within 2 × 5 s, the same 10 s in which the
	// NATS servers close the route to a host that dropped off and take its queue subscriptions
	// away (their pings, nats/nats.conf, or the host's TCP retransmission limit: README, "Running
	// on several machines"). Until then its requests are sent again (WORKFLOW_ATTEMPT_TIMEOUT).
	// Beats every 2 s leave 3 s for a busy event loop to send one; beats every second made
	// in-process tests of four brokers stall now and then.
	heartbeatInterval: given.heartbeatIntervalMs / 1000,
	heartbeatTimeout: given.heartbeatTimeoutMs / 1000,
	// Retry only errors raised before any handler ran (no node had the action yet, or the one
	// chosen was stopping): a call that timed out or failed in a handler may already have written.
	retryPolicy: {
		enabled: true,
		retries: given.retries,
		delay: 100,
		maxDelay: 1000,
		factor: 2,
		check: err => err instanceof Errors.ServiceNotFoundError || err instanceof Errors.ServiceNotAvailableError,
	},
	// A stopping node finishes the requests it holds before it leaves; a call that timed out is
	// over, not held (SettleTimedOutCalls). The gateway's calls to a service of its own node stay
	// in the node (LocalFirst); every other call goes through NATS, as the balancer says.
	tracking: { enabled: true, shutdownTimeout: 10_000 },
	middlewares: [SettleTimedOutCalls(), LocalFirst(["api"])],

	// fastest-validator, its messages naming the field, the value given and what is allowed.
	validator: new FieldValidator(),
	// Off by default: collecting costs throughput on every call (see the README for the figure).
	metrics: given.metrics
		? { enabled: true, reporter: { type: "Prometheus", options: { port: given.metricsPort, host: given.metricsHost, path: "/metrics" } } }
		: false,
	tracing: tracing(),
};

export default config;
