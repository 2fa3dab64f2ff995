import type { Context, Logger, ServiceBroker } from "moleculer";
import type { Sequelize } from "sequelize";
import { callIdempotent } from "../../broker/idempotent-call";
import { RepeatSummary } from "../../broker/repeat-summary";
import type { Settings } from "../../config/settings";
import type { ApplyWorkflowChangesParams, VersionedWorkflow, WorkflowChange } from "../../types";
import { claimDueChanges, currentWorkflows, deleteChanges, retryChangesLater, type ChangeRecord } from "./workflows.statements";

/** The outbox settings the feed runs by (config/settings.ts, `outbox`). */
export type ChangeFeedOptions = Settings["outbox"];

/** 0.5 s after the first attempt, doubling up to `maxMs`. */
const backoffMs = (attempts: number, maxMs: number) => Math.min(maxMs, 500 * 2 ** Math.max(0, attempts - 1));

/**
 * Tells the buildings service of every change to a workflow, so the copy it shows with each
 * building stays true. A change is saved with the workflow, in one statement
 * (workflows.statements.ts); the action that made it reports it at once, before it answers, so a
 * read of the building after that answer, through any node, shows it. If the buildings service
 * cannot take it then, every workflows node goes over the changes still due each
 * RECONCILE_INTERVAL, with backoff, until it does. Reporting is safe to repeat: a copy takes a
 * workflow only over an older version of it.
 */
export class ChangeFeed {
	/** How long a change is left to the node that took it: longer than one report can take. */
	readonly leaseMs: number;
	private timer?: NodeJS.Timeout;
	private pass?: Promise<void>;
	/** While the buildings service is out of reach, each pass fails: one line, then one per 10 s with a count. */
	private readonly passFailures = new RepeatSummary(line => this.logger.warn(line), 10_000);
	private readonly postponed = new RepeatSummary(line => this.logger.warn(line));

	constructor(
		private readonly sequelize: Sequelize,
		private readonly broker: ServiceBroker,
		private readonly logger: Logger,
		private readonly options: ChangeFeedOptions,
	) {
		this.leaseMs = options.workflowCallTimeoutMs + 5000;
	}

	/**
	 * Reports changes, each with the workflow as it now is (null: deleted), by WORKFLOW_CALL_TIMEOUT
	 * from now, then forgets them. Throws if the buildings service did not take them; they stay due.
	 */
	async report(changes: { record: ChangeRecord; workflow: VersionedWorkflow | null }[], parentCtx?: Context): Promise<void> {
		const deadline = Date.now() + this.options.workflowCallTimeoutMs;
		const params = {
			changes: changes.map(({ record, workflow }): WorkflowChange => ({
				buildingId: record.buildingId,
				workflowId: record.workflowId,
				workflow,
			})),
		};
		await callIdempotent<unknown, ApplyWorkflowChangesParams>(this.broker, "buildings.applyWorkflowChanges", params, {
			deadline,
			attemptMs: this.options.workflowAttemptTimeoutMs,
			parentCtx,
		});
		await deleteChanges(
			this.sequelize,
			changes.map(({ record }) => record.id),
		);
	}

	/** Leaves changes for the reconciler, due after their backoff. */
	async postpone(records: ChangeRecord[], err: Error): Promise<void> {
		this.postponed.note(
			`Workflow changes not yet shown by the buildings service: ${err.message}`,
			`${records.length} workflow change(s) not yet shown by the buildings service: ${err.message}`,
		);
		const delay = backoffMs(Math.min(...records.map(r => r.attempts)), this.options.maxBackoffMs);
		// If even this write fails, the lease runs out and the changes are picked up all the same.
		await retryChangesLater(
			this.sequelize,
			records.map(r => r.id),
			delay,
		).catch(() => undefined);
	}

	/** Goes over the changes still due every RECONCILE_INTERVAL, on every workflows node, until stopped. */
	start(): void {
		this.timer = setInterval(() => {
			if (this.pass || this.broker.stopping) return;
			this.pass = this.drain()
				.catch((err: Error) => {
					if (!this.broker.stopping) this.passFailures.note(`Change feed pass failed: ${err.message}`);
				})
				.finally(() => (this.pass = undefined));
		}, this.options.reconcileIntervalMs);
	}

	/** Stops the passes, and waits for the one under way. */
	async stop(): Promise<void> {
		clearInterval(this.timer);
		await this.pass;
		this.passFailures.stop();
		this.postponed.stop();
	}

	/** Passes until one finds less than a full batch, or fails. */
	private async drain(): Promise<void> {
		for (;;) {
			const records = await claimDueChanges(this.sequelize, this.options.reconcileBatch, this.leaseMs);
			if (records.length === 0) return;
			const current = new Map((await currentWorkflows(this.sequelize, [...new Set(records.map(r => r.workflowId))])).map(w => [w.id, w]));
			const changes = records.map(record => ({ record, workflow: current.get(record.workflowId) ?? null }));
			const reported = await this.report(changes).then(
				() => true,
				(err: Error) => this.postpone(records, err).then(() => false),
			);
			if (reported) this.logger.info(`Change feed: ${records.length} workflow change(s) shown by the buildings service.`);
			if (!reported || this.broker.stopping || records.length < this.options.reconcileBatch) return;
		}
	}
}
