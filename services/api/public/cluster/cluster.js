// The cluster page: GET /api/cluster every 1.5 s, rendered into the tables. No dependencies.
"use strict";

const REFRESH_MS = 1500;

/** A table cell; `cls` for numbers and highlights. */
function cell(text, cls) {
	const td = document.createElement("td");
	td.textContent = text;
	if (cls) td.className = cls;
	return td;
}

// Each table's head from its data-columns, so that the markup names each column once.
for (const table of document.querySelectorAll("table[data-columns]")) {
	const head = table.createTHead().insertRow();
	for (const name of table.dataset.columns.split(","))
		head.append(Object.assign(document.createElement("th"), { textContent: name.trim() }));
	table.createTBody();
}

function fill(testid, rows) {
	const body = document.querySelector(`[data-testid="${testid}"] tbody`);
	body.replaceChildren(
		...rows.map(({ cells, key, cls }) => {
			const tr = document.createElement("tr");
			tr.dataset.key = key;
			if (cls) tr.className = cls;
			tr.append(...cells);
			return tr;
		}),
	);
}

const seconds = s =>
	s === null ? "–" : s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
const megabytes = b => (b === null ? "–" : `${Math.round(b / 1048576)} MB`);

function render(view) {
	fill(
		"nodes",
		view.nodes.map(node => ({
			key: node.id,
			cells: [
				cell(node.id),
				cell(node.services.join(", ")),
				cell(node.natsServer ?? "–"),
				cell(seconds(node.uptime), "num"),
				cell(node.cpu === null ? "–" : `${node.cpu}%`, "num"),
				cell(megabytes(node.memory), "num"),
				cell(node.heartbeatAge === null ? "–" : `${node.heartbeatAge} s ago`, node.heartbeatAge > 15 ? "num stale" : "num"),
			],
		})),
	);

	const nats = view.nats;
	document.getElementById("subject").textContent = nats ? nats.subject : "";
	document.getElementById("nats-note").textContent = nats
		? [nats.servers.length ? `Servers: ${nats.servers.join(", ")}.` : "", nats.error ?? ""].join(" ")
		: `Transporter: ${view.transporter} (no NATS queue groups).`;
	const queueNodes = nats ? [...new Set([...nats.queueSubscribers, ...nats.registryNodes])].sort() : [];
	fill(
		"queue",
		queueNodes.map(id => {
			const mismatch = nats.onlyInNats.includes(id) || nats.onlyInRegistry.includes(id);
			return {
				key: id,
				cls: mismatch ? "mismatch" : "",
				cells: [cell(id), cell(nats.queueSubscribers.includes(id) ? "yes" : "no"), cell(nats.registryNodes.includes(id) ? "yes" : "no")],
			};
		}),
	);

	const { creations } = view;
	document.getElementById("rate").textContent = `${creations.perSecond}/s over ${creations.window} s`;
	fill(
		"shares",
		creations.nodes.map(node => {
			const bar = document.createElement("span");
			bar.className = "bar";
			bar.style.width = `${Math.round((node.share ?? 0) * 8)}rem`;
			const share = cell(node.share === null ? "–" : `${Math.round(node.share * 100)}%`, "share");
			share.prepend(bar);
			return { key: node.nodeID, cells: [cell(node.nodeID), cell(String(node.perSecond), "num"), share, cell(String(node.total), "num")] };
		}),
	);

	document.getElementById("outbox").textContent = view.outbox
		? `${view.outbox.backlog} job(s) waiting` +
			(view.outbox.oldestAge === null ? "" : `, the oldest for ${seconds(view.outbox.oldestAge / 1000)}`)
		: "The buildings service did not answer.";

	fill(
		"buildings",
		(view.latestBuildings ?? []).map(b => ({
			key: String(b.id),
			cells: [
				cell(String(b.id), "num"),
				cell(b.name),
				cell(b.workflowStatus === "created" ? `created (#${b.workflowId})` : "pending", b.workflowStatus === "pending" ? "pending" : ""),
				cell(new Date(b.createdAt).toLocaleTimeString()),
			],
		})),
	);
}

async function refresh() {
	const status = document.getElementById("status");
	try {
		const res = await fetch("/api/cluster", { headers: { accept: "application/json" } });
		const body = await res.json();
		if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
		render(body);
		status.textContent = `${body.nodes.length} node(s), seen by ${body.gateway} at ${new Date(body.at).toLocaleTimeString()}`;
		status.className = "";
	} catch (err) {
		status.textContent = `Could not read /api/cluster: ${err.message}`;
		status.className = "error";
	} finally {
		setTimeout(refresh, REFRESH_MS);
	}
}

refresh();
