import { settings } from "../../config/settings";
import { apiKeyCheck } from "./guards";

/**
 * The one place that decides who may read the operator's views (/cluster and /api/cluster): the
 * same API keys as the REST routes (API_KEYS; none set, everyone). Throws a 401 to refuse.
 */
export const authorizeOperator = apiKeyCheck(settings.gateway.apiKeys);
