/* pipeyard ui: the pipeline designer. Plain JavaScript, no build step.
 *
 * window.PipeyardDesigner.mount(container, { apiBase, token, onSaved }) draws a palette of
 * components, a canvas of jobs (each a DOM element with data-step="<job>") with typed ports,
 * and a side panel (parameters, compute, rename, remove, diff, commit). Every edit goes to the
 * server, which applies it to the YAML text and answers with the new draft, its graph and the
 * diff a save would write, or refuses it saying why. The page polls the file's version twice a
 * second: an outside edit redraws the canvas, or (with unsaved edits) shows a Reload banner.
 */
(function () {
  "use strict";

  const POLL_MS = 500;

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function mount(container, options) {
    const apiBase = (options && options.apiBase) || "/api/designer";
    const token = (options && options.token) || "";
    const onSaved = (options && options.onSaved) || function () {};
    const state = { path: null, text: "", version: null, graph: null, dirty: false, readOnly: false,
                    selected: null, pending: null, palette: [], valid: true, polling: null };

    const status = el("span", { class: "pd-status", role: "status" });
    const saveButton = el("button", { type: "button", id: "pd-save", disabled: true, onclick: save }, "Save");
    const fileSelect = el("select", { id: "pd-file", "aria-label": "pipeline file", onchange: () => open(fileSelect.value) });
    const banner = el("div", { class: "pd-banner", id: "pd-conflict", hidden: true, role: "alert" });
    const message = el("div", { class: "pd-message", id: "pd-message", role: "alert", hidden: true });
    const palette = el("aside", { class: "pd-palette", id: "pd-palette" });
    const edges = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    edges.setAttribute("class", "pd-edges");
    const nodes = el("div", { class: "pd-nodes" });
    const canvas = el("div", { class: "pd-canvas", id: "pd-canvas", ondragover: (e) => e.preventDefault(), ondrop: dropped }, edges, nodes);
    const side = el("aside", { class: "pd-side", id: "pd-side" });
    container.replaceChildren(el("div", { class: "pd" },
      el("div", { class: "pd-toolbar" }, fileSelect, saveButton, status),
      banner, message, el("div", { class: "pd-body" }, palette, canvas, side)));

    async function call(path, body, params) {
      const query = params ? "?" + new URLSearchParams(params) : "";
      const init = body === undefined ? {} : {
        method: "POST", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", "X-Pipeyard-Token": token },
      };
      const response = await fetch(apiBase + path + query, init);
      let data = {};
      try { data = await response.json(); } catch (error) { data = { error: `HTTP ${response.status}` }; }
      return { ok: response.ok, status: response.status, data };
    }

    function say(text, kind) {
      message.hidden = !text;
      message.dataset.kind = kind || "error";
      message.textContent = text || "";
    }

    function describe() {
      if (state.readOnly) status.textContent = "read-only";
      else if (state.dirty) status.textContent = state.valid ? "unsaved changes" : "unsaved, incomplete: " + (state.problem || "");
      else status.textContent = state.valid ? "saved" : "does not load: " + (state.problem || "");
      saveButton.disabled = state.readOnly || !state.dirty || !state.valid;
    }

    async function start() {
      const listed = await call("/files");
      const found = listed.ok ? listed.data.files : [];
      fileSelect.replaceChildren(...found.map((f) => el("option", { value: f }, f)));
      if (!found.length) { say((listed.data && listed.data.error) || "this project has no pipeline file"); return; }
      await open(listed.data.default);
      state.polling = setInterval(poll, POLL_MS);
    }

    async function open(path) {
      const response = await call("/document", undefined, { path });
      if (!response.ok) { say(response.data.error); return; }
      const doc = response.data;
      Object.assign(state, { path: doc.path, text: doc.text, version: doc.version, dirty: false, pending: null,
                             readOnly: doc.read_only, valid: doc.valid, problem: doc.problem });
      fileSelect.value = doc.path;
      banner.hidden = true;
      say(doc.read_only ? doc.reason : doc.problem ? "This file does not load: " + doc.problem : "", doc.read_only ? "info" : "error");
      show(doc.graph);
      if (!doc.read_only) loadPalette(); else palette.replaceChildren();
    }

    async function loadPalette() {
      const response = await call("/palette", undefined, { path: state.path });
      if (!response.ok) { palette.replaceChildren(el("p", {}, response.data.error)); return; }
      state.palette = response.data.components;
      palette.replaceChildren(el("h3", {}, "Components"), ...state.palette.map((c) => el("div", {
        class: "pd-component", draggable: "true", dataset: { reference: c.reference, origin: c.origin },
        title: c.description || c.reference,
        ondragstart: (e) => e.dataTransfer.setData("text/plain", c.reference),
      }, el("span", { class: "pd-component-name" }, c.name),
         el("span", { class: "pd-origin" }, c.origin === "registry" ? c.reference.replace(/^azureml:|^registry:/, "") : c.file || c.reference),
         el("button", { type: "button", class: "pd-add", "aria-label": `add ${c.name}`, onclick: () => edit({ op: "add_job", component: c.reference }) }, "+"))),
        ...response.data.problems.map((p) => el("p", { class: "pd-problem" }, p)));
    }

    async function poll() {
      if (!state.path || document.hidden) return;
      const response = await call("/version", undefined, { path: state.path });
      if (!response.ok || response.data.version === state.version) return;
      if (!state.dirty) { await open(state.path); return; }
      if (banner.hidden) conflict(`${state.path} changed on disk since you loaded it.`);
    }

    function conflict(text) {
      banner.replaceChildren(el("span", {}, text + " "),
        el("button", { type: "button", id: "pd-reload", onclick: () => open(state.path) }, "Reload"),
        el("span", { class: "pd-dim" }, " (your unsaved edits are lost)"));
      banner.hidden = false;
    }

    async function edit(operation) {
      if (state.readOnly) return;
      const response = await call("/edit", { path: state.path, version: state.version, text: state.text, edit: operation });
      if (!response.ok) { say(response.data.error + (response.data.hint ? ` (${response.data.hint})` : "")); return false; }
      const body = response.data;
      Object.assign(state, { text: body.text, dirty: true, valid: body.valid, problem: body.problem, pending: null });
      say(body.notes.join("; "), "info");
      state.diff = body.diff;
      if (operation.op === "rename_job" && state.selected === operation.job) state.selected = operation.new_name;
      if (operation.op === "add_job") state.selected = body.graph.jobs[body.graph.jobs.length - 1].name;
      if (operation.op === "remove_job" && state.selected === operation.job) state.selected = null;
      show(body.graph);
      return true;
    }

    async function save() {
      const response = await call("/save", { path: state.path, version: state.version, text: state.text });
      if (response.status === 409) { conflict(response.data.error); return; }
      if (!response.ok) { say(response.data.error); return; }
      Object.assign(state, { version: response.data.version, dirty: false });
      say(`Saved ${state.path}.`, "info");
      state.diff = "";
      describe();
      drawSide();
      onSaved(response.data);
    }

    async function commit(messageText) {
      const response = await call("/commit", { path: state.path, message: messageText, version: state.version });
      if (response.status === 409) { conflict(response.data.error); return; }
      if (!response.ok) { say(response.data.error); return; }
      say(`Committed ${state.path} as ${response.data.commit.slice(0, 8)}.`, "info");
    }

    function dropped(event) {
      event.preventDefault();
      const reference = event.dataTransfer.getData("text/plain");
      if (reference) edit({ op: "add_job", component: reference });
    }

    /* ---------- the canvas ---------- */

    function show(graph) {
      state.graph = graph;
      describe();
      nodes.replaceChildren();
      if (!graph) { edges.replaceChildren(); drawSide(); return; }
      if (state.selected && !graph.jobs.some((j) => j.name === state.selected)) state.selected = null;
      const positions = layout(graph);
      let right = 0, bottom = 0;
      for (const job of graph.jobs) {
        const at = positions[job.name];
        nodes.append(node(job, at));
        right = Math.max(right, at.x + 260);
        bottom = Math.max(bottom, at.y + 60 + 21 * (job.inputs.length + job.outputs.length));
      }
      nodes.style.width = `${right + 20}px`;  // the canvas scrolls to every node
      nodes.style.height = `${bottom + 20}px`;
      requestAnimationFrame(drawEdges);
      drawSide();
    }

    function layout(graph) {
      const width = 240, height = (job) => 40 + 21 * Math.max(job.inputs.length + job.outputs.length, 1);
      if (window.dagre) {
        const g = new window.dagre.graphlib.Graph();
        g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 70, marginx: 20, marginy: 20 });
        g.setDefaultEdgeLabel(() => ({}));
        for (const job of graph.jobs) g.setNode(job.name, { width, height: height(job) });
        for (const e of graph.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
        window.dagre.layout(g);
        const out = {};
        for (const job of graph.jobs) { const n = g.node(job.name); out[job.name] = { x: n.x - width / 2, y: n.y - n.height / 2 }; }
        return out;
      }
      const layer = {};  // longest path from a job without inputs from other jobs
      const depth = (name, seen) => {
        if (layer[name] !== undefined) return layer[name];
        if (seen.has(name)) return 0;
        seen.add(name);
        const ups = graph.edges.filter((e) => e.target === name).map((e) => depth(e.source, seen) + 1);
        return (layer[name] = Math.max(0, ...ups));
      };
      const rows = {}, out = {};
      for (const job of graph.jobs) {
        const l = depth(job.name, new Set());
        rows[l] = (rows[l] || 0);
        out[job.name] = { x: 20 + l * (width + 70), y: 20 + rows[l] };
        rows[l] += height(job) + 30;
      }
      return out;
    }

    function node(job, at) {
      const ports = el("div", { class: "pd-ports" },
        el("div", { class: "pd-inputs" }, job.inputs.map((p) => port(job, p, "in"))),
        el("div", { class: "pd-outputs" }, job.outputs.map((p) => port(job, p, "out"))));
      return el("div", {
        class: "pd-node" + (state.selected === job.name ? " pd-selected" : "") + (job.problem ? " pd-has-problem" : ""),
        dataset: { step: job.name }, style: `left:${at.x}px;top:${at.y}px`, title: job.problem || "",
        onclick: () => { state.selected = job.name; show(state.graph); },
      }, el("div", { class: "pd-node-title" }, el("strong", {}, job.name), el("span", { class: "pd-dim" }, job.component.name || "?")), ports);
    }

    function port(job, p, side) {
      const connected = side === "in" && p.source && (p.source.job || p.source.pipeline_input || p.source.path);
      const pending = state.pending && side === "out" && state.pending.job === job.name && state.pending.output === p.name;
      const item = el("div", {
        class: `pd-port pd-${side}` + (connected ? " pd-connected" : "") + (pending ? " pd-pending" : "") +
               (side === "in" && !p.optional && !connected ? " pd-required" : ""),
        dataset: { port: p.name, type: p.type || "", job: job.name }, title: `${p.name}: ${p.type || "unknown type"}`,
        onclick: (e) => { e.stopPropagation(); portClicked(job, p, side); },
        onpointerdown: () => { if (side === "out" && !state.readOnly) state.dragFrom = { job: job.name, output: p.name }; },
        onpointerup: () => {
          const from = state.dragFrom;
          if (side !== "in" || !from || from.job === job.name) return;
          state.dragFrom = null;
          state.dragged = true;  // a click that follows at once is this same drop
          setTimeout(() => { state.dragged = false; }, 0);
          edit({ op: "connect", source: from.job, output: from.output, target: job.name, input: p.name });
        },
      }, el("span", { class: "pd-dot" }), el("span", {}, p.name), el("span", { class: "pd-type" }, p.type || ""));
      return item;
    }

    function mark() {
      for (const item of nodes.querySelectorAll(".pd-out")) {
        const on = state.pending && item.dataset.job === state.pending.job && item.dataset.port === state.pending.output;
        item.classList.toggle("pd-pending", Boolean(on));
      }
      nodes.classList.toggle("pd-connecting", Boolean(state.pending));
    }

    function portClicked(job, p, side) {
      if (state.readOnly) return;
      if (side === "out") {
        const same = state.pending && state.pending.job === job.name && state.pending.output === p.name;
        state.pending = same ? null : { job: job.name, output: p.name };
        mark();
        return;
      }
      if (state.dragged) { state.dragged = false; return; }
      if (state.pending) {
        const from = state.pending;
        state.pending = null;
        mark();
        edit({ op: "connect", source: from.job, output: from.output, target: job.name, input: p.name });
      }
    }

    function drawEdges() {
      const box = canvas.getBoundingClientRect();
      edges.setAttribute("width", canvas.scrollWidth);
      edges.setAttribute("height", canvas.scrollHeight);
      const center = (item, side) => {
        const r = item.getBoundingClientRect();
        return { x: (side === "out" ? r.right : r.left) - box.left + canvas.scrollLeft, y: r.top + r.height / 2 - box.top + canvas.scrollTop };
      };
      const find = (job, name, side) => nodes.querySelector(`.pd-node[data-step="${CSS.escape(job)}"] .pd-${side}[data-port="${CSS.escape(name)}"]`);
      const paths = [];
      for (const e of state.graph ? state.graph.edges : []) {
        const from = find(e.source, e.output, "out"), to = find(e.target, e.input, "in");
        if (!from || !to) continue;
        const a = center(from, "out"), b = center(to, "in"), bend = Math.max(40, (b.x - a.x) / 2);
        const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
        path.setAttribute("d", `M${a.x},${a.y} C${a.x + bend},${a.y} ${b.x - bend},${b.y} ${b.x},${b.y}`);
        path.setAttribute("class", "pd-edge");
        path.dataset.edge = `${e.source}.${e.output}->${e.target}.${e.input}`;
        paths.push(path);
      }
      edges.replaceChildren(...paths);
    }

    /* ---------- the side panel ---------- */

    function drawSide() {
      const parts = [];
      const job = state.graph && state.graph.jobs.find((j) => j.name === state.selected);
      if (job) parts.push(jobForm(job));
      else if (!state.readOnly) parts.push(el("p", { class: "pd-dim" }, "Drag a component onto the canvas. Click an output, then an input, to connect them. Click a job to edit it."));
      if (state.diff) parts.push(el("h3", {}, "Change to save"), el("pre", { class: "pd-diff", id: "pd-diff" }, state.diff));
      if (!state.readOnly) {
        const text = el("input", { id: "pd-commit-message", placeholder: "commit message", "aria-label": "commit message" });
        parts.push(el("form", { class: "pd-commit", onsubmit: (e) => { e.preventDefault(); if (text.value.trim()) commit(text.value.trim()); } },
          el("h3", {}, `Commit ${state.path || ""}`), text, el("button", { type: "submit", id: "pd-commit" }, "Commit")));
      }
      side.replaceChildren(...parts);
    }

    function jobForm(job) {
      const editable = !state.readOnly;
      const field = (label, input) => el("label", { class: "pd-field" }, el("span", {}, label), input);
      const name = el("input", { value: job.name, id: "pd-job-name", disabled: !editable,
        onchange: () => edit({ op: "rename_job", job: job.name, new_name: name.value.trim() }) });
      const compute = el("input", { value: job.compute || "", id: "pd-compute", placeholder: "pipeline default", disabled: !editable,
        onchange: () => edit({ op: "set_compute", job: job.name, compute: compute.value.trim() || null }) });
      const parameters = job.parameters.map((p) => {
        const shown = p.bound || (p.value === null || p.value === undefined ? "" : String(p.value));
        const setTo = (value) => edit({ op: "set_parameter", job: job.name, name: p.name, value });
        let input;
        if (p.choices && p.choices.length) {
          input = el("select", { disabled: !editable, onchange: () => setTo(input.value) },
            el("option", { value: "" }, `default (${p.default ?? "none"})`),
            p.choices.map((c) => el("option", { value: String(c), selected: String(c) === shown }, String(c))));
        } else {
          input = el("input", { value: shown, placeholder: p.default === null ? (p.optional ? "optional" : "required") : `default ${p.default}`,
                                disabled: !editable, onchange: () => setTo(input.value) });
        }
        input.dataset.parameter = p.name;
        return field(`${p.name} (${p.type})`, input);
      });
      const inputs = job.inputs.map((p) => {
        const s = p.source;
        const from = !s ? (p.optional ? "not connected (optional)" : "not connected") :
          s.job ? `${s.job}.${s.output}` : s.pipeline_input ? `pipeline input ${s.pipeline_input}` : s.path;
        return el("li", {}, `${p.name} (${p.type || "?"}) ← ${from} `,
          editable && s ? el("button", { type: "button", class: "pd-disconnect", "aria-label": `disconnect ${p.name}`,
                                         onclick: () => edit({ op: "disconnect", job: job.name, input: p.name }) }, "×") : null);
      });
      return el("section", { class: "pd-job", dataset: { job: job.name } },
        el("h3", {}, `Job ${job.name}`),
        el("p", { class: "pd-dim" }, `${job.component.name || "?"} · ${job.component.reference || ""}`),
        job.problem ? el("p", { class: "pd-problem" }, job.problem) : null,
        field("name", name), field("compute", compute),
        parameters.length ? el("h4", {}, "Parameters") : null, parameters,
        inputs.length ? el("h4", {}, "Inputs") : null, el("ul", { class: "pd-input-list" }, inputs),
        editable ? el("button", { type: "button", id: "pd-remove", onclick: () => edit({ op: "remove_job", job: job.name }) }, "Remove job") : null);
    }

    document.addEventListener("pointerup", () => { setTimeout(() => { state.dragFrom = null; }, 0); });
    start();
    return { reload: () => open(state.path), stop: () => clearInterval(state.polling), state };
  }

  window.PipeyardDesigner = { mount };
})();
