import type { ServiceBroker } from "moleculer";
import type { Sequelize } from "sequelize";
import { outboxStats } from "./outbox.statements";

/** Gauges of the outbox, in Prometheus as buildings_outbox_backlog and buildings_outbox_oldest_age_seconds. */
export const OUTBOX_METRICS = { backlog: "buildings.outbox.backlog", oldestAge: "buildings.outbox.oldest_age_seconds" } as const;

/**
 * With METRICS on, the outbox's backlog and the age of its oldest job, read every 5 s (the same
 * on every buildings node: they share the table). Off, it costs nothing.
 */
export class OutboxMetrics {
	private timer?: NodeJS.Timeout;

	constructor(
		private readonly broker: ServiceBroker,
		private readonly sequelize: Sequelize,
		private readonly intervalMs = 5000,
	) {
		if (!broker.isMetricsEnabled()) return;
		broker.metrics.register({ name: OUTBOX_METRICS.backlog, type: "gauge", description: "Outbox jobs not done yet", unit: "job" });
		broker.metrics.register({ name: OUTBOX_METRICS.oldestAge, type: "gauge", description: "Age of the oldest outbox job", unit: "second" });
	}

	start(): void {
		if (!this.broker.isMetricsEnabled()) return;
		const update = () =>
			outboxStats(this.sequelize).then(
				({ backlog, oldestAge }) => {
					this.broker.metrics.set(OUTBOX_METRICS.backlog, backlog);
					this.broker.metrics.set(OUTBOX_METRICS.oldestAge, oldestAge === null ? 0 : oldestAge / 1000);
				},
				// The database is down: the gauges keep their last values, the requests report the failure.
				() => undefined,
			);
		this.timer = setInterval(() => void update(), this.intervalMs);
	}

	stop(): void {
		clearInterval(this.timer);
	}
}
