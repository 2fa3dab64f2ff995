import type { Migration } from "../../../db/migrate";
import * as createWorkflows from "./001-create-workflows";
import * as removedBuildings from "./002-removed-buildings";
import * as createWorkflowFunction from "./003-create-workflow-function";
import * as nameLength from "./004-name-length";
import * as changeFeed from "./005-change-feed";

/** The workflows schema, oldest first. Append; never edit one that has shipped. */
export const workflowsMigrations: Migration[] = [
	{ name: "001-create-workflows", ...createWorkflows },
	{ name: "002-removed-buildings", ...removedBuildings },
	{ name: "003-create-workflow-function", ...createWorkflowFunction },
	{ name: "004-name-length", ...nameLength },
	{ name: "005-change-feed", ...changeFeed },
];
