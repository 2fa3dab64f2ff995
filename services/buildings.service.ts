import { Errors, Service as MoleculerService, type Context } from "moleculer";
import { QueryTypes, type Transaction } from "sequelize";
import { Action, Service } from "moleculer-decorators";
import { integerFromEnv } from "../config/env";
import { buildingsMigrations } from "../migrations/buildings";
import { EntityNotFoundError } from "../mixins/db-errors";
import { DbMixin, type DbStore } from "../mixins/db.mixin";
import { ReadCacheMixin, type ReadCache } from "../mixins/read-cache.mixin";
import { BuildingModel } from "../models/building.model";
import type {
	Building,
	BuildingsHealth,
	BuildingIdParams,
	BuildingWithWorkflow,
	CreateBuildingParams,
	CreateWorkflowParams,
	ListBuildingsParams,
	Page,
	RemoveWorkflowsByBuildingParams,
	UpdateBuildingParams,
	Workflow,
	WorkflowIdParams,
} from "../types";
import { Batcher } from "../mixins/batcher";
import { nodesRunning } from "../mixins/registry";
import { IdempotencyKeys, requestHash } from "./idempotency";
import { Outbox, type OutboxJob } from "./outbox";
import { idRule, keyRule, nameRule, pageRules, sortRule } from "../types/validation";

export const DEFAULT_WORKFLOW_NAME = "New Workflow";

/** A building to insert, with the payload of its first job. */
interface NewBuilding {
	name: string;
	payload: OutboxJob["payload"];
}

/** A job done: its building's workflow exists. */
interface Completion {
	jobId: string;
	buildingId: number;
	workflowId: number;
}

interface BuildingsSettings {
	/** ms a request waits for the workflows service before answering "pending". */
	workflowCallTimeout: number;
	/** ms between two passes of the outbox. */
	reconcileInterval: number;
	outboxMaxBackoff: number;
	idempotencyKeyTtlHours: number;
}

/**
 * Buildings, in the buildings database. Each building gets exactly one first workflow: the
 * intent is saved with the building (the outbox), tried at once, and retried by every buildings
 * node until the workflows service has it. Removal travels the same way.
 */
@Service({
	name: "buildings",
	mixins: [
		DbMixin({ database: "buildings", model: BuildingModel, migrations: buildingsMigrations }),
		// Answers of `get`, forgotten on every change to a building or to its workflow.
		ReadCacheMixin<BuildingWithWorkflow>({
			maxEntries: integerFromEnv("READ_CACHE_SIZE", 10_000),
			announce: "buildings.changed",
			listen: ["buildings.changed", "workflows.changed"],
		}),
	],
	settings: {
		fields: ["id", "name", "workflowStatus", "workflowId", "createdAt", "updatedAt"],
		workflowCallTimeout: integerFromEnv("WORKFLOW_CALL_TIMEOUT", 3000),
		reconcileInterval: integerFromEnv("RECONCILE_INTERVAL", 1000),
		outboxMaxBackoff: integerFromEnv("OUTBOX_MAX_BACKOFF", 10_000),
		idempotencyKeyTtlHours: integerFromEnv("IDEMPOTENCY_KEY_TTL_HOURS", 24),
	} satisfies BuildingsSettings & Record<string, unknown>,
})
export default class BuildingsService extends MoleculerService<BuildingsSettings> {
	declare outbox: Outbox;
	declare idempotencyKeys: IdempotencyKeys;
	declare completions: Batcher<Completion>;
	declare newBuildings: Batcher<NewBuilding, { building: Building; job: OutboxJob }>;
	declare reconcileTimer: NodeJS.Timeout | undefined;
	declare reconciling: Promise<void> | undefined;
	declare lastPurge: number;

	/**
	 * Creates a building and its first workflow. Answers the building with `workflow` and
	 * `workflowStatus: "created"`, or, when the workflows service cannot answer in time,
	 * `workflow: null` and `workflowStatus: "pending"`: the workflow follows shortly. With an
	 * `idempotencyKey`, a repeat gets the first answer; the key with other parameters is a 422.
	 */
	@Action({
		params: {
			name: nameRule,
			workflowName: { ...nameRule, optional: true },
			idempotencyKey: keyRule,
			$$strict: true,
		},
	})
	async create(ctx: Context<CreateBuildingParams>): Promise<BuildingWithWorkflow> {
		const { name, workflowName, idempotencyKey } = ctx.params;
		const job = { name: workflowName ?? DEFAULT_WORKFLOW_NAME };
		if (!idempotencyKey) return this.createWorkflowNow(ctx, await this.traced(ctx, "insert building and job", () => this.insertWithJob(name, job)));

		const hash = requestHash({ name, workflowName });
		const saved = await this.sequelize
			.transaction(async transaction => {
				const inserted = await this.traced(ctx, "insert building and job", () => this.insertWithJob(name, job, transaction));
				// A key in use rolls the new building back: the request is a repeat.
				if (!(await this.idempotencyKeys.claim(transaction, idempotencyKey, hash, inserted.building.id))) throw new KeyInUse();
				return inserted;
			})
			.catch((err: Error) => (err instanceof KeyInUse ? undefined : Promise.reject(err)));
		if (!saved) return this.replay(ctx, idempotencyKey, hash);
		const answer = await this.createWorkflowNow(ctx, saved);
		// Without the saved answer a repeat is answered from the building's state instead.
		await this.idempotencyKeys.saveResponse(idempotencyKey, answer).catch((err: Error) => this.logger.warn(`Answer to key not saved: ${err.message}`));
		return answer;
	}

