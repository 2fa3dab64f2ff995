import type { Migration } from "../../../db/migrate";
import * as createBuildings from "./001-create-buildings";
import * as outboxAndIdempotency from "./002-outbox-and-idempotency";
import * as buildingCount from "./003-building-count";
import * as workflowRemoved from "./004-workflow-removed";
import * as nameLength from "./005-name-length";
import * as workflowCopy from "./006-workflow-copy";

/** The buildings schema, oldest first. Append; never edit one that has shipped. */
export const buildingsMigrations: Migration[] = [
	{ name: "001-create-buildings", ...createBuildings },
	{ name: "002-outbox-and-idempotency", ...outboxAndIdempotency },
	{ name: "003-building-count", ...buildingCount },
	{ name: "004-workflow-removed", ...workflowRemoved },
	{ name: "005-name-length", ...nameLength },
	{ name: "006-workflow-copy", ...workflowCopy },
];
