import { settings } from "../config/settings";

/** The services' pool size (DB_POOL_MAX): the raw yardsticks use the same. */
export const POOL_SIZE = settings.databases.poolMax;

/** The names of the cluster scenarios in the results: the run records under them, the ratios read them. */
export const SCENARIO = {
	list1k: "list, 1k rows, 50 conn",
	getById: "GET /buildings/:id, 50 conn",
	list100k: "list, 100k rows, 50 conn",
	list100kAnyPage: "list, 100k rows, any page, 50 conn",
	post10: "POST /buildings, 10 conn",
	post50: "POST /buildings, 50 conn",
	post50OneNode: "POST /buildings, 50 conn, 1 workflows node",
	post50Metrics: "POST /buildings, 50 conn, METRICS=true",
	post50Tcp: "POST /buildings, 50 conn, TCP transporter",
} as const;

/** The names of the yardsticks in the results. */
export const YARDSTICK = {
	bareHttp: "bare http POST, 50 conn",
	natsRequestReply: "NATS request-reply, 50 in flight",
	readPipeline: "read pipeline: http → NATS → pg SELECT by id, 50 conn",
	insert: `INSERT … RETURNING, pool ${POOL_SIZE}, 50 in flight`,
} as const;
