import { Errors, Service as MoleculerService, type Context } from "moleculer";
import { Action, Service } from "moleculer-decorators";
import { buildingsMigrations } from "../migrations/buildings";
import { EntityNotFoundError } from "../mixins/db-errors";
import { DbMixin, type DbStore } from "../mixins/db.mixin";
import { BuildingModel } from "../models/building.model";
import type {
	Building,
	BuildingIdParams,
	BuildingWithWorkflow,
	CreateBuildingParams,
	CreateWorkflowParams,
	ListBuildingsParams,
	Page,
	RemoveWorkflowsByBuildingParams,
	UpdateBuildingParams,
	Workflow,
} from "../types";
import { idRule, nameRule, pageRules, sortRule } from "./params";

export const DEFAULT_WORKFLOW_NAME = "New Workflow";

/** Buildings, in the buildings database. Each building is created with its first workflow. */
@Service({
	name: "buildings",
	mixins: [DbMixin({ database: "buildings", model: BuildingModel, migrations: buildingsMigrations })],
	settings: {
		fields: ["id", "name", "createdAt", "updatedAt"],
	},
})
export default class BuildingsService extends MoleculerService {
	/**
	 * Creates a building and, through the workflows service, its first workflow; returns the
	 * building with `workflow`. If the workflow cannot be created the building is taken back
	 * and the call fails with 503.
	 */
	@Action({
		params: {
			name: nameRule,
			workflowName: { ...nameRule, optional: true },
			$$strict: true,
		},
	})
	async create(ctx: Context<CreateBuildingParams>): Promise<BuildingWithWorkflow> {
		const building = await this.toBuilding(ctx, await this.model.create({ name: ctx.params.name }));
		try {
			const workflow = await ctx.call<Workflow, CreateWorkflowParams>("workflows.create", {
				name: ctx.params.workflowName ?? DEFAULT_WORKFLOW_NAME,
				buildingId: building.id,
				// Lets the call be retried without a second workflow.
				requestKey: `building:${building.id}`,
			});
			return { ...building, workflow };
		} catch (err) {
			await this.undoCreate(ctx, building.id);
			throw workflowsUnavailable(err);
		}
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
	list(ctx: Context<ListBuildingsParams>): Promise<Page<Building>> {
		const { search, ...paging } = ctx.params;
		const filters = search ? { ...paging, search, searchFields: ["name"] } : paging;
		return this._list(ctx, this.sanitizeParams(ctx, { sort: "id", ...filters })) as Promise<Page<Building>>;
	}

	/** One building; 404 if there is none with this id. */
	@Action({ params: { id: idRule, $$strict: true } })
	get(ctx: Context<BuildingIdParams>): Promise<Building> {
		return this._get(ctx, { id: ctx.params.id }) as Promise<Building>;
	}

	/** Renames a building; 404 if there is none with this id. */
	@Action({ params: { id: idRule, name: nameRule, $$strict: true } })
	async update(ctx: Context<UpdateBuildingParams>): Promise<Building> {
		const { id, name } = ctx.params;
		const [count, rows] = await this.model.update({ name }, { where: { id }, returning: true });
		if (count === 0) throw new EntityNotFoundError(id);
		return this.toBuilding(ctx, rows[0]);
	}

	/**
	 * Deletes a building and its workflows; returns the building. The workflows go first: if
	 * the workflows service cannot take them, nothing is deleted and the call fails with 503.
	 */
	@Action({ params: { id: idRule, $$strict: true } })
	async remove(ctx: Context<BuildingIdParams>): Promise<Building> {
		const { id } = ctx.params;
		await this._get(ctx, { id });
		try {
			await ctx.call<{ removed: number }, RemoveWorkflowsByBuildingParams>("workflows.removeByBuilding", { buildingId: id });
		} catch (err) {
			throw workflowsUnavailable(err);
		}
		const [row] = await this.sequelize.query('DELETE FROM "buildings" WHERE "id" = :id RETURNING *', {
			replacements: { id },
			model: this.model,
			mapToModel: true,
		});
		if (!row) throw new EntityNotFoundError(id);
		return this.toBuilding(ctx, row);
	}

	/** Whether this node reaches its database. Internal: for the gateway's readiness check. */
	@Action({ visibility: "public" })
	async health(): Promise<{ database: "ok" }> {
		await this.sequelize.query("SELECT 1");
		return { database: "ok" };
	}

	toBuilding(ctx: Context, row: unknown): Promise<Building> {
		return this.transformDocuments(ctx, {}, row) as Promise<Building>;
	}

	/** Takes back a building whose workflow could not be created, with whatever was made of it. */
	async undoCreate(ctx: Context, buildingId: number): Promise<void> {
		this.logger.warn(`Workflow for building ${buildingId} failed; removing the building.`);
		await this.model.destroy({ where: { id: buildingId } });
		// A timed-out call may still have created the workflow on its node.
		await ctx
			.call<{ removed: number }, RemoveWorkflowsByBuildingParams>("workflows.removeByBuilding", { buildingId })
			.catch(err => this.logger.warn(`Could not remove workflows of building ${buildingId}: ${err.message}`));
	}
}

export default interface BuildingsService extends DbStore {}

class WorkflowsUnavailableError extends Errors.MoleculerRetryableError {
	constructor(reason: string) {
		super("The workflows service is unavailable. Try again later.", 503, "WORKFLOWS_UNAVAILABLE", { reason });
		this.name = "ServiceUnavailableError";
	}
}

/** A client error of the workflows service stays as it is; anything else means it is unavailable. */
function workflowsUnavailable(err: unknown): Error {
	if (err instanceof Errors.MoleculerClientError) return err;
	return new WorkflowsUnavailableError(err instanceof Error ? err.message : String(err));
}
