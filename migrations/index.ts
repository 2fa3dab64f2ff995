import { buildingsMigrations } from "./buildings";
import { workflowsMigrations } from "./workflows";

/**
 * Each service database's schema, oldest migration first. A migration writes its columns out
 * instead of importing models/: a model follows the table as the latest migration leaves it,
 * while a migration must make the same change forever.
 */
export const MIGRATIONS = { buildings: buildingsMigrations, workflows: workflowsMigrations };
