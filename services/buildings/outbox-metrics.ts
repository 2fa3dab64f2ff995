import type { ServiceSchema } from "moleculer";
import { outboxStats } from "../models/outbox.statements";

/** Gauges of the outbox, in Prometheus as buildings_outbox_backlog and buildings_outbox_oldest_age_seconds. */
export const OUTBOX_METRICS = { backlog: "buildings.outbox.backlog", oldestAge: "buildings.outbox.oldest_age_seconds" } as const;

/**
 * With METRICS on, the outbox's backlog and the age of its oldest job, read every `intervalMs`
 * (the same on every buildings node: they share the table). Off, it costs nothing.
 */
export function OutboxMetricsMixin({ intervalMs }: { intervalMs: number }): Partial<ServiceSchema> {
	return {
		created() {
			if (!this.broker.isMetricsEnabled()) return;
			this.broker.metrics.register({ name: OUTBOX_METRICS.backlog, type: "gauge", description: "Outbox jobs not done yet", unit: "job" });
			this.broker.metrics.register({
				name: OUTBOX_METRICS.oldestAge,
				type: "gauge",
				description: "Age of the oldest outbox job",
				unit: "second",
			});
		},
		started() {
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
			this.outboxMetricsTimer = setInterval(() => void update(), intervalMs);
		},
		stopped() {
			clearInterval(this.outboxMetricsTimer);
		},
	};
}