	/** One page of buildings; `search` matches part of the name. */
	@Action({
		params: {
			...pageRules,
			sort: sortRule(["id", "name", "createdAt", "updatedAt"]),
			search: { type: "string", trim: true, max: 200, optional: true },
			$$strict: true,
		},
	})
	async list(ctx: Context<ListBuildingsParams>): Promise<Page<Building>> {
		const { search, ...paging } = ctx.params;
		if (search) {
			const params = this.sanitizeParams(ctx, { sort: "id", ...paging, search, searchFields: ["name"] });
			return this.traced(ctx, "list buildings", () => this._list(ctx, params) as Promise<Page<Building>>);
		}
		// Unfiltered, the total comes from the count the triggers keep (migration 003), not count(*).
		const params = this.sanitizeParams(ctx, { sort: "id", ...paging }) as { page: number; pageSize: number };
		const [found, [{ n }]] = await this.traced(ctx, "list buildings", () =>
			Promise.all([this.adapter.find(params), this.sequelize.query<{ n: string }>('SELECT "n" FROM "building_count"', { type: QueryTypes.SELECT })]),
		);
		const total = Number(n);
		const rows = (await this.transformDocuments(ctx, params, found)) as Building[];
		return { rows, total, page: params.page, pageSize: params.pageSize, totalPages: Math.ceil(total / params.pageSize) };
	}

	/** One building with its workflow (null while pending); 404 if there is none with this id. */
	@Action({ params: { id: idRule, $$strict: true } })
	get(ctx: Context<BuildingIdParams>): Promise<BuildingWithWorkflow> {
		const { id } = ctx.params;
		// An answer whose workflow could not be fetched is not kept.
		return this.readThrough(id, () => this.withWorkflow(ctx, id), answer => answer.workflowId === null || answer.workflow !== null);
	}

	/** Renames a building; 404 if there is none with this id. */
	@Action({ params: { id: idRule, name: nameRule, $$strict: true } })
	async update(ctx: Context<UpdateBuildingParams>): Promise<Building> {
		const { id, name } = ctx.params;
		const [count, rows] = await this.model.update({ name }, { where: { id }, returning: true });
		if (count === 0) throw new EntityNotFoundError(id);
		await this.forget([id]);
		return this.toBuilding(ctx, rows[0]);
	}

	/**
	 * Deletes a building and returns it; its workflows are removed at once if the workflows
	 * service answers, later otherwise. A workflow still pending for it is never created.
	 */
	@Action({ params: { id: idRule, $$strict: true } })
	async remove(ctx: Context<BuildingIdParams>): Promise<Building> {
		const { id } = ctx.params;
		const { row, job } = await this.sequelize.transaction(async transaction => {
			const [row] = await this.sequelize.query('DELETE FROM "buildings" WHERE "id" = :id RETURNING *', { replacements: { id }, model: this.model, mapToModel: true, transaction });
			if (!row) throw new EntityNotFoundError(id);
			await this.outbox.cancel(transaction, id, "createWorkflow");
			return { row, job: await this.outbox.add(transaction, id, "removeWorkflows") };
		});
		await this.forget([id]);
		await this.runJob(job, ctx).catch((err: Error) => {
			this.logger.warn(`Removal of building ${id}'s workflows is pending: ${err.message}`);
			return this.postpone(job, err);
		});
		return this.toBuilding(ctx, row);
	}

	/**
	 * Whether this node reaches its database, and which workflows nodes it can send work to.
	 * Internal: for the gateway's readiness check.
	 */
	@Action({ visibility: "public" })
	async health(): Promise<BuildingsHealth> {
		await this.sequelize.query("SELECT 1");
		return { database: "ok", workflowsNodes: nodesRunning(this.broker, "workflows") };
	}

