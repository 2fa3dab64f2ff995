import type { Context, Errors, Logger, ServiceBroker } from "moleculer";
import type { Sequelize } from "sequelize";
import { callIdempotent } from "../../broker/idempotent-call";
import { RepeatSummary } from "../../broker/repeat-summary";
import type { Settings } from "../../config/settings";
import { Batcher } from "../../db/batcher";
import { traced } from "../../db/traced";
import type { Building, CreateWorkflowParams, RemoveWorkflowsByBuildingParams, VersionedWorkflow, Workflow } from "../../types";
import { markWorkflowsCreated, type Completion } from "./workflow-copies.statements";
import { OutboxMetrics } from "./outbox-metrics";
import { claimDueJobs, deleteJob, retryJobLater, type OutboxJob } from "./outbox.statements";

export type { OutboxJob } from "./outbox.statements";

/** The outbox settings it runs by (config/settings.ts, `outbox`). */
export type OutboxOptions = Settings["outbox"];

/** A building whose first workflow was just created, as both now are (null: deleted since). */
export interface CreatedWorkflow {
	building: Building;
	workflow: Workflow | null;
}

/** 0.5 s after the first attempt, doubling up to `maxMs`, with ±20 % jitter so nodes spread out. */
export function backoffMs(attempts: number, maxMs: number): number {
	const base = Math.min(maxMs, 500 * 2 ** Math.max(0, attempts - 1));
	return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** How long a job is left to the node that took it: longer than one attempt can take. */
export function jobLeaseMs(callTimeoutMs: number): number {
	return callTimeoutMs + 5000;
}

/** The workflow a building's first workflow is named when the request names none. */
const DEFAULT_WORKFLOW_NAME = "New Workflow";

/**
 * The buildings outbox: work owed to the workflows service, saved in the statement of the
 * change it belongs to, tried at once, and retried by every buildings node until it is done.
 * A job is leased (not locked) while it runs, so a node that dies mid-job only delays it by the
 * lease, which outlasts one attempt: no two nodes run a job at once. Finished jobs are recorded
 * by group commit.
 */
export class Outbox {
	readonly leaseMs: number;
	private readonly completions: Batcher<Completion, Building | undefined>;
	private readonly metrics: OutboxMetrics;
	private timer?: NodeJS.Timeout;
	private pass?: Promise<void>;
	/** A pass fails each interval while the database is out of reach: one line, then one per 10 s with a count. */
	private readonly passFailures = new RepeatSummary(line => this.logger.warn(line), 10_000);

	constructor(
		private readonly sequelize: Sequelize,
		private readonly broker: ServiceBroker,
		private readonly logger: Logger,
		private readonly options: OutboxOptions,
	) {
		this.leaseMs = jobLeaseMs(options.workflowCallTimeoutMs);
		this.completions = new Batcher(async done => {
			return markWorkflowsCreated(sequelize, done);
		});
		this.metrics = new OutboxMetrics(broker, sequelize);
	}

	/**
	 * Creates a building's first workflow by `deadline`: one `workflows.create` request on the
	 * NATS queue group, whichever workflows node takes it, sent again each WORKFLOW_ATTEMPT_TIMEOUT
	 * without an answer (its request key makes a repeat return the first workflow); then records
	 * it. Null if the building was removed meanwhile. Throws if the workflows service did not do it.
	 */
	async createWorkflow(job: OutboxJob, parentCtx?: Context, deadline = this.defaultDeadline()): Promise<CreatedWorkflow | null> {
		const { buildingId } = job;
		const request = { name: job.payload.name ?? DEFAULT_WORKFLOW_NAME, buildingId, requestKey: `building:${buildingId}` };
		const workflow = await this.call<VersionedWorkflow, CreateWorkflowParams>("workflows.create", request, deadline, parentCtx).catch(
			(err: Errors.MoleculerError) => (err.type === "BUILDING_REMOVED" ? null : Promise.reject(err)),
		);
		if (!workflow) {
			await deleteJob(this.sequelize, job.id);
			return null;
		}
		const building = await traced(parentCtx, "buildings", "mark workflow created", () => this.completions.add({ jobId: job.id, workflow }));
		// Deleted after its workflow was made: the removal's own job takes the workflow away.
		if (!building) return null;
		const { version: _version, ...published } = workflow;
		return { building, workflow: building.workflowStatus === "created" ? published : null };
	}

	/** Removes a deleted building's workflows by `deadline`, then drops the job. */
	async removeWorkflows(job: OutboxJob, parentCtx?: Context, deadline = this.defaultDeadline()): Promise<void> {
		await this.call<unknown, RemoveWorkflowsByBuildingParams>(
			"workflows.removeByBuilding",
			{ buildingId: job.buildingId },
			deadline,
			parentCtx,
		);
		await deleteJob(this.sequelize, job.id);
	}

	/** Leaves a failed job for the reconciler, due after its backoff. */
	async postpone(job: OutboxJob, err: Error): Promise<void> {
		// If even this write fails, the lease runs out and the job is picked up all the same.
		await retryJobLater(this.sequelize, job.id, backoffMs(job.attempts, this.options.maxBackoffMs), err.message).catch((dbErr: Error) =>
			this.logger.debug(`Could not reschedule job ${job.id}: ${dbErr.message}`),
		);
	}

	/** Goes over due jobs every RECONCILE_INTERVAL, on every buildings node, until stopped. */
	start(): void {
		this.metrics.start();
		this.timer = setInterval(() => {
			if (this.pass || this.broker.stopping) return;
			// A pass cut short by the node's stop (its pool closing) is the next pass's to do.
			this.pass = this.drain()
				.catch((err: Error) => {
					if (!this.broker.stopping) this.passFailures.note(`Outbox pass failed: ${err.message}`);
				})
				.finally(() => (this.pass = undefined));
		}, this.options.reconcileIntervalMs);
	}

	/** Stops the passes, and waits for the one under way. */
	async stop(): Promise<void> {
		this.metrics.stop();
		clearInterval(this.timer);
		await this.pass;
		this.passFailures.stop();
	}

	/** Passes until one finds less than a full batch: a backlog drains as fast as the workflows nodes go, not the timer. */
	private async drain(): Promise<void> {
		for (;;) {
			const { leased, done } = await this.reconcile();
			if (this.broker.stopping || leased < this.options.reconcileBatch || done === 0) return;
		}
	}

	/** One pass over the due jobs, each leased to this node while it runs. */
	private async reconcile(): Promise<{ leased: number; done: number }> {
		const jobs = await claimDueJobs(this.sequelize, this.options.reconcileBatch, this.leaseMs);
		if (jobs.length === 0) return { leased: 0, done: 0 };
		const failures: Error[] = [];
		const run = (job: OutboxJob) => (job.kind === "removeWorkflows" ? this.removeWorkflows(job) : this.createWorkflow(job));
		await Promise.all(jobs.map(job => run(job).catch((err: Error) => (failures.push(err), this.postpone(job, err)))));
		const reason = failures.length > 0 ? ` (${failures[0].message})` : "";
		this.logger.info(`Outbox: ${jobs.length - failures.length} job(s) done, ${failures.length} to retry${reason}.`);
		return { leased: jobs.length, done: jobs.length - failures.length };
	}

	/** The job ends by its deadline, well inside its lease: no other node takes it meanwhile. */
	private call<T, P>(action: string, params: P, deadline: number, parentCtx?: Context): Promise<T> {
		return callIdempotent<T, P>(this.broker, action, params, { deadline, attemptMs: this.options.workflowAttemptTimeoutMs, parentCtx });
	}

	private defaultDeadline(): number {
		return Date.now() + this.options.workflowCallTimeoutMs;
	}
}
