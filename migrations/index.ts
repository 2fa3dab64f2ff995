import { buildingsMigrations } from "./buildings";
import { workflowsMigrations } from "./workflows";

/** Each service database's schema, oldest migration first. */
export const MIGRATIONS = { buildings: buildingsMigrations, workflows: workflowsMigrations };
