import type { Context, Errors } from "moleculer";
import { Action, Method, Service } from "moleculer-decorators";
import { nodesRunning } from "../../broker/registry";
import { RepeatSummary } from "../../broker/repeat-summary";
import { settings } from "../../config/settings";
import { Batcher } from "../../db/batcher";
import { EntityNotFoundError } from "../../db/errors";
import { traced } from "../../db/traced";
import { DbMixin, DbService } from "../../mixins/db.mixin";
import {
	buildingSchema,
	type ApplyWorkflowChangesParams,
	type Building,
	type BuildingIdParams,
	type BuildingsHealth,
	type BuildingWithWorkflow,
	type CreateBuildingParams,
	type ListBuildingsParams,
	type OutboxStats,
	type Page,
	type UpdateBuildingParams,
	type Workflow,
	type WorkflowIdParams,
} from "../../types";
import { idRule, keyRule, nameRule, pageRules, sortRule, sortThenById } from "../../types/validation";
import { BuildingModel } from "./building.model";
import {
	countBuildings,
	deleteBuildingWithJob,
	nameContains,
	ping,
	renameBuilding,
	saveNewBuildings,
	type NewBuilding,
	type SaveOutcome,
	type SavedBuilding,
} from "./buildings.statements";
import { buildingsMigrations } from "./migrations";
import { applyWorkflowChanges, readBuildingWithWorkflow, saveMissingCopy } from "./workflow-copies.statements";
import { Outbox } from "./outbox";
import { outboxStats } from "./outbox.statements";
import { requestKey, RequestKeys } from "./request-keys";

const { workflowCallTimeoutMs } = settings.outbox;
const { keyTtlHours } = settings.buildings;

/**
 * Buildings, in the buildings database. Each building gets exactly one first workflow: the
 * intent is saved with the building (the outbox), tried at once, and retried by every buildings
 * node until the workflows service has it. Removal travels the same way.
 */
@Service({
	name: "buildings",
	mixins: [
		DbMixin({
			database: "buildings",
			model: BuildingModel,
			// A building is answered with the fields its published schema has.
			fields: Object.keys(buildingSchema.properties),
			migrations: buildingsMigrations,
		}),
	],
})
export default class BuildingsService extends DbService {
	/** New buildings, saved by group commit: the ones that arrive while a statement runs go in the next. */
	declare private newBuildings: Batcher<NewBuilding, SaveOutcome>;
	declare private outbox: Outbox;
	declare private requestKeys: RequestKeys;
	/** Work left to the outbox, logged once per cause and second: a fault would otherwise log every request. */
	declare private pendingLog: RepeatSummary;

	/**
	 * Creates a building and its first workflow. Answers the building with `workflow` and
	 * `workflowStatus: "created"`, or, when the workflows service cannot answer in time,
	 * `workflow: null` and `workflowStatus: "pending"`: the workflow follows shortly. With an
	 * `idempotencyKey`, a repeat gets the first answer; the key with other parameters is a 422.
	 */
	@Action({
		params: { name: nameRule, workflowName: { ...nameRule, optional: true }, idempotencyKey: keyRule, $$strict: true },
	})
	async create(ctx: Context<CreateBuildingParams>): Promise<BuildingWithWorkflow> {
		const { name, workflowName, idempotencyKey } = ctx.params;
		// The answer is due WORKFLOW_CALL_TIMEOUT after the request arrived, however long it queued.
		const deadline = Date.now() + workflowCallTimeoutMs;
		const key = idempotencyKey === undefined ? undefined : requestKey(idempotencyKey, { name, workflowName });
		// Saved with the job that creates its workflow (the job names it; none: the default) and
		// its key, by group commit, keyed or not. A building still queued at the deadline is not saved.
		const building = { name, payload: { name: workflowName }, key };
		const saved = await traced(ctx, "buildings", "insert building and job", () => this.newBuildings.add(building, deadline));
		// Only a request with a key can be a repeat: it gets the first request's answer.
		if (saved.outcome === "repeat") return this.requestKeys.replay(key!, id => this.withWorkflow(ctx, id));
		const answer = await this.createWorkflowNow(ctx, saved, deadline);
		// Without the saved answer a repeat is answered from the building's state instead.
		if (key) await this.requestKeys.saveAnswer(key, answer);
		return answer;
	}

	/** One page of buildings; `search` matches part of the name, in any case. */
	@Action({
		params: {
			...pageRules,
			sort: sortRule(["id", "name", "createdAt", "updatedAt"]),
			search: { type: "string", trim: true, max: 200, optional: true },
			$$strict: true,
		},
	})
	async list(ctx: Context<ListBuildingsParams>): Promise<Page<Building>> {
		const { search, sort, ...paging } = ctx.params;
		const query = search ? nameContains(search) : undefined;
		const params = this.sanitizeParams(ctx, { ...paging, sort: sortThenById(sort), query }) as { page: number; pageSize: number };
		// Unfiltered, the total is the one the triggers keep: no count(*) over the table.
		const [found, total] = await traced(ctx, "buildings", "list buildings", () =>
			Promise.all([this.adapter.find(params), query ? this.adapter.count({ query }) : countBuildings(this.sequelize)]),
		);
		const rows = (await this.transformDocuments(ctx, params, found)) as Building[];
		return { rows, total, page: params.page, pageSize: params.pageSize, totalPages: Math.ceil(total / params.pageSize) };
	}

	/** One building with its workflow (null while pending); 404 if there is none with this id. */
	@Action({ params: { id: idRule, $$strict: true } })
	get(ctx: Context<BuildingIdParams>): Promise<BuildingWithWorkflow> {
		return this.withWorkflow(ctx, ctx.params.id);
	}

