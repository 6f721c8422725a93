/* pipeyard ui: the graph (live), node details, history and compare, sweeps, and the designer tab.
 *
 * Served live it talks to the JSON API and follows runs through server-sent events; exported by
 * `pipeyard ui build` it reads the data inlined in <script id="pipeyard-data"> and fetches nothing.
 * The graph is laid out by dagre and drawn as SVG elements, so every node is a DOM element with
 * data-step (its name) and data-state (queued, running, ran, cached, restored, failed, skipped,
 * stale or up_to_date). window.pipeyard exposes timings for the benchmark.
 */
(function () {
  "use strict";

  const embedded = document.getElementById("pipeyard-data");
  const STATIC = embedded ? JSON.parse(embedded.textContent) : null;
  const tokenMeta = document.querySelector('meta[name="pipeyard-token"]');
  const TOKEN = tokenMeta ? tokenMeta.content : "";
  const SVGNS = "http://www.w3.org/2000/svg";
  const STATES = ["queued", "running", "ran", "cached", "restored", "failed", "skipped", "stale", "up_to_date"];
  const view = { graph: null, elements: new Map(), steps: {}, selected: null, source: null, designerMounted: false };
  const metrics = (window.pipeyard = { renderMs: null, layoutMs: null, readyAt: null, latencies: [], events: 0, ready: false });

  /* ---------- small helpers ---------- */

  function esc(value) {
    return String(value === undefined || value === null ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function show(value) {
    if (value === null || value === undefined) return "–";
    if (typeof value === "number" && !Number.isInteger(value)) return String(Number(value.toPrecision(6)));
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  async function api(path, options) {
    const init = Object.assign({ headers: {} }, options || {});
    if (init.method && init.method !== "GET") {
      init.headers["X-Pipeyard-Token"] = TOKEN;
      init.headers["Content-Type"] = "application/json";
    }
    const response = await fetch(path, init);
    const data = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  function banner(text, kind) {
    const element = document.getElementById("banner");
    if (!text) { element.hidden = true; return; }
    element.hidden = false;
    element.textContent = text;
    element.dataset.kind = kind || "info";
  }

  function table(columns, rows, options) {
    const numeric = (options && options.numeric) || (() => false);
    const head = columns.map((c, i) => `<th class="${options && options.sortable ? "sortable" : ""}" data-column="${i}">${esc(c)}</th>`).join("");
    const body = rows.map((row) => {
      const cls = row.changed ? ' class="changed"' : "";
      const cells = (row.cells || row).map((v, i) => `<td class="${numeric(i, v) ? "num" : ""}">${esc(show(v))}</td>`).join("");
      return `<tr${cls}>${cells}</tr>`;
    }).join("");
    return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }

  /* ---------- the graph ---------- */

  function textWidth(text) { return Math.max(90, 7.2 * text.length + 34); }

  function layout(nodes, edges) {
    const started = performance.now();
    const g = new dagre.graphlib.Graph({ multigraph: false });
    g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 48, marginx: 20, marginy: 20, ranker: "longest-path" });
    g.setDefaultEdgeLabel(() => ({}));
    for (const node of nodes) g.setNode(node.id, { width: textWidth(node.id), height: 32 });
    for (const [from, to] of edges) if (g.hasNode(from) && g.hasNode(to)) g.setEdge(from, to);
    dagre.layout(g);
    metrics.layoutMs = performance.now() - started;
    return g;
  }

  function drawGraph(container, nodes, edges, options) {
    const attribute = (options && options.attribute) || "data-state";
    const g = layout(nodes, edges);
    const size = g.graph();
    const parts = [];
    const groups = new Map();
    for (const node of nodes) {
      if (!node.group) continue;
      const box = g.node(node.id);
      const found = groups.get(node.group) || { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
      found.x0 = Math.min(found.x0, box.x - box.width / 2); found.x1 = Math.max(found.x1, box.x + box.width / 2);
      found.y0 = Math.min(found.y0, box.y - box.height / 2); found.y1 = Math.max(found.y1, box.y + box.height / 2);
      groups.set(node.group, found);
    }
    for (const [name, b] of groups) {
      parts.push(`<g class="group" data-group="${esc(name)}"><rect x="${b.x0 - 8}" y="${b.y0 - 20}" width="${b.x1 - b.x0 + 16}" height="${b.y1 - b.y0 + 28}" rx="8"></rect><text x="${b.x0 - 2}" y="${b.y0 - 7}">${esc(name)}</text></g>`);
    }
    for (const e of g.edges()) {
      const points = g.edge(e).points;
      const d = points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("");
      parts.push(`<path class="edge" data-from="${esc(e.v)}" data-to="${esc(e.w)}" d="${d}" marker-end="url(#arrow)"></path>`);
    }
    for (const node of nodes) {
      const box = g.node(node.id);
      const x = box.x - box.width / 2, y = box.y - box.height / 2;
      const label = node.group ? node.id.slice(node.group.length + 1) : node.id;
      parts.push(`<g class="node" ${attribute}="${esc(node[options && options.key || "state"])}" data-step="${esc(node.id)}" transform="translate(${x.toFixed(1)},${y.toFixed(1)})" tabindex="0"><title>${esc(node.id)}${node.component ? " (" + esc(node.component) + ")" : ""}</title><rect width="${box.width}" height="${box.height}"></rect><circle class="badge" cx="14" cy="16" r="5"></circle><text x="26" y="20">${esc(label)}</text></g>`);
    }
    container.innerHTML = `<svg xmlns="${SVGNS}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#a1a1aa"></path></marker></defs><g class="viewport">${parts.join("")}</g></svg>`;
    enablePanZoom(container, size.width || 100, size.height || 100);
    const elements = new Map();
    for (const element of container.querySelectorAll("g.node")) elements.set(element.getAttribute("data-step"), element);
    return elements;
  }

  function enablePanZoom(container, width, height) {
    const svg = container.querySelector("svg");
    const viewport = svg.querySelector(".viewport");
    const box = container.getBoundingClientRect();
    let scale = Math.min(1.5, (box.width || 800) / width, (box.height || 600) / height);
    scale = Math.max(scale, 0.05);
    let tx = Math.max(0, ((box.width || 800) - width * scale) / 2), ty = Math.max(0, ((box.height || 600) - height * scale) / 2);
    const apply = () => viewport.setAttribute("transform", `translate(${tx},${ty}) scale(${scale})`);
    apply();
    svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const r = svg.getBoundingClientRect();
      const mx = event.clientX - r.left, my = event.clientY - r.top;
      const factor = Math.exp(-event.deltaY * 0.0015);
      tx = mx - (mx - tx) * factor; ty = my - (my - ty) * factor; scale *= factor;
      apply();
    }, { passive: false });
    svg.addEventListener("mousedown", (event) => {
      const start = { x: event.clientX - tx, y: event.clientY - ty };
      dragging = (move) => { tx = move.clientX - start.x; ty = move.clientY - start.y; apply(); };
    });
  }

  let dragging = null;  // the graph being panned; one pair of window listeners serves every graph
  window.addEventListener("mousemove", (event) => { if (dragging) dragging(event); });
  window.addEventListener("mouseup", () => { dragging = null; });

  function legend(container, names) {
    // colours through a style, not data-state: `[data-state=ran]` must find graph nodes only
    const colour = (name) => `var(--${name === "re-runs" ? "stale" : name === "reused" ? "up_to_date" : name === "added" ? "ran" : name === "removed" ? "failed" : name === "changed" ? "restored" : name})`;
    const div = document.createElement("div");
    div.className = "legend";
    div.innerHTML = names.map((n) => `<span style="--state: ${colour(n)}">${n.replace("_", " ")}</span>`).join("");
    container.appendChild(div);
  }

  function renderMainGraph(graph) {
    const started = performance.now();
    const container = document.getElementById("graph");
    view.graph = graph;
    view.steps = {};
    for (const node of graph.nodes) view.steps[node.id] = node;
    if (graph.error) banner(`the pipeline does not load: ${graph.error}`, "error");
    else if (view.pipelineError) banner(null);
    view.pipelineError = Boolean(graph.error);
    view.elements = drawGraph(container, graph.nodes, graph.edges);
    legend(container, STATES);
    for (const [name, element] of view.elements) {
      element.addEventListener("click", () => selectStep(name));
      element.addEventListener("keydown", (event) => { if (event.key === "Enter") selectStep(name); });
    }
    container.dataset.steps = String(graph.nodes.length);
    metrics.renderMs = performance.now() - started;
    if (!metrics.ready) metrics.readyAt = performance.now();
    metrics.ready = true;
    if (view.selected && view.steps[view.selected]) selectStep(view.selected);
  }

  function setState(name, state, extra) {
    const step = view.steps[name] || (view.steps[name] = { id: name });
    step.state = state;
    Object.assign(step, extra || {});
    const element = view.elements.get(name);
    if (element) element.setAttribute("data-state", state);
    if (view.selected === name) refreshDetails(name);
  }

  /* ---------- live events ---------- */

  function applyEvent(event) {
    metrics.events += 1;
    if (event.time) metrics.latencies.push(Date.now() / 1000 - event.time);
    switch (event.type) {
      case "RunStarted":
        banner(`run ${event.run_id} started: ${event.steps.length} steps`, "info");
        for (const name of event.steps) setState(name, "queued", { reasons: [] });
        break;
      case "StepQueued": setState(event.name, "queued"); break;
      case "StepStarted": setState(event.name, "running", { executor: event.executor, attempt: event.attempt }); break;
      case "StepFinished":
        setState(event.name, event.status, { reasons: event.reasons || [], duration_s: event.duration_s, log_path: event.log_path, host: event.host });
        break;
      case "RunFinished": {
        const counts = Object.entries(event.counts || {}).map(([k, v]) => `${v} ${k}`).join(", ");
        banner(`run ${event.status} in ${event.duration_s.toFixed(2)} s: ${counts}`, event.status === "succeeded" ? "ok" : "error");
        break;
      }
      case "Notice": banner(event.text, "info"); break;
      default: break;
    }
  }

  function follow(cursor) {
    const indicator = document.getElementById("connection");
    const source = new EventSource(`/api/events${cursor ? "?after=" + encodeURIComponent(cursor) : ""}`);
    view.source = source;
    source.onopen = () => { indicator.dataset.connection = "live"; indicator.textContent = "live"; };
    source.onerror = () => { indicator.dataset.connection = "reconnecting"; indicator.textContent = "reconnecting"; };
    source.addEventListener("run", (message) => applyEvent(JSON.parse(message.data)));
    source.addEventListener("pipeline", () => reloadGraph());
    source.addEventListener("launch", (message) => {
      const ended = JSON.parse(message.data);
      if (ended.returncode !== 0) banner(`the run started from this page ended with exit code ${ended.returncode}:\n${ended.output_tail}`, "error");
    });
  }

  async function reloadGraph() {
    try {
      renderMainGraph(await api("/api/graph"));
    } catch (error) {
      banner(`could not load the graph: ${error.message}`, "error");
    }
  }

  /* ---------- node details ---------- */

  async function selectStep(name) {
    view.selected = name;
    for (const [other, element] of view.elements) element.classList.toggle("selected", other === name);
    await refreshDetails(name);
  }

  async function refreshDetails(name) {
    const aside = document.getElementById("details");
    aside.hidden = false;
    const known = view.steps[name] || { id: name };
    let details = STATIC ? (STATIC.details || {})[name] : null;
    if (!STATIC) {
      try { details = await api(`/api/steps/${encodeURIComponent(name)}`); } catch (error) { details = { error: error.message }; }
    }
    if (view.selected !== name) return;
    aside.innerHTML = detailsHtml(name, known, details);
    for (const link of aside.querySelectorAll("a.file")) link.addEventListener("click", () => preview(link.dataset.path));
    aside.querySelector(".close").addEventListener("click", () => { aside.hidden = true; view.selected = null; selectStepClear(); });
  }

  function selectStepClear() { for (const element of view.elements.values()) element.classList.remove("selected"); }

  function detailsHtml(name, known, details) {
    const d = details || {};
    const last = d.last || {};
    const reasons = (known.reasons && known.reasons.length ? known.reasons : last.reasons) || [];
    const html = [`<button class="close action" style="float:right">×</button><h2>${esc(name)}</h2>`];
    html.push(`<span class="pill" style="--state: var(--${esc(known.state)})">${esc((known.state || "").replace("_", " "))}</span>`);
    if (d.component || known.component) html.push(` <span class="muted">component ${esc(d.component || known.component)}</span>`);
    html.push(`<h3>Why</h3>`);
    html.push(reasons.length ? `<ul class="reasons">${reasons.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>` : `<p class="muted">${known.state === "up_to_date" || known.state === "cached" ? "up to date: nothing changed" : "no reason recorded yet"}</p>`);
    const duration = known.duration_s !== undefined ? known.duration_s : last.duration_s;
    const where = known.executor || last.executor;
    if (duration !== undefined && duration !== null || where) {
      html.push(`<p class="muted">${duration !== undefined && duration !== null ? `took ${Number(duration).toFixed(2)} s` : ""}${where ? ` · executor ${esc(where)}` : ""}${known.host || last.host ? ` · host ${esc(known.host || last.host)}` : ""}${last.node_id ? ` · node ${esc(last.node_id)}` : ""}${last.run_id ? ` · run ${esc(last.run_id)}` : ""}</p>`);
    }
    if (d.error) html.push(`<p class="muted">${esc(d.error)}</p>`);
    if (d.params && Object.keys(d.params).length) {
      html.push(`<h3>Parameters</h3>` + table(["key", "value"], Object.entries(d.params)));
    }
    if (d.outputs && d.outputs.length) {
      html.push(`<h3>Outputs</h3><ul class="reasons">` + d.outputs.map((o) => {
        const label = o.exists && !o.is_dir && !STATIC ? `<a class="file" data-path="${esc(o.path)}">${esc(o.path)}</a>` : esc(o.path);
        return `<li>${label} <span class="muted">${esc(o.role)}${o.exists ? `, ${o.size} bytes` : ", not there"}</span></li>`;
      }).join("") + `</ul>`);
    }
    const metricRows = [];
    for (const [file, values] of Object.entries(d.metrics || {})) for (const [key, value] of Object.entries(values)) metricRows.push([file, key, value]);
    if (metricRows.length) html.push(`<h3>Metrics</h3>` + table(["file", "key", "value"], metricRows, { numeric: (i) => i === 2 }));
    if (d.upstream) html.push(`<h3>Graph</h3><p class="muted">upstream: ${esc(d.upstream.join(", ") || "none")}<br>downstream: ${esc(d.downstream.join(", ") || "none")}</p>`);
    if (d.command) html.push(`<h3>Command</h3><pre>${esc(d.command)}</pre>`);
    if (d.log_tail) html.push(`<h3>Log tail</h3><pre class="log">${esc(d.log_tail)}</pre>`);
    html.push(`<div id="preview"></div>`);
    return html.join("");
  }

  async function preview(path) {
    const target = document.getElementById("preview");
    const response = await fetch(`/api/file?path=${encodeURIComponent(path)}`);
    target.innerHTML = `<h3>${esc(path)}</h3><pre>${esc(await response.text())}</pre>`;
  }

  /* ---------- history and compare ---------- */

  async function showHistory() {
    const box = document.getElementById("timeline");
    let commits;
    try {
      commits = STATIC ? STATIC.history : await api("/api/history");
    } catch (error) {
      box.innerHTML = `<p class="muted">${esc(error.message)}</p>`;
      return;
    }
    if (!commits.length) { box.innerHTML = `<p class="muted">no commits yet</p>`; return; }
    const picker = STATIC ? "" : `<p><button class="action" id="compare-button" disabled>Compare the two picked</button> <label><input type="checkbox" class="pick" value="workspace"> workspace</label></p>`;
    box.innerHTML = `<h3>Commits and their runs</h3>${picker}` + commits.map((c) => {
      const when = new Date(c.time * 1000).toLocaleString();
      const runs = c.runs.map((r) => {
        const counts = Object.entries(r.counts).map(([k, v]) => `${v} ${k}`).join(", ");
        const rerun = r.steps_rerun.length ? `<br>re-ran: ${esc(r.steps_rerun.join("; "))}` : "";
        const params = r.params_changed.length ? `<br>params: ${esc(r.params_changed.join("; "))}` : "";
        const m = Object.entries(r.metrics).map(([f, v]) => `${esc(f)} ${esc(Object.entries(v).slice(0, 4).map(([k, x]) => `${k}=${show(x)}`).join(", "))}`).join("; ");
        return `<div class="run" data-run="${esc(r.run_id)}"><b>${esc(r.status)}</b> ${esc(r.run_id)} · ${r.duration_s.toFixed(2)} s · ${esc(counts)}${r.in_git ? "" : " · local only"}${rerun}${params}${m ? "<br>metrics: " + m : ""}</div>`;
      }).join("") || `<div class="run">no runs</div>`;
      const pick = STATIC ? "" : `<input type="checkbox" class="pick" value="${esc(c.commit)}"> `;
      return `<div class="commit" data-commit="${esc(c.commit)}">${pick}<span class="sha">${esc(c.commit.slice(0, 8))}</span> ${esc(c.subject)} <span class="muted">${esc(c.author)}, ${esc(when)}</span>${runs}</div>`;
    }).join("");
    if (STATIC) return;
    const order = ["workspace", ...commits.map((c) => c.commit)];
    const button = document.getElementById("compare-button");
    const picked = () => [...box.querySelectorAll("input.pick:checked")].map((i) => i.value);
    box.onchange = () => { button.disabled = picked().length !== 2; };  // replaced, not added, on each visit
    button.addEventListener("click", () => {
      const [newer, older] = picked().sort((x, y) => order.indexOf(x) - order.indexOf(y));
      showCompare(older, newer);
    });
  }

  async function showCompare(a, b) {
    const box = document.getElementById("compare");
    box.innerHTML = `<p class="muted">comparing ${esc(a.slice(0, 8))} with ${esc(b.slice(0, 8))}…</p>`;
    let diff;
    try { diff = await api(`/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`); } catch (error) {
      box.innerHTML = `<p class="muted">${esc(error.message)}</p>`;
      return;
    }
    const nodes = Object.entries(diff.steps).map(([name, s]) => ({ id: name, change: s.changed && s.state === "re-runs" ? "changed" : s.state, reasons: s.reasons }));
    const counts = {};
    for (const n of nodes) counts[n.change] = (counts[n.change] || 0) + 1;
    box.innerHTML = `<h3>${esc(diff.a.label)} → ${esc(diff.b.label)}: ${esc(Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", "))}</h3><div class="graph" id="compare-graph"></div><div id="compare-steps"></div><h3>Parameters</h3><div id="compare-params"></div><h3>Metrics</h3><div id="compare-metrics"></div>`;
    const graphBox = document.getElementById("compare-graph");
    drawGraph(graphBox, nodes, diff.edges, { attribute: "data-change", key: "change" });
    legend(graphBox, ["added", "removed", "changed", "re-runs", "reused"]);
    const stepRows = nodes.filter((n) => n.change !== "reused").map((n) => [n.id, n.change, (n.reasons || []).join("; ")]);
    document.getElementById("compare-steps").innerHTML = stepRows.length ? table(["step", "change", "why"], stepRows) : `<p class="muted">no step changes</p>`;
    const params = diff.params_side_by_side.map((p) => ({ cells: [p.key, p.a, p.b], changed: p.changed }));
    params.sort((x, y) => Number(y.changed) - Number(x.changed));
    document.getElementById("compare-params").innerHTML = params.length ? table(["parameter", diff.a.label, diff.b.label], params) : `<p class="muted">no parameters</p>`;
    const metricRows = diff.metrics.map((m) => ({ cells: [m.file, m.key, m.old, m.new, m.delta], changed: m.old !== m.new }));
    document.getElementById("compare-metrics").innerHTML = metricRows.length ? table(["file", "metric", diff.a.label, diff.b.label, "delta"], metricRows, { numeric: (i) => i >= 2 }) : `<p class="muted">no metrics</p>`;
  }

  /* ---------- sweeps ---------- */

  async function showSweeps() {
    const box = document.getElementById("sweeps");
    let sweeps;
    try { sweeps = await api("/api/sweeps"); } catch (error) { box.innerHTML = `<p class="muted">${esc(error.message)}</p>`; return; }
    if (!sweeps.length) { box.innerHTML = `<p class="muted">no sweeps yet: <code>pipeyard run -m train.lr=0.1,0.01</code> runs one</p>`; return; }
    box.innerHTML = sweeps.map((s, i) => `<h3>sweep on ${esc(s.baseline.slice(0, 8))}${s.sorted_by ? ", ranked by " + esc(s.sorted_by) : ""}</h3><div class="sweep" data-sweep="${i}"></div>`).join("");
    sweeps.forEach((s, i) => renderSweep(box.querySelector(`[data-sweep="${i}"]`), s, s.metrics.length ? s.columns.indexOf(s.metrics[0]) : -1, true));
  }

  function renderSweep(target, sweep, column, descending) {
    const rows = sweep.rows.slice();
    if (column >= 0) {
      rows.sort((x, y) => {
        const a = x[column], b = y[column];
        if (a === null || a === undefined) return 1;
        if (b === null || b === undefined) return -1;
        return (a < b ? -1 : a > b ? 1 : 0) * (descending ? -1 : 1);
      });
    }
    target.innerHTML = table(sweep.columns, rows, { sortable: true, numeric: (i, v) => typeof v === "number" });
    for (const th of target.querySelectorAll("th")) {
      th.addEventListener("click", () => {
        const index = Number(th.dataset.column);
        renderSweep(target, sweep, index, index === column ? !descending : true);
      });
    }
  }

  /* ---------- tabs, run button, start ---------- */

  function showView(name) {
    for (const tab of document.querySelectorAll("header .tab")) tab.setAttribute("aria-selected", String(tab.dataset.view === name));
    for (const section of document.querySelectorAll("main .view")) section.hidden = section.id !== `view-${name}`;
    if (name === "history") showHistory();
    if (name === "sweeps") showSweeps();
    if (name === "designer" && !view.designerMounted && window.PipeyardDesigner) {
      view.designerMounted = true;
      window.PipeyardDesigner.mount(document.getElementById("designer"), { apiBase: "/api/designer", token: TOKEN, onSaved: () => reloadGraph() });
    }
    if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  }

  function runForm() {
    const button = document.getElementById("run-button");
    const form = document.createElement("form");
    form.id = "run-form";
    form.innerHTML = `<input id="run-overrides" placeholder="overrides, e.g. train.lr=0.01" aria-label="overrides"><button type="submit" id="run-start">Run</button>`;
    button.replaceWith(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const overrides = document.getElementById("run-overrides").value.split(/\s+/).filter(Boolean);
      try {
        const started = await api("/api/run", { method: "POST", body: JSON.stringify({ overrides }) });
        banner(`started pipeyard run ${overrides.join(" ")} (process ${started.pid})`, "info");
      } catch (error) {
        banner(`could not start the run: ${error.message}`, "error");
      }
    });
  }

  async function start() {
    for (const tab of document.querySelectorAll("header .tab")) tab.addEventListener("click", () => showView(tab.dataset.view));
    const first = (location.hash || "#graph").slice(1);
    showView(document.getElementById(`view-${first}`) ? first : "graph");
    if (STATIC) {
      document.getElementById("connection").textContent = `exported ${new Date(STATIC.generated_at * 1000).toLocaleString()}`;
      renderMainGraph(STATIC.graph);
      if (STATIC.last_run) banner(`last run ${STATIC.last_run.run_id}: ${STATIC.last_run.status}`, STATIC.last_run.status === "succeeded" ? "ok" : "error");
      return;
    }
    runForm();
    try {
      const graph = await api("/api/graph");
      renderMainGraph(graph);
      if (graph.run) banner(`run ${graph.run} is going on`, "info");
      follow(graph.cursor);
    } catch (error) {
      banner(`could not load the graph: ${error.message}`, "error");
      follow("");
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