	/**
	 * Runs a new building's job at once: the building with its workflow, or, if the workflows
	 * service does not answer in time, with `workflow: null` while the job waits for the
	 * reconciler.
	 */
	async createWorkflowNow(ctx: Context, { building, job }: { building: Building; job: OutboxJob }): Promise<BuildingWithWorkflow> {
		try {
			const workflow = await this.runJob(job, ctx);
			return { ...building, workflowStatus: "created", workflowId: workflow?.id ?? null, workflow };
		} catch (err) {
			this.logger.warn(`Workflow of building ${building.id} is pending: ${(err as Error).message}`);
			await this.postpone(job, err as Error);
			return { ...building, workflow: null };
		}
	}

	/**
	 * Saves a building and the job to create its workflow, atomically, in one statement (one
	 * round trip on the hot path). The job is leased to the caller, which runs it at once.
	 * Without a transaction, concurrent calls share one statement (see `newBuildings`).
	 */
	insertWithJob(name: string, payload: OutboxJob["payload"], transaction?: Transaction): Promise<{ building: Building; job: OutboxJob }> {
		return transaction ? this.insertBuildings([{ name, payload }], transaction).then(([saved]) => saved) : this.newBuildings.add({ name, payload });
	}

	/**
	 * Inserts buildings with their jobs, in the order given, in one statement: ids are drawn
	 * from the sequence first, so each row finds its request again.
	 */
	async insertBuildings(items: NewBuilding[], transaction?: Transaction): Promise<{ building: Building; job: OutboxJob }[]> {
		const rows = await this.sequelize.query<Building & { position: string; jobId: string; attempts: number }>(
			`WITH input AS (
				SELECT nextval(pg_get_serial_sequence('buildings', 'id'))::integer AS "id", t."name", t."payload", t."position"
				FROM unnest(ARRAY[:names]::varchar[], ARRAY[:payloads]::jsonb[]) WITH ORDINALITY AS t("name", "payload", "position")
			), building AS (
				INSERT INTO "buildings" ("id", "name", "workflowStatus", "createdAt", "updatedAt")
				SELECT "id", "name", 'pending', now(), now() FROM input RETURNING *
			), job AS (
				INSERT INTO "outbox" ("buildingId", "kind", "payload", "attempts", "nextAttemptAt", "createdAt")
				SELECT "id", 'createWorkflow', "payload", 1, now() + :leaseMs * interval '1 millisecond', now() FROM input
				RETURNING "id", "buildingId", "attempts"
			)
			SELECT building.*, input."position", job."id" AS "jobId", job."attempts"
			FROM input JOIN building ON building."id" = input."id" JOIN job ON job."buildingId" = input."id"
			ORDER BY input."position"`,
			{
				replacements: { names: items.map(i => i.name), payloads: items.map(i => JSON.stringify(i.payload)), leaseMs: this.outbox.leaseMs },
				transaction,
				type: QueryTypes.SELECT,
			},
		);
		return rows.map(({ position: _position, jobId, attempts, ...building }, i) => ({
			building,
			job: { id: jobId, buildingId: building.id, kind: "createWorkflow", payload: items[i].payload, attempts },
		}));
	}

	/**
	 * Does one outbox job: asks the workflows service, then records the result and drops the
	 * job in one statement. Throws if the workflows service did not do it.
	 */
	async runJob(job: OutboxJob, parentCtx?: Context): Promise<Workflow | null> {
		const options = { timeout: this.settings.workflowCallTimeout, parentCtx };
		const { buildingId } = job;
		if (job.kind === "removeWorkflows") {
			await this.broker.call<{ removed: number }, RemoveWorkflowsByBuildingParams>("workflows.removeByBuilding", { buildingId }, options);
			await this.outbox.done(job.id);
			return null;
		}
		const request: CreateWorkflowParams = { name: job.payload.name ?? DEFAULT_WORKFLOW_NAME, buildingId, requestKey: `building:${buildingId}` };
		// One request per building on the queue group: whichever workflows node takes it.
		const workflow = await this.broker
			.call<Workflow, CreateWorkflowParams>("workflows.create", request, options)
			.catch((err: Errors.MoleculerError) => (err.type === "BUILDING_REMOVED" ? null : Promise.reject(err)));
		// Null: the building was removed meanwhile, and there is nothing left to do.
		if (!workflow) {
			await this.outbox.done(job.id);
			return null;
		}
		await this.traced(parentCtx, "mark workflow created", () => this.completions.add({ jobId: job.id, buildingId, workflowId: workflow.id }));
		return workflow;
	}

	/** Marks buildings' workflows created and drops their jobs: one statement for many. */
	async markCreated(done: Completion[]): Promise<void[]> {
		await this.sequelize.query(
			`WITH done AS (SELECT * FROM unnest(ARRAY[:jobIds]::bigint[], ARRAY[:buildingIds]::integer[], ARRAY[:workflowIds]::integer[]) AS d("jobId", "buildingId", "workflowId")),
			 jobs AS (DELETE FROM "outbox" WHERE "id" IN (SELECT "jobId" FROM done))
			 UPDATE "buildings" AS b SET "workflowStatus" = 'created', "workflowId" = done."workflowId", "updatedAt" = now() FROM done WHERE b."id" = done."buildingId"`,
			{ replacements: { jobIds: done.map(d => d.jobId), buildingIds: done.map(d => d.buildingId), workflowIds: done.map(d => d.workflowId) } },
		);
		await this.forget(done.map(d => d.buildingId));
		return done.map(() => undefined);
	}