	/** Renames a building; 404 if there is none with this id. */
	@Action({ params: { id: idRule, name: nameRule, $$strict: true } })
	async update(ctx: Context<UpdateBuildingParams>): Promise<Building> {
		const { id, name } = ctx.params;
		const row = await renameBuilding(this.model, id, name);
		if (!row) throw new EntityNotFoundError(id);
		return this.transformDocuments(ctx, {}, row) as Promise<Building>;
	}

	/**
	 * Deletes a building and returns it; its workflows are removed at once if the workflows
	 * service answers, later otherwise. A workflow still pending for it is never created.
	 */
	@Action({ params: { id: idRule, $$strict: true } })
	async remove(ctx: Context<BuildingIdParams>): Promise<Building> {
		const { id } = ctx.params;
		const deleted = await deleteBuildingWithJob(this.sequelize, this.model, id, this.outbox.leaseMs);
		if (!deleted) throw new EntityNotFoundError(id);
		await this.outbox.removeWorkflows(deleted.job, ctx).catch((err: Error) => {
			this.pendingLog.note(
				`Removals of workflows pending: ${err.message}`,
				`Removal of building ${id}'s workflows is pending: ${err.message}`,
			);
			return this.outbox.postpone(deleted.job, err);
		});
		return this.transformDocuments(ctx, {}, deleted.row) as Promise<Building>;
	}

	/**
	 * Whether this node reaches its database, and which workflows nodes it can send work to.
	 * Internal: for the gateway's readiness check.
	 */
	@Action({ visibility: "public" })
	async health(): Promise<BuildingsHealth> {
		await ping(this.sequelize);
		return { database: "ok", workflowsNodes: nodesRunning(this.broker, "workflows") };
	}

	/** The outbox's backlog and the age of its oldest job. Internal: for the cluster page. */
	@Action({ visibility: "public" })
	outboxStats(): Promise<OutboxStats> {
		return outboxStats(this.sequelize);
	}

	/**
	 * Takes the workflows service's report of changes to workflows: each building then shows its
	 * workflow as it now is, or "removed". Internal: the workflows service calls it before its
	 * PATCH or DELETE answers.
	 */
	@Action({ visibility: "public", params: { changes: { type: "array", items: "object" }, $$strict: true } })
	async applyWorkflowChanges(ctx: Context<ApplyWorkflowChangesParams>): Promise<void> {
		await traced(ctx, "buildings", "apply workflow changes", () => applyWorkflowChanges(this.sequelize, ctx.params.changes));
	}

	/**
	 * Runs a new building's job at once: the building with its workflow, or, if the workflows
	 * service does not answer in time, with `workflow: null` while the job waits for the
	 * reconciler.
	 */
	@Method
	async createWorkflowNow(ctx: Context, { building, job }: SavedBuilding, deadline: number): Promise<BuildingWithWorkflow> {
		try {
			const created = await this.outbox.createWorkflow(job, ctx, deadline);
			// Removed while its workflow was being created: the workflows service refused it.
			if (!created) return { ...building, workflowStatus: "removed", workflowId: null, workflow: null };
			return { ...created.building, workflow: created.workflow };
		} catch (err) {
			const { message } = err as Error;
			this.pendingLog.note(`Workflows pending: ${message}`, `Workflow of building ${building.id} is pending: ${message}`);
			await this.outbox.postpone(job, err as Error);
			return { ...building, workflow: null };
		}
	}

	/**
	 * A building with its workflow, from the buildings database alone: the copy the workflows
	 * service keeps current (null while pending or once removed). A building whose copy is not
	 * there yet (kept since a later version) has it fetched once and kept: read repair.
	 */
	@Method
	async withWorkflow(ctx: Context, id: number): Promise<BuildingWithWorkflow> {
		const found = await traced(ctx, "buildings", "get building", () => readBuildingWithWorkflow(this.sequelize, id));
		if (!found) throw new EntityNotFoundError(id);
		const { building, workflow, copyMissing } = found;
		if (!copyMissing || building.workflowId === null) return { ...building, workflow };
		const fetched = await ctx
			.call<Workflow, WorkflowIdParams>("workflows.get", { id: building.workflowId }, { timeout: workflowCallTimeoutMs, tracking: false })
			.catch((err: Errors.MoleculerError) => (err.code === 404 ? ("removed" as const) : null));
		if (fetched === "removed") {
			await applyWorkflowChanges(this.sequelize, [{ buildingId: id, workflowId: building.workflowId, workflow: null }]);
			return { ...building, workflowId: null, workflowStatus: "removed", workflow: null };
		}
		if (fetched) await saveMissingCopy(this.sequelize, fetched);
		return { ...building, workflow: fetched };
	}

	/** The parts this service owns, built on the pool the DB mixin opened. */
	created(): void {
		this.outbox = new Outbox(this.sequelize, this.broker, this.logger, settings.outbox);
		this.pendingLog = new RepeatSummary(line => this.logger.warn(line));
		const { leaseMs } = this.outbox;
		this.newBuildings = new Batcher(items => saveNewBuildings(this.sequelize, items, leaseMs, keyTtlHours), {
			maxQueued: settings.databases.groupCommitMaxQueued,
		});
		this.requestKeys = new RequestKeys(this.sequelize, this.logger, { ttlHours: keyTtlHours, firstAnswerWithinMs: leaseMs });
	}

	started(): void {
		this.outbox.start();
		this.requestKeys.start();
	}

	async stopped(): Promise<void> {
		this.requestKeys.stop();
		await this.outbox.stop();
		this.pendingLog.stop();
	}
}
