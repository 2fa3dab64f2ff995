import { settings } from "../config/settings";

/** The services' pool size (DB_POOL_MAX): the raw yardsticks use the same. */
export const POOL_SIZE = settings.databases.poolMax;

/**
 * Buildings in the table for the large-table scenarios, each with its workflow: random reads over
 * them find few in any cache of a node's, and the list pages over them.
 */
export const LARGE_TABLE_ROWS = 100_000;

/**
 * The names of the cluster scenarios in the results: the run records under them, the ratios read
 * them, and a comparison of two commits matches figures by them (a name kept means the same load).
 */
/** LARGE_TABLE_ROWS as the names say it. */
export const LARGE_TABLE = `${LARGE_TABLE_ROWS / 1000}k`;

export const SCENARIO = {
	list1k: "list, 1k rows, 50 conn",
	getRandom: `GET /buildings/:id, random over ${LARGE_TABLE} buildings with workflows, 50 conn`,
	listLarge: `list, ${LARGE_TABLE} rows, 50 conn`,
	listLargeAnyPage: `list, ${LARGE_TABLE} rows, any page, 50 conn`,
	post1: "POST /buildings, 1 conn",
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
	leanRead: "lean in-process read: http → pg SELECT by id, 50 conn",
	insert: `INSERT … RETURNING, pool ${POOL_SIZE}, 50 in flight`,
} as const;
