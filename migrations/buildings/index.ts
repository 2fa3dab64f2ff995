import type { Migration } from "../../mixins/db.mixin";
import * as createBuildings from "./001-create-buildings";

/** The buildings schema, oldest first. Append; never edit one that has shipped. */
export const buildingsMigrations: Migration[] = [{ name: "001-create-buildings", ...createBuildings }];
