import type { Context, Errors, ServiceBroker, ServiceSchema } from "moleculer";
import type { Model, ModelStatic, Sequelize, Transaction } from "sequelize";
import {
	claimDueJobs,
	deleteBuildingWithJob,
	deleteJob,
	insertBuildingsWithJobs,
	markWorkflowsCreated,
	retryJobLater,
	type Completion,
	type NewBuilding,
	type OutboxJob,
	type SavedBuilding,
} from "../models/outbox.statements";
import type { CreateWorkflowParams, RemoveWorkflowsByBuildingParams, Workflow } from "../types";
import { Batcher } from "./batcher";
import { callIdempotent } from "./idempotent-call";

export type { OutboxJob, SavedBuilding } from "../models/outbox.statements";

export interface OutboxOptions {
	/** ms the workflows service has to do a job, from the request's arrival. */
	callTimeoutMs: number;
	/** ms one attempt waits before the request is sent again (the job is idempotent). */
	attemptTimeoutMs: number;
	/** ms between two passes over the due jobs. */
	reconcileIntervalMs: number;
	/** Jobs leased in one pass; a full pass that got work done is followed at once. */
	reconcileBatch: number;
	/** The longest wait between two attempts of a job. */
	maxBackoffMs: number;
	/** New buildings waiting for one group commit; past it, a 503 before anything is written. */
	maxQueued: number;
}

