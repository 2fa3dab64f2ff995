import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Service, ServiceBroker } from "moleculer";
import type { Sequelize } from "sequelize";
import { EventLoopWatch } from "./event-loop-watch";

type Check = "ok" | "failing";

/** What a probe may find on a local service: its database pool (db.mixin), its HTTP server (the gateway). */
type Probed = Service & { sequelize?: Sequelize; server?: Server };

/** A database that has not answered by then counts as failing: a probe has its own timeout. */
const DATABASE_CHECK_TIMEOUT_MS = 2000;

/**
 * A node's own health, over HTTP on HEALTH_PORT, for Kubernetes probes (the buildings and
 * workflows nodes serve no HTTP of their own):
 * - GET /live: 200 while the event loop runs on time, 503 once it lagged by more than
 *   STALLED_LAG_MS: a restart is the cure;
 * - GET /ready: 200 once the broker has started, its transporter is connected and what its
 *   services depend on answers (each one's database; the gateway's HTTP server), 503 while
 *   starting or stopping, or when one fails: not a reason to restart, only to wait.
 */
export class HealthServer {
	private readonly watch = new EventLoopWatch();
	private readonly server: Server;

	constructor(private readonly broker: ServiceBroker) {
		this.server = createServer((req, res) => {
			const answer = (code: number, body: object) => {
				res.writeHead(code, { "Content-Type": "application/json; charset=utf-8" });
				res.end(JSON.stringify(body));
			};
			if (req.method !== "GET") return answer(405, { message: "Only GET." });
			if (req.url === "/live") return answer(this.watch.stalled ? 503 : 200, this.live());
			if (req.url === "/ready") {
				return void this.ready().then(
					body => answer(body.status === "ready" ? 200 : 503, body),
					err => answer(503, { status: "not ready", message: (err as Error).message }),
				);
			}
			answer(404, { message: "GET /live or GET /ready." });
		});
	}

	/** Listens on `port` (0: any free one); resolves with the port. */
	listen(port: number, host = "0.0.0.0"): Promise<number> {
		return new Promise((resolve, reject) => {
			this.server.once("error", reject);
			this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
		});
	}

	close(): Promise<void> {
		this.watch.stop();
		return new Promise(resolve => this.server.close(() => resolve()));
	}

	private live() {
		const { lagMs, stalledLagMs } = this.watch;
		return { status: lagMs > stalledLagMs ? "stalled" : "live", nodeID: this.broker.nodeID, eventLoopLagMs: lagMs, stalledLagMs };
	}

	private async ready(): Promise<{ status: "ready" | "not ready"; nodeID: string; checks: Record<string, Check> }> {
		const { broker } = this;
		const checks: Record<string, Check> = {
			broker: broker.started && !broker.stopping ? "ok" : "failing",
			transporter: !broker.transit || broker.transit.connected ? "ok" : "failing",
		};
		const services = broker.started ? (broker.services as Probed[]) : [];
		await Promise.all(
			services.map(async service => {
				if (service.sequelize) checks[`${service.name}Database`] = await answers(service.sequelize);
				if (service.server) checks[`${service.name}Http`] = service.server.listening ? "ok" : "failing";
			}),
		);
		const ready = Object.values(checks).every(check => check === "ok");
		return { status: ready ? "ready" : "not ready", nodeID: broker.nodeID, checks };
	}
}

/** Whether the pool gets an answer to a trivial query in time. */
async function answers(sequelize: Sequelize): Promise<Check> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<Check>(resolve => (timer = setTimeout(() => resolve("failing"), DATABASE_CHECK_TIMEOUT_MS)));
	const query = sequelize.query("SELECT 1").then(
		(): Check => "ok",
		(): Check => "failing",
	);
	const check = await Promise.race([query, late]);
	clearTimeout(timer);
	return check;
}
