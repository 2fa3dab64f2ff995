import { Service as MoleculerService, type Context } from "moleculer";
import { Action, Service } from "moleculer-decorators";
import { settings } from "../config/settings";
import { EntityNotFoundError } from "../mixins/db-errors";
import { DbMixin, type DbStore } from "../mixins/db.mixin";
import { IdempotencyMixin, requestHash, type IdempotencyKeys } from "../mixins/idempotency.mixin";
import { OutboxMixin, jobLeaseMs, type Outbox, type SavedBuilding } from "../mixins/outbox.mixin";
import { OutboxMetricsMixin } from "../mixins/outbox-metrics.mixin";
import { ReadCacheMixin, type ReadCache } from "../mixins/read-cache.mixin";
import { WorkflowLinksMixin, type WorkflowLinks } from "../mixins/workflow-links.mixin";
import { nodesRunning } from "../mixins/registry";
import { BuildingModel } from "../models/building.model";
import { countBuildings, nameContains, ping, renameBuilding } from "../models/buildings.statements";
import { outboxStats } from "../models/outbox.statements";
import type {
	Building,
	BuildingIdParams,
	BuildingsHealth,
	BuildingWithWorkflow,
	CreateBuildingParams,
	ListBuildingsParams,
	OutboxStats,
	Page,
	UpdateBuildingParams,
} from "../types";
import { idRule, keyRule, nameRule, pageRules, sortRule, sortThenById } from "../types/validation";

const { workflowCallTimeoutMs, workflowAttemptTimeoutMs, reconcileIntervalMs, reconcileBatch, maxBackoffMs, keyTtlHours, readCacheSize } =
	settings.buildings;

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
			fields: ["id", "name", "workflowStatus", "workflowId", "createdAt", "updatedAt"],
		}),
		OutboxMixin({
			callTimeoutMs: workflowCallTimeoutMs,
			attemptTimeoutMs: workflowAttemptTimeoutMs,
			reconcileIntervalMs,
			reconcileBatch,
			maxBackoffMs,
			maxQueued: settings.databases.groupCommitMaxQueued,
		}),
		OutboxMetricsMixin({ intervalMs: 5000 }),
		IdempotencyMixin({ ttlHours: keyTtlHours, firstAnswerWithinMs: jobLeaseMs(workflowCallTimeoutMs) }),
		// Answers of `get`, forgotten on every change to a building or to its workflow.
		ReadCacheMixin<BuildingWithWorkflow>({
			maxEntries: readCacheSize,
			announce: "buildings.changed",
			listen: ["buildings.changed", "workflows.changed"],
		}),
		WorkflowLinksMixin({ callTimeoutMs: workflowCallTimeoutMs }),
	],
})
export default class BuildingsService extends MoleculerService {
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
		// The job names the workflow; without a name it gets the default when it runs.
		const building = { name, payload: { name: workflowName } };
		const save = (transaction?: Parameters<Outbox["saveBuilding"]>[2]) =>
			this.traced(ctx, "insert building and job", () => this.saveBuilding(building, deadline, transaction));
		if (!idempotencyKey) return this.createWorkflowNow(ctx, await save(), deadline);

		const hash = requestHash({ name, workflowName });
		const first = await this.saveOnce(idempotencyKey, hash, save);
		if (first.outcome === "repeat") return this.replay(idempotencyKey, hash, id => this.withWorkflow(ctx, id));
		const answer = await this.createWorkflowNow(ctx, first.saved, deadline);
		// Without the saved answer a repeat is answered from the building's state instead.
		await this.saveAnswer(idempotencyKey, answer);
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
		if (search) {
			const params = this.sanitizeParams(ctx, { ...paging, sort: sortThenById(sort), query: nameContains(search) });
			return this.traced(ctx, "list buildings", () => this._list(ctx, params) as Promise<Page<Building>>);
		}
		// Unfiltered, the total is kept by triggers: no count(*) over the table.
		const params = this.sanitizeParams(ctx, { ...paging, sort: sortThenById(sort) }) as { page: number; pageSize: number };
		const [found, total] = await this.traced(ctx, "list buildings", () =>
			Promise.all([this.adapter.find(params), countBuildings(this.sequelize)]),
		);
		const rows = (await this.transformDocuments(ctx, params, found)) as Building[];
		return { rows, total, page: params.page, pageSize: params.pageSize, totalPages: Math.ceil(total / params.pageSize) };
	}

	/** One building with its workflow (null while pending); 404 if there is none with this id. */
	@Action({ params: { id: idRule, $$strict: true } })
	get(ctx: Context<BuildingIdParams>): Promise<BuildingWithWorkflow> {
		const { id } = ctx.params;
		// An answer whose workflow could not be fetched is not kept.
		return this.readThrough(
			id,
			() => this.withWorkflow(ctx, id),
			answer => answer.workflowId === null || answer.workflow !== null,
		);
	}

	/** Renames a building; 404 if there is none with this id. */
	@Action({ params: { id: idRule, name: nameRule, $$strict: true } })
	async update(ctx: Context<UpdateBuildingParams>): Promise<Building> {
		const { id, name } = ctx.params;
		const row = await renameBuilding(this.model, id, name);
		if (!row) throw new EntityNotFoundError(id);
		await this.forget([id]);
		return this.toBuilding(ctx, row);
	}

	/**
	 * Deletes a building and returns it; its workflows are removed at once if the workflows
	 * service answers, later otherwise. A workflow still pending for it is never created.
	 */
	@Action({ params: { id: idRule, $$strict: true } })
	async remove(ctx: Context<BuildingIdParams>): Promise<Building> {
		const { id } = ctx.params;
		const deleted = await this.deleteBuilding(id);
		if (!deleted) throw new EntityNotFoundError(id);
		await this.forget([id]);
		await this.runJob(deleted.job, ctx).catch((err: Error) => {
			this.logger.warn(`Removal of building ${id}'s workflows is pending: ${err.message}`);
			return this.postpone(deleted.job, err);
		});
		return this.toBuilding(ctx, deleted.row);
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
	 * Runs a new building's job at once: the building with its workflow, or, if the workflows
	 * service does not answer in time, with `workflow: null` while the job waits for the
	 * reconciler.
	 */
	async createWorkflowNow(ctx: Context, { building, job }: SavedBuilding, deadline: number): Promise<BuildingWithWorkflow> {
		try {
			const workflow = await this.runJob(job, ctx, deadline);
			return { ...building, workflowStatus: "created", workflowId: workflow?.id ?? null, workflow };
		} catch (err) {
			this.logger.warn(`Workflow of building ${building.id} is pending: ${(err as Error).message}`);
			await this.postpone(job, err as Error);
			return { ...building, workflow: null };
		}
	}

	/** The outbox's hook: these buildings now show their workflows. */
	workflowsCreated(buildingIds: number[]): Promise<void> {
		return this.forget(buildingIds);
	}

	toBuilding(ctx: Context, row: unknown): Promise<Building> {
		return this.transformDocuments(ctx, {}, row) as Promise<Building>;
	}
}

export default interface BuildingsService extends DbStore, Outbox, IdempotencyKeys, ReadCache<BuildingWithWorkflow>, WorkflowLinks {}