/** What the mixin gives a service. */
export interface Outbox {
	/**
	 * Saves a building with the job that creates its workflow; concurrent calls share one
	 * statement. A building still queued at `deadline` is not saved (503 OVERLOADED).
	 */
	saveBuilding(building: NewBuilding, deadline: number, transaction?: Transaction): Promise<SavedBuilding>;
	/** Deletes a building and saves the job that removes its workflows; undefined if there is none. */
	deleteBuilding(id: number): Promise<{ row: Model; job: OutboxJob } | undefined>;
	/**
	 * Does a job now, by `deadline` (default: the call timeout from now): the workflow it created
	 * (null if none). Throws if the workflows service did not do it.
	 */
	runJob(job: OutboxJob, parentCtx?: Context, deadline?: number): Promise<Workflow | null>;
	/** Leaves a failed job for the reconciler, due after its backoff. */
	postpone(job: OutboxJob, err: Error): Promise<void>;
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

interface Self {
	broker: ServiceBroker;
	sequelize: Sequelize;
	model: ModelStatic<Model>;
	logger: { info(...args: unknown[]): void; warn(...args: unknown[]): void; debug(...args: unknown[]): void };
	newBuildings: Batcher<NewBuilding, SavedBuilding>;
	completions: Batcher<Completion>;
	reconcileTimer?: NodeJS.Timeout;
	reconciling?: Promise<void>;
	/** Called with the buildings whose workflows were just recorded (the service's hook). */
	workflowsCreated(buildingIds: number[]): Promise<void>;
	runJob(job: OutboxJob, parentCtx?: Context, deadline?: number): Promise<Workflow | null>;
	postpone(job: OutboxJob, err: Error): Promise<void>;
	reconcile(): Promise<{ leased: number; done: number }>;
	drain(): Promise<void>;
	traced<T>(ctx: Context | undefined, name: string, work: () => Promise<T>): Promise<T>;
}

/**
 * The buildings outbox: work owed to the workflows service, saved in the transaction of the
 * change it belongs to, tried at once, and retried by every buildings node until it is done.
 * A job is leased (not locked) while it runs, so a node that dies mid-job only delays it by the
 * lease, which outlasts one attempt: no two nodes run a job at once. New buildings and finished
 * jobs are written by group commit.
 */
export function OutboxMixin(options: OutboxOptions): Partial<ServiceSchema> {
	const { callTimeoutMs, attemptTimeoutMs, reconcileIntervalMs, reconcileBatch, maxBackoffMs, maxQueued } = options;
	const leaseMs = jobLeaseMs(callTimeoutMs);
	return {
		methods: {
			saveBuilding(this: Self, building: NewBuilding, deadline: number, transaction?: Transaction): Promise<SavedBuilding> {
				if (!transaction) return this.newBuildings.add(building, deadline);
				return insertBuildingsWithJobs(this.sequelize, [building], leaseMs, transaction).then(([saved]) => saved);
			},

			deleteBuilding(this: Self, id: number) {
				return deleteBuildingWithJob(this.sequelize, this.model, id, leaseMs);
			},

			async runJob(this: Self, job: OutboxJob, parentCtx?: Context, deadline = Date.now() + callTimeoutMs): Promise<Workflow | null> {
				// The job ends by the deadline, well inside its lease: no other node takes it meanwhile.
				const call = <T, P>(action: string, params: P) =>
					callIdempotent<T, P>(this.broker, action, params, { deadline, attemptMs: attemptTimeoutMs, parentCtx });
				const { buildingId } = job;
				if (job.kind === "removeWorkflows") {
					await call<unknown, RemoveWorkflowsByBuildingParams>("workflows.removeByBuilding", { buildingId });
					await deleteJob(this.sequelize, job.id);
					return null;
				}
				// One request per building on the queue group: whichever workflows node takes it. The
				// request key makes a retry return the workflow a first attempt created.
				const request = { name: job.payload.name ?? DEFAULT_WORKFLOW_NAME, buildingId, requestKey: `building:${buildingId}` };
				const workflow = await call<Workflow, CreateWorkflowParams>("workflows.create", request).catch((err: Errors.MoleculerError) =>
					err.type === "BUILDING_REMOVED" ? null : Promise.reject(err),
				);
				// Null: the building was removed meanwhile, and there is nothing left to do.
				if (!workflow) await deleteJob(this.sequelize, job.id);
				else
					await this.traced(parentCtx, "mark workflow created", () =>
						this.completions.add({ jobId: job.id, buildingId, workflowId: workflow.id }),
					);
				return workflow;
			},

			async postpone(this: Self, job: OutboxJob, err: Error): Promise<void> {
				// If even this write fails, the lease runs out and the job is picked up all the same.
				await retryJobLater(this.sequelize, job.id, backoffMs(job.attempts, maxBackoffMs), err.message).catch((dbErr: Error) =>
					this.logger.debug(`Could not reschedule job ${job.id}: ${dbErr.message}`),
				);
			},

			/** One pass over the due jobs, each leased to this node while it runs. */
			async reconcile(this: Self): Promise<{ leased: number; done: number }> {
				const jobs = await claimDueJobs(this.sequelize, reconcileBatch, leaseMs);
				if (jobs.length === 0) return { leased: 0, done: 0 };
				const failures: Error[] = [];
				await Promise.all(jobs.map(job => this.runJob(job).catch((err: Error) => (failures.push(err), this.postpone(job, err)))));
				const reason = failures.length > 0 ? ` (${failures[0].message})` : "";
				this.logger.info(`Outbox: ${jobs.length - failures.length} job(s) done, ${failures.length} to retry${reason}.`);
				return { leased: jobs.length, done: jobs.length - failures.length };
			},

			/** Passes until one finds less than a full batch: a backlog drains as fast as the workflows nodes go, not the timer. */
			async drain(this: Self): Promise<void> {
				for (;;) {
					const { leased, done } = await this.reconcile();
					if (this.broker.stopping || leased < reconcileBatch || done === 0) return;
				}
			},
		},

		created() {
			this.newBuildings = new Batcher((items: NewBuilding[]) => insertBuildingsWithJobs(this.sequelize, items, leaseMs), {
				maxQueued,
			});
			this.completions = new Batcher(async (done: Completion[]) => {
				await markWorkflowsCreated(this.sequelize, done);
				await this.workflowsCreated(done.map(d => d.buildingId));
				return done.map(() => undefined);
			});
		},

		started() {
			this.reconcileTimer = setInterval(() => {
				if (this.reconciling || this.broker.stopping) return;
				// A pass cut short by the node's stop (its pool closing) is the next pass's to do.
				this.reconciling = this.drain()
					.catch((err: Error) => this.broker.stopping || this.logger.warn(`Outbox pass failed: ${err.message}`))
					.finally(() => (this.reconciling = undefined));
			}, reconcileIntervalMs);
		},

		async stopped() {
			clearInterval(this.reconcileTimer);
			await this.reconciling;
		},
	};
}