	/**
	 * Leaves a job that failed for the reconciler. The change it belongs to is committed, so the
	 * request still succeeds; if even this write fails, the job's lease runs out and it is
	 * picked up all the same.
	 */
	async postpone(job: OutboxJob, err: Error): Promise<void> {
		await this.outbox.retryLater(job, err).catch((dbErr: Error) => this.logger.debug(`Could not reschedule job ${job.id}: ${dbErr.message}`));
	}

	/** One pass over the due outbox jobs (each leased to this node while it runs). */
	async reconcile(): Promise<void> {
		const jobs = await this.outbox.claimDue(50);
		const results = await Promise.allSettled(
			jobs.map(job =>
				this.runJob(job).catch(async (err: Error) => {
					await this.postpone(job, err);
					throw err;
				}),
			),
		);
		const failures = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
		if (jobs.length > 0) {
			const reason = failures.length > 0 ? ` (${(failures[0].reason as Error).message})` : "";
			this.logger.info(`Outbox: ${jobs.length - failures.length} job(s) done, ${failures.length} to retry${reason}.`);
		}
		if (Date.now() - this.lastPurge > 60_000) {
			this.lastPurge = Date.now();
			await this.idempotencyKeys.purgeExpired();
		}
	}

	/** Answers a repeated request: the first answer, or why there is none. */
	async replay(ctx: Context, key: string, hash: string): Promise<BuildingWithWorkflow> {
		const record = await this.idempotencyKeys.find(key);
		if (record && record.requestHash !== hash) {
			const message = "This Idempotency-Key was used for a different request.";
			throw new Errors.ValidationError(message, "VALIDATION_ERROR", [{ type: "idempotencyKeyReused", field: "idempotencyKey", message }]);
		}
		if (record?.response) return record.response as BuildingWithWorkflow;
		// The first request's node stopped before saving its answer: answer with the state now.
		if (record && Date.now() - new Date(record.createdAt).getTime() > this.outbox.leaseMs) {
			return this.withWorkflow(ctx, record.buildingId);
		}
		// The first request is still being handled (or the key expired a moment ago).
		throw new Errors.MoleculerClientError("A request with this Idempotency-Key is in progress. Try again shortly.", 409, "IDEMPOTENCY_KEY_IN_USE");
	}

	/** A building read from the database, with its workflow (null while pending or unreachable). */
	async withWorkflow(ctx: Context, id: number): Promise<BuildingWithWorkflow> {
		const building = (await this.traced(ctx, "get building", () => this._get(ctx, { id }))) as Building;
		return { ...building, workflow: await this.findWorkflow(ctx, building) };
	}

	async findWorkflow(ctx: Context, building: Building): Promise<Workflow | null> {
		if (building.workflowId === null) return null;
		return ctx
			.call<Workflow, WorkflowIdParams>("workflows.get", { id: building.workflowId }, { timeout: this.settings.workflowCallTimeout })
			.catch(() => null);
	}

	toBuilding(ctx: Context, row: unknown): Promise<Building> {
		return this.transformDocuments(ctx, {}, row) as Promise<Building>;
	}

	created(): void {
		const { workflowCallTimeout, outboxMaxBackoff, idempotencyKeyTtlHours } = this.settings;
		// A job's lease outlasts one attempt, so no two nodes run it at once.
		this.outbox = new Outbox(this.sequelize, { leaseMs: workflowCallTimeout + 5000, maxBackoffMs: outboxMaxBackoff });
		this.idempotencyKeys = new IdempotencyKeys(this.sequelize, idempotencyKeyTtlHours);
		this.completions = new Batcher(done => this.markCreated(done));
		this.newBuildings = new Batcher(items => this.insertBuildings(items));
		this.lastPurge = 0;
	}

	started(): void {
		this.reconcileTimer = setInterval(() => {
			if (this.reconciling) return;
			this.reconciling = this.reconcile()
				.catch((err: Error) => this.logger.warn(`Outbox pass failed: ${err.message}`))
				.finally(() => (this.reconciling = undefined));
		}, this.settings.reconcileInterval);
	}

	async stopped(): Promise<void> {
		clearInterval(this.reconcileTimer);
		await this.reconciling;
	}
}

export default interface BuildingsService extends DbStore, ReadCache<BuildingWithWorkflow> {}

/** Raised inside the create transaction to roll it back when the idempotency key is taken. */
class KeyInUse extends Error {}
