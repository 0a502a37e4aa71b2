// netsim report: draws the data embedded in the page (format: netsim/report.py) and answers clicks.
// Plain JavaScript, no library, no network: the page must open from disk.
(() => {
  "use strict";

  const D = JSON.parse(document.getElementById("netsim-data").textContent);
  const STR = D.strings;
  const MAX_EDGES = 1000; // edges drawn at once; the rest stay reachable through selection and filters
  const MAX_LABELS = 40; // edge labels drawn when no more edges than this are drawn
  const MAX_LIST = 200; // connections listed per direction in the panel
  const MAX_RESULTS = 40;

  // ---- small helpers ---------------------------------------------------------------------------
  const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);
  const fmt = (n) => Number(n).toLocaleString("en-US");
  const plural = (n, word, many) => `${fmt(n)} ${n === 1 ? word : many || `${word}s`}`;
  const $ = (id) => document.getElementById(id);
  const r1 = (v) => Math.round(v * 10) / 10;

  // ---- connection sets: netpol-analyzer's text ("All Connections", "TCP 53,UDP 53") -------------
  const parsed = new Map();
  function conns(i) {
    if (!i) return null;
    let c = parsed.get(i);
    if (!c) {
      c = parseConns(STR[i]);
      parsed.set(i, c);
    }
    return c;
  }
  function parseConns(text) {
    if (text === "All Connections") return { all: true, P: {} };
    const P = {};
    let proto = null;
    for (let part of text.split(",")) {
      part = part.trim();
      const m = /^([A-Z]+) (.+)$/.exec(part);
      if (m) {
        proto = m[1];
        part = m[2];
      }
      if (!proto) continue;
      const [lo, hi] = part.split("-").map(Number);
      (P[proto] = P[proto] || []).push([lo, hi === undefined ? lo : hi]);
    }
    return { all: false, P };
  }
  function allows(c, q) {
    if (!c) return false;
    if (c.all) return true;
    for (const proto of Object.keys(c.P)) {
      if (q.proto && q.proto !== proto) continue;
      if (q.port === null) return true;
      for (const [lo, hi] of c.P[proto]) if (lo <= q.port && q.port <= hi) return true;
    }
    return false;
  }
  // the port the report explains an edge on: the first of its connections (as netsim/report.py picks it)
  function firstPort(text) {
    if (!text) return "";
    if (text === "All Connections") return "1/SCTP";
    const m = /^([A-Z]+) (\d+)/.exec(text);
    return m ? `${m[2]}/${m[1]}` : "";
  }
  function parsePortQuery(text) {
    const t = text.trim();
    if (!t) return null;
    let m = /^(\d{1,5})(?:\s*\/\s*(tcp|udp|sctp))?$/i.exec(t);
    if (m && +m[1] >= 1 && +m[1] <= 65535) return { port: +m[1], proto: m[2] ? m[2].toUpperCase() : null };
    m = /^(tcp|udp|sctp)(?:[\s/]+(\d{1,5}))?$/i.exec(t);
    if (m && (!m[2] || (+m[2] >= 1 && +m[2] <= 65535)))
      return { port: m[2] ? +m[2] : null, proto: m[1].toUpperCase() };
    return undefined; // invalid
  }

  // ---- addresses, for the search: an IP finds the external range that holds it ------------------
  function ipValue(text) {
    const s = text.trim();
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
      const parts = s.split(".").map(Number);
      if (parts.some((p) => p > 255)) return null;
      return { v: 4, n: parts.reduce((a, p) => a * 256n + BigInt(p), 0n) };
    }
    if (s.includes(":") && /^[0-9a-f:.]+$/i.test(s)) {
      let head = s, tail = "";
      if (s.includes("::")) [head, tail] = s.split("::", 2);
      const groups = (x) => (x ? x.split(":") : []);
      const h = groups(head), t = groups(tail);
      if (t.length && t[t.length - 1].includes(".")) return null; // embedded IPv4: not searched
      const fill = s.includes("::") ? 8 - h.length - t.length : 0;
      const all = [...h, ...Array(Math.max(0, fill)).fill("0"), ...t];
      if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
      return { v: 6, n: all.reduce((a, g) => a * 65536n + BigInt(parseInt(g, 16)), 0n) };
    }
    return null;
  }
  function rangeOf(node) {
    const m = /^([^-\[]+)-([^\[]+)\[External\]$/.exec(node.id);
    if (!m) return null;
    const lo = ipValue(m[1]), hi = ipValue(m[2]);
    return lo && hi && lo.v === hi.v ? { v: lo.v, lo: lo.n, hi: hi.n } : null;
  }

  // ---- views: the overview and one per namespace ------------------------------------------------
  const views = new Map();
  // a diff report (netsim diff -o html) adds, per edge, [status, base ports, base maybe]:
  // status 0 same, 1 added, 2 removed, 3 changed
  const STATUS = ["", "added", "removed", "changed"];
  function edgeRow(e, s, d, diff) {
    const st = diff ? diff[0] : 0;
    return { s, d, ports: e[2], maybe: e[3], pairs: e[4], why: e[5], st, bports: diff ? diff[1] : 0, bmaybe: diff ? diff[2] : 0 };
  }
  // report.py packs a view's own nodes tightly around (560, 500); spread them out (keeping their
  // arrangement) as far as the ring of other namespaces' workloads, so small views stay readable
  function spread(view) {
    const inner = view.nodes.filter((v) => v.n.kind !== "external" && !v.outside);
    if (inner.length < 2 || inner.length > 300) return;
    const ring = view.nodes.some((v) => v.outside);
    let dmin = Infinity, far = 0, rmax = 0;
    for (let i = 0; i < inner.length; i++) {
      const a = inner[i];
      far = Math.max(far, Math.hypot(a.x - 560, a.y - 500) + a.r);
      rmax = Math.max(rmax, a.r);
      for (let j = i + 1; j < inner.length; j++) dmin = Math.min(dmin, Math.hypot(a.x - inner[j].x, a.y - inner[j].y));
    }
    const k = Math.min((2.5 * rmax + 60) / Math.max(dmin, 1), (ring ? 340 : 420) / Math.max(far, 1));
    if (k <= 1) return;
    for (const v of inner) {
      v.x = r1(560 + (v.x - 560) * k);
      v.y = r1(500 + (v.y - 500) * k);
    }
  }
  function finish(view) {
    spread(view);
    view.order = view.edges.map((_, i) => i).sort((a, b) => view.edges[b].pairs - view.edges[a].pairs || a - b);
    view.byNode = view.nodes.map(() => ({ out: [], in: [] }));
    view.edges.forEach((e, i) => {
      view.byNode[e.s].out.push(i);
      if (e.d !== e.s) view.byNode[e.d].in.push(i);
    });
    return view;
  }
  // a namespace's or a workload's view is an element of its own, parsed when first opened (a
  // page of 100,000 pods then opens as fast as its overview)
  function part(entry) {
    if (entry.part !== undefined && entry.nodes === undefined) {
      Object.assign(entry, JSON.parse(document.getElementById(`netsim-part-${entry.part}`).textContent));
    }
    return entry;
  }
  function getView(name) {
    let view = views.get(name);
    if (view) return view;
    if (name === null) {
      view = {
        name,
        nodes: D.overview.nodes.map((n) => ({ n, x: n.x, y: n.y, r: n.r, outside: false })),
        edges: D.overview.edges.map((e, i) => {
          const row = edgeRow(e, e[0], e[1], D.overview.diff && D.overview.diff[i]);
          row.ov = i; // its place in D.overview.behind (the workloads of a pair behind it)
          return row;
        }),
      };
    } else if (isPodView(name)) {
      // a workload's pods: its groups (outside 0: the group ref), then the ends they reach as in a
      // namespace view (a workload of the namespace, another namespace, the external addresses)
      const V = part(D.podViews[name]);
      const w = D.workloads.nodes[workloadAt.get(name)];
      const nodes = V.nodes.map((row) => {
        const ref = row[0], outside = !!row[4];
        let n;
        if (!outside) {
          const g = V.groups[ref];
          n = { id: `${name}#${ref}`, kind: "pods", label: g.label, ns: w.ns, pods: g.pods.length, openIn: g.openIn,
            openOut: g.openOut, rep: g.rep, group: g };
        } else n = ref >= 0 ? D.workloads.nodes[ref] : D.overview.nodes[-ref - 1];
        return { n, x: row[1], y: row[2], r: row[3], outside };
      });
      const edges = V.edges.map((e) => edgeRow(e, e[0], e[1], null));
      view = { name, nodes, edges, workload: w };
    } else {
      const V = part(D.namespaces[name]);
      const at = new Map();
      // a node is a workload (index >= 0) or another namespace or the external addresses (an
      // overview node, index -1 - i); an edge is [source, target, ports, maybe, pairs, why] in
      // the view's nodes, with [status, base ports, base maybe] after it in a diff report
      const nodes = V.nodes.map((row, k) => {
        const ref = row[0];
        if (ref >= 0) at.set(ref, k);
        const n = ref >= 0 ? D.workloads.nodes[ref] : D.overview.nodes[-ref - 1];
        return { n, wl: ref >= 0 ? ref : null, x: row[1], y: row[2], r: row[3], outside: !!row[4] };
      });
      const edges = V.edges.map((e) => edgeRow(e, e[0], e[1], e.length > 6 ? e.slice(6) : null));
      view = { name, nodes, edges, at };
    }
    views.set(name, finish(view));
    return view;
  }
  const overviewAt = new Map(D.overview.nodes.map((n, i) => [n.id, i]));
  const workloadAt = new Map(D.workloads.nodes.map((n, i) => [n.id, i]));
  const podViews = D.podViews || {};
  // a view's name: null (the overview), a namespace, or a workload's id (its pods: ids hold a "/")
  function isPodView(name) {
    return name !== null && name.includes("/");
  }

  // ---- state ----------------------------------------------------------------------------------
  const S = {
    view: null, // null: the overview; else a namespace, or a workload (its pod view)
    sel: null, // {t: "n" | "e", i}: a node or an edge of the view
    f: { port: null, ns: "", open: false, cross: false },
    vb: [0, 0, 1000, 1000],
    fitted: false,
  };

  // ---- the page's skeleton --------------------------------------------------------------------
  const c = D.counts;
  const nsNames = Object.keys(D.namespaces).sort();
  document.body.innerHTML = `
<header>
  <h1>netsim report <span class="title">${esc(D.title)}</span></h1>
  <p class="counts">${plural(c.namespaces, "namespace")} · ${plural(c.workloads, "workload")} ·
    ${plural(c.pods, "pod")} · ${plural(c.policies, "NetworkPolicy", "NetworkPolicies")}${
      c.clusterPolicies ? ` · ${plural(c.clusterPolicies, "cluster-scoped policy", "cluster-scoped policies")}` : ""
    }</p>
</header>
<div class="toolbar" role="search">
  <div class="search">
    <label for="q">Search</label>
    <input id="q" type="search" autocomplete="off" placeholder="namespace, workload, pod or IP"
      aria-controls="results" aria-describedby="q-help">
    <span id="q-help" class="hidden">Arrow down moves to the results; Enter opens the first.</span>
    <ul id="results" role="listbox" aria-label="Search results" hidden></ul>
  </div>
  <label>Port <input id="f-port" size="9" placeholder="5432, 53/UDP" autocomplete="off"></label>
  <label>Namespace <select id="f-ns"><option value="">all</option>${nsNames
    .map((n) => `<option>${esc(n)}</option>`)
    .join("")}</select></label>
  <label><input id="f-open" type="checkbox"> only open ends</label>
  <label><input id="f-cross" type="checkbox"> only cross-namespace</label>
</div>
<nav id="crumbs" aria-label="Breadcrumbs"></nav>
<main>
  <div id="stage">
    <svg id="graph" role="img" aria-label="Allowed traffic" viewBox="0 0 1000 1000"
      preserveAspectRatio="xMidYMid meet">
      <defs>
        ${["def", "all", "maybe", "hi"]
          .map(
            (k) => `<marker id="arrow-${k}" class="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5"
              markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker>`
          )
          .join("")}
      </defs>
      <g id="viewport"><g id="edges"></g><g id="nodes"></g><g id="edge-labels"></g></g>
    </svg>
    <div id="zoom">
      <button type="button" data-zoom="in" aria-label="Zoom in">+</button>
      <button type="button" data-zoom="out" aria-label="Zoom out">−</button>
      <button type="button" data-zoom="fit" aria-label="Fit to window">fit</button>
    </div>
    <div id="legend" aria-label="Legend"></div>
  </div>
  <aside id="panel" aria-live="polite"></aside>
</main>`;
  const svg = $("graph");

  // ---- filters --------------------------------------------------------------------------------
  function filtering() {
    const f = S.f;
    return f.port !== null || f.ns !== "" || f.open || f.cross;
  }
  function keep(view, e) {
    const f = S.f;
    const a = view.nodes[e.s].n, b = view.nodes[e.d].n;
    if (f.port !== null && !allows(conns(e.ports), f.port) && !allows(conns(e.maybe), f.port)) return false;
    if (f.ns !== "" && a.ns !== f.ns && b.ns !== f.ns) return false;
    if (f.open && !a.openOut && !b.openIn) return false;
    if (f.cross && a.ns === b.ns) return false;
    return true;
  }

  // ---- drawing --------------------------------------------------------------------------------
  function geometry(a, b, bend) {
    if (a === b) {
      const { x, y, r } = a;
      return {
        d: `M${r1(x - r * 0.5)},${r1(y - r * 0.87)}C${r1(x - r * 1.8)},${r1(y - r * 3)} ${r1(x + r * 1.8)},${r1(
          y - r * 3
        )} ${r1(x + r * 0.5)},${r1(y - r * 0.87)}`,
        lx: x,
        ly: y - r * 2.4,
      };
    }
    const dx = b.x - a.x, dy = b.y - a.y, L = Math.hypot(dx, dy) || 1;
    const ux = dx / L, uy = dy / L;
    const sx = a.x + ux * a.r, sy = a.y + uy * a.r;
    const tx = b.x - ux * (b.r + 1), ty = b.y - uy * (b.r + 1);
    const mx = (sx + tx) / 2 - uy * L * bend, my = (sy + ty) / 2 + ux * L * bend;
    return {
      d: `M${r1(sx)},${r1(sy)}Q${r1(mx)},${r1(my)} ${r1(tx)},${r1(ty)}`,
      lx: 0.25 * sx + 0.5 * mx + 0.25 * tx,
      ly: 0.25 * sy + 0.5 * my + 0.25 * ty,
    };
  }
  const width = (pairs) => r1(Math.min(5, 1.4 + Math.log10(Math.max(1, pairs)) * 1.1));
  function edgeText(e) {
    const certain = e.ports ? STR[e.ports] : "";
    const maybe = e.maybe ? `? ${STR[e.maybe]}` : "";
    return [certain, maybe].filter(Boolean).join(" ");
  }
  function nodeTitle(v) {
    const n = v.n;
    if (n.kind === "external") return n.label;
    if (n.kind === "namespace") return n.id;
    if (n.kind === "pods") return n.label;
    return v.outside ? n.label : n.label.slice(n.ns.length + 1);
  }
  function worst(list) {
    const rank = { error: 3, warning: 2, info: 1 };
    return list.reduce((w, f) => ((rank[f.severity] || 0) > (rank[w] || 0) ? f.severity : w), "info");
  }

  let labels = []; // [element, radius] of the node labels, shown by zoom
  let drawnInfo = null;

  function draw() {
    const view = getView(S.view);
    const kept = [];
    for (const i of view.order) if (keep(view, view.edges[i])) kept.push(i);
    const selNode = S.sel && S.sel.t === "n" ? S.sel.i : -1;
    const selEdge = S.sel && S.sel.t === "e" ? S.sel.i : -1;
    const hi = new Set();
    if (selNode >= 0) for (const i of [...view.byNode[selNode].out, ...view.byNode[selNode].in]) hi.add(i);
    if (selEdge >= 0) hi.add(selEdge);
    let drawn = kept.slice(0, MAX_EDGES);
    const shown = new Set(drawn);
    for (const i of hi) if (!shown.has(i)) drawn.push(i), shown.add(i);
    drawn = drawn.sort((a, b) => (hi.has(a) ? 1 : 0) - (hi.has(b) ? 1 : 0)); // highlighted on top

    const seen = { all: false, maybe: false, solid: false, loop: false, added: false, removed: false, changed: false };
    const paths = [], texts = [];
    const labelAll = drawn.length <= MAX_LABELS;
    const labelHi = hi.size <= MAX_LABELS;
    for (const i of drawn) {
      const e = view.edges[i];
      const a = view.nodes[e.s], b = view.nodes[e.d];
      const g = geometry(a, b, 0.12);
      const c = conns(e.ports);
      const kind = e.st === 2 ? "def" : !e.ports ? "maybe" : c.all ? "all" : "def";
      const status = STATUS[e.st] || "";
      if (status) seen[status] = true;
      const cls = `edge ${kind}${status ? " " + status : ""}${hi.has(i) ? " hi" : selNode >= 0 || selEdge >= 0 ? " dim" : ""}${
        i === selEdge ? " sel" : ""
      }`;
      let inner = `<path class="hit" d="${g.d}"/><path class="line" d="${g.d}" stroke-width="${width(e.pairs)}"/>`;
      if (e.ports && e.maybe) {
        const g2 = geometry(a, b, 0.22);
        inner += `<path class="line maybe-extra" d="${g2.d}" stroke-width="${width(e.pairs)}"/>`;
      }
      seen[kind === "def" ? "solid" : kind] = true;
      if (e.ports && e.maybe) seen.maybe = true;
      if (e.s === e.d) seen.loop = true;
      const text = edgeText(e);
      paths.push(
        `<g class="${cls}" data-e="${i}"><title>${esc(`${a.n.label} → ${b.n.label}: ${text}`)}</title>${inner}</g>`
      );
      if (labelAll || (hi.has(i) && labelHi)) {
        texts.push(`<text class="elabel" x="${r1(g.lx)}" y="${r1(g.ly)}">${esc(text)}</text>`);
      }
    }
    svg.classList.toggle("many", drawn.length > 300);
    $("edges").innerHTML = paths.join("");
    $("edge-labels").innerHTML = texts.join("");

    // nodes: faded when filters leave them no edge (or, with "only open ends", when not open)
    const touched = new Set();
    if (filtering()) for (const i of kept) touched.add(view.edges[i].s), touched.add(view.edges[i].d);
    const has = { namespace: false, workload: false, pods: false, external: false, open: false, outside: false, faded: false };
    const sev = new Set();
    const parts = [];
    view.nodes.forEach((v, i) => {
      const n = v.n;
      const open = n.kind !== "external" && (n.openIn || n.openOut);
      const faded =
        filtering() && !touched.has(i) && !(S.f.ns && n.ns === S.f.ns) && !(S.f.open && open) && i !== selNode;
      has[n.kind] = true;
      if (open) has.open = true;
      if (v.outside) has.outside = true;
      if (faded) has.faded = true;
      const cls = `node ${n.kind}${open ? " open" : ""}${v.outside ? " outside" : ""}${faded ? " faded" : ""}${
        i === selNode ? " sel" : ""
      }`;
      const shape =
        n.kind === "external"
          ? `<rect x="${r1(v.x - v.r)}" y="${r1(v.y - v.r * 0.7)}" width="${r1(2 * v.r)}" height="${r1(
              1.4 * v.r
            )}" rx="2"/>`
          : `<circle cx="${v.x}" cy="${v.y}" r="${v.r}"/>`;
      const found = D.findings[n.id] || [];
      let badge = "";
      if (found.length) {
        const w = worst(found);
        sev.add(w);
        const br = Math.max(5, v.r * 0.38);
        badge = `<g class="badge ${w}"><circle cx="${r1(v.x + v.r * 0.75)}" cy="${r1(v.y - v.r * 0.75)}" r="${r1(
          br
        )}"/><text x="${r1(v.x + v.r * 0.75)}" y="${r1(v.y - v.r * 0.75)}" font-size="${r1(br * 1.3)}">${
          found.length
        }</text></g>`;
      }
      const title = nodeTitle(v);
      const what =
        n.kind === "namespace"
          ? `namespace ${n.id}, ${plural(n.pods, "pod")}`
          : n.kind === "workload"
            ? `${n.workloadKind || "workload"} ${n.label}, ${plural(n.pods, "pod")}`
            : n.kind === "pods"
              ? `pods ${n.label}, ${plural(n.pods, "pod")}`
              : `external range ${n.label}`;
      const aria = `${what}${open ? ", open" : ""}${found.length ? `, ${plural(found.length, "lint finding")}` : ""}`;
      parts.push(
        `<g class="${cls}" data-n="${i}" tabindex="0" role="button" aria-label="${esc(aria)}"><title>${esc(
          aria
        )}</title>${shape}${badge}<text class="nlabel" x="${v.x}" y="${r1(v.y + v.r + 13)}">${esc(title)}</text></g>`
      );
    });
    const nodesEl = $("nodes");
    nodesEl.innerHTML = parts.join("");
    labels = [...nodesEl.querySelectorAll(".nlabel")].map((el, i) => [el, view.nodes[i].r, i]);
    drawnInfo = { view, kept: kept.length, drawn: drawn.length, total: view.edges.length, seen, has, sev, hi };
    showLabels();
    legend();
  }

  function legend() {
    const { view, kept, drawn, total, seen, has, sev } = drawnInfo;
    const items = [];
    const sw = (cls, body) => `<svg class="sw" viewBox="0 0 34 16" aria-hidden="true"><g class="${cls}">${body}</g></svg>`;
    const line = (cls) => sw(`edge ${cls}`, `<path class="line" d="M2,8L30,8" stroke-width="2"/>`);
    if (has.namespace) items.push([sw("node namespace", `<circle cx="17" cy="8" r="6"/>`), "namespace, sized by its pods"]);
    if (has.pods) items.push([sw("node pods", `<circle cx="17" cy="8" r="6"/>`), "pods that policies treat alike, sized by their number"]);
    if (has.workload) items.push([sw("node workload", `<circle cx="17" cy="8" r="6"/>`), "workload, sized by its pods"]);
    if (has.outside)
      items.push([
        sw("node namespace outside", `<circle cx="17" cy="8" r="6"/>`),
        isPodView(view.name) ? "on the ring: what the pods reach (a workload, a namespace)" : "another namespace: its workloads together",
      ]);
    if (has.external) items.push([sw("node external", `<rect x="9" y="3" width="16" height="10" rx="2"/>`), "external address range"]);
    if (has.open)
      items.push([
        sw("node namespace open", `<circle cx="17" cy="8" r="6"/>`),
        "open: some pods not isolated (ingress or egress)",
      ]);
    for (const s of ["error", "warning", "info"])
      if (sev.has(s)) items.push([sw(`badge ${s}`, `<circle cx="17" cy="8" r="6"/>`), `lint findings (worst: ${s})`]);
    if (seen.solid) items.push([line("def"), "allowed, labelled with its ports"]);
    if (seen.all) items.push([line("all"), "allowed on every port (All Connections)"]);
    if (seen.maybe) items.push([line("maybe"), "undetermined: depends on what the input does not give"]);
    if (seen.loop)
      items.push([line("def"), isPodView(view.name) ? "loop: between the pods of one group" : "loop: between replicas of one workload"]);
    if (seen.added) items.push([line("def added"), "added by the change: newly allowed"]);
    if (seen.removed) items.push([line("def removed"), "removed by the change: no longer allowed"]);
    if (seen.changed) items.push([line("def changed"), "changed: other ports than before"]);
    if (has.faded) items.push([sw("node namespace faded", `<circle cx="17" cy="8" r="6"/>`), "no edge left by the filters"]);
    const lines = items.map(([s, t]) => `<li>${s}<span>${esc(t)}</span></li>`).join("");
    let note;
    if (!total) note = "No allowed connection to draw in this view.";
    else if (drawn >= kept && kept === total) note = `Edges: all ${fmt(total)} drawn; thicker stands for more pod pairs.`;
    else if (drawn >= kept) note = `Edges: the ${fmt(kept)} of ${fmt(total)} that the filters keep.`;
    else
      note = `Edges: ${fmt(drawn)} of ${fmt(kept)}${kept !== total ? ` kept by the filters (of ${fmt(total)})` : ""} drawn, those that stand for the most pod pairs; ${fmt(
        kept - drawn
      )} hidden. Select a node, filter or search to see the others.`;
    const labelNote = drawn > MAX_LABELS ? " Port labels: hover an edge, or select a node." : "";
    const internal = view.name === null ? " Traffic within a namespace: in its panel." : "";
    $("legend").innerHTML = `<ul>${lines}</ul><p id="edge-note">${esc(note + labelNote + internal)}</p>`;
  }

  // ---- zoom and pan ---------------------------------------------------------------------------
  function applyViewBox() {
    svg.setAttribute("viewBox", S.vb.map(r1).join(" "));
    showLabels();
  }
  function scale() {
    const box = svg.getBoundingClientRect();
    return Math.min(box.width / S.vb[2], box.height / S.vb[3]) || 1;
  }
  function showLabels() {
    const k = scale();
    const few = labels.length <= 60;
    const selNode = S.sel && S.sel.t === "n" ? S.sel.i : -1;
    for (const [el, r, i] of labels) el.style.display = few || r * k >= 9 || i === selNode ? "" : "none";
  }
  function zoomBy(f, cx, cy) {
    const [x, y, w, h] = S.vb;
    const nw = Math.min(4000, Math.max(20, w * f)), nh = (h * nw) / w;
    const px = cx === undefined ? x + w / 2 : cx, py = cy === undefined ? y + h / 2 : cy;
    S.vb = [px - ((px - x) * nw) / w, py - ((py - y) * nh) / h, nw, nh];
    applyViewBox();
  }
  function toUser(evt) {
    const p = svg.createSVGPoint();
    p.x = evt.clientX;
    p.y = evt.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }
  svg.addEventListener(
    "wheel",
    (evt) => {
      evt.preventDefault();
      const p = toUser(evt);
      zoomBy(Math.exp(evt.deltaY * 0.0015), p.x, p.y);
    },
    { passive: false }
  );
  let drag = null;
  svg.addEventListener("pointerdown", (evt) => {
    if (evt.button !== 0) return;
    drag = { x: evt.clientX, y: evt.clientY, vb: S.vb.slice(), moved: false };
  });
  window.addEventListener("pointermove", (evt) => {
    if (!drag) return;
    const dx = evt.clientX - drag.x, dy = evt.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    const k = scale();
    S.vb = [drag.vb[0] - dx / k, drag.vb[1] - dy / k, drag.vb[2], drag.vb[3]];
    svg.setAttribute("viewBox", S.vb.map(r1).join(" "));
  });
  window.addEventListener("pointerup", () => {
    if (drag && drag.moved) {
      showLabels();
      setTimeout(() => (drag = null), 0); // the click that ends a drag selects nothing
    } else drag = null;
  });
  $("zoom").addEventListener("click", (evt) => {
    const b = evt.target.closest("button");
    if (!b) return;
    if (b.dataset.zoom === "fit") {
      S.vb = fitBox(getView(S.view));
      applyViewBox();
    } else zoomBy(b.dataset.zoom === "in" ? 0.7 : 1 / 0.7);
  });
  window.addEventListener("resize", showLabels);

  // ---- navigation -----------------------------------------------------------------------------
  // the box around a view's nodes and their labels, so that small views fill the window
  function fitBox(view) {
    if (!view.nodes.length) return [0, 0, 1000, 1000];
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const v of view.nodes) {
      const half = Math.max(v.r, Math.min(160, nodeTitle(v).length * 3.6));
      x0 = Math.min(x0, v.x - half);
      x1 = Math.max(x1, v.x + half);
      y0 = Math.min(y0, v.y - v.r * 3.2); // room for a loop or a badge
      y1 = Math.max(y1, v.y + v.r + 18);
    }
    const pad = 20, w = Math.max(260, x1 - x0 + 2 * pad), h = Math.max(260, y1 - y0 + 2 * pad);
    return [(x0 + x1) / 2 - w / 2, (y0 + y1) / 2 - h / 2, w, h];
  }
  function go(viewName, sel) {
    if (viewName !== S.view || !S.fitted) S.vb = fitBox(getView(viewName));
    S.fitted = true;
    S.view = viewName;
    S.sel = sel || null;
    svg.setAttribute("viewBox", S.vb.map(r1).join(" "));
    crumbs();
    draw();
    panel();
  }
  function select(sel) {
    S.sel = sel;
    draw();
    panel();
  }
  function crumbs() {
    const el = $("crumbs");
    const sep = `<span class="sep" aria-hidden="true">›</span>`;
    if (S.view === null) el.innerHTML = `<span aria-current="page">Overview</span>`;
    else if (isPodView(S.view)) {
      const w = getView(S.view).workload;
      el.innerHTML = `<button type="button" data-act="overview">Overview</button>${sep}<button type="button" data-act="ns" data-ns="${esc(
        w.ns
      )}" data-w="${esc(w.id)}">${esc(w.ns)}</button>${sep}<span aria-current="page">${esc(w.label.slice(w.ns.length + 1))}</span>`;
    } else
      el.innerHTML = `<button type="button" data-act="overview">Overview</button>${sep}<span aria-current="page">${esc(
        S.view
      )}</span>`;
  }
  function activateNode(i) {
    const view = getView(S.view);
    const n = view.nodes[i].n;
    if (S.view === null && n.kind === "namespace") go(n.id);
    else select({ t: "n", i });
  }
  svg.addEventListener("click", (evt) => {
    if (drag && drag.moved) return;
    const node = evt.target.closest("[data-n]");
    if (node) return activateNode(+node.dataset.n);
    const edge = evt.target.closest("[data-e]");
    if (edge) return select({ t: "e", i: +edge.dataset.e });
    if (S.sel) select(null);
  });
  svg.addEventListener("keydown", (evt) => {
    const node = evt.target.closest("[data-n]");
    if (node && (evt.key === "Enter" || evt.key === " ")) {
      evt.preventDefault();
      activateNode(+node.dataset.n);
    }
  });

  // ---- the panel ------------------------------------------------------------------------------
  const sh = (s) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  function connList(view, ids, dir) {
    if (!ids.length) return `<p class="none">none</p>`;
    const sorted = ids.slice().sort((a, b) => view.edges[b].pairs - view.edges[a].pairs || a - b);
    const items = sorted.slice(0, MAX_LIST).map((i) => {
      const e = view.edges[i];
      const other = view.nodes[dir === "out" ? e.d : e.s];
      const arrow = e.s === e.d ? "↻ itself" : `${dir === "out" ? "→" : "←"} ${esc(other.n.label)}`;
      return `<li><button type="button" class="conn${e.ports ? "" : " maybe"}" data-act="edge" data-i="${i}">${arrow}<span class="ports">${esc(
        edgeText(e)
      )}</span></button></li>`;
    });
    const more = sorted.length > MAX_LIST ? `<li class="none">and ${fmt(sorted.length - MAX_LIST)} more</li>` : "";
    return `<ul class="conns">${items.join("")}${more}</ul>`;
  }
  function findingsHtml(id) {
    const list = D.findings[id] || [];
    if (!list.length) return "";
    return `<h3>Lint findings (${list.length})</h3><ul class="findings">${list
      .map(
        (f) =>
          `<li class="${esc(f.severity)}"><b>${esc(f.rule)}</b> <span class="sev">${esc(f.severity)}</span> ${esc(
            f.message
          )}${f.at ? ` <code>${esc(f.at)}</code>` : ""}</li>`
      )
      .join("")}</ul>`;
  }
  function openText(n) {
    if (n.kind === "external") return "";
    const unit = n.kind === "namespace" ? "some of its pods are" : "its pods are";
    if (n.openIn && n.openOut) return `<p class="open">Open: ${unit} not isolated for ingress nor for egress.</p>`;
    if (n.openIn) return `<p class="open">Open: ${unit} not isolated for ingress.</p>`;
    if (n.openOut) return `<p class="open">Open: ${unit} not isolated for egress.</p>`;
    return `<p>Isolated by policies for ingress and egress.</p>`;
  }
  function internalText(n) {
    if (!n.internal) return "";
    const [p, m] = n.internal;
    return `<p>Within the namespace: <span class="ports">${esc([p ? STR[p] : "", m ? `? ${STR[m]}` : ""]
      .filter(Boolean)
      .join(" "))}</span></p>`;
  }
  // a workload's pods: a button to its pod view when policies treat them as groups, else that they are alike
  function podsText(n) {
    if (n.kind !== "workload" || !n.groups) return "";
    if (n.groups === 1) return `<p class="alike">Its ${plural(n.pods, "pod")} are treated alike by every policy.</p>`;
    if (podViews[n.id])
      return `<p><button type="button" data-act="pods" data-w="${esc(n.id)}">Show its pods (${fmt(
        n.groups
      )} groups that policies treat differently)</button></p>`;
    return `<p>Its pods fall into ${fmt(n.groups)} groups that policies treat differently; this report has no view of
      them (it holds ${plural(c.podViews || 0, "pod view")}, within a limit on their edges).</p>`;
  }
  function groupHtml(n) {
    const rows = n.group.pods.slice(0, MAX_LIST).map((k) => {
      const [name, , ips, labels] = D.pods[k];
      return `<li><code>${esc(name)}</code>${ips ? ` <span class="ports">${esc(ips)}</span>` : ""}${
        labels ? `<br><span class="labels">${esc(STR[labels])}</span>` : ""
      }</li>`;
    });
    const more = n.group.pods.length > MAX_LIST ? `<li class="none">and ${fmt(n.group.pods.length - MAX_LIST)} more</li>` : "";
    return `<h3>Its pods (${fmt(n.group.pods.length)})</h3><ul class="pods">${rows.join("")}${more}</ul>`;
  }
  function nodeHtml(view, i) {
    const v = view.nodes[i], n = v.n;
    if (n.kind === "pods") {
      const b = view.byNode[i];
      return `<h2><span class="kind">Pods</span> ${esc(n.label)}</h2>
        <p>${plural(n.pods, "pod")} of <code>${esc(view.workload.label)}</code> that policies treat alike; explained with <code>${esc(
          n.rep
        )}</code>.</p>
        ${openText(n)}${groupHtml(n)}
        <h3>Out (${fmt(b.out.length)})</h3>${connList(view, b.out, "out")}
        <h3>In (${fmt(b.in.length)})</h3>${connList(view, b.in, "in")}`;
    }
    const kind =
      n.kind === "namespace" ? "Namespace" : n.kind === "workload" ? n.workloadKind || "Workload" : "External range";
    const open =
      n.kind === "namespace"
        ? `<button type="button" data-act="ns" data-ns="${esc(n.id)}">Show its workloads</button>`
        : v.outside
          ? `<button type="button" data-act="ns" data-ns="${esc(n.ns)}">Open namespace ${esc(n.ns)}</button>`
          : "";
    const b = view.byNode[i];
    return `<h2><span class="kind">${esc(kind)}</span> ${esc(n.label)}</h2>
      <p>${n.kind === "external" ? `Stands for the addresses of this range; explained with <code>${esc(n.rep)}</code>.` : `${plural(n.pods, "pod")}${n.rep ? `; explained with <code>${esc(n.rep)}</code>` : ""}.`}</p>
      ${openText(n)}${n.kind === "namespace" ? internalText(n) : ""}${podsText(n)}${open}
      ${findingsHtml(n.id)}
      <h3>Out (${fmt(b.out.length)})</h3>${connList(view, b.out, "out")}
      <h3>In (${fmt(b.in.length)})</h3>${connList(view, b.in, "in")}`;
  }
  function edgeHtml(view, i) {
    const e = view.edges[i];
    const a = view.nodes[e.s].n, b = view.nodes[e.d].n;
    let why;
    if (e.why >= 0) {
      const [src, dst, port, text] = D.why[e.why];
      why = { src, dst, port, text };
    } else {
      // not computed: a workload is named as such (netsim check asks each kind of its pods); a
      // namespace, or external addresses merged into one node, by its first pod or address, which
      // may not be behind the edge
      // an overview edge names the workloads of the first workload edge behind it
      const behind = (w) => (w >= 0 && D.workloads.nodes[w].kind === "workload" ? D.workloads.nodes[w] : null);
      const B = D.overview.behind;
      const beh = e.ov !== undefined && B ? B.slice(3 * e.ov, 3 * e.ov + 3) : [-1, -1, 0];
      const [sw, dw] = beh.slice(0, 2).map(behind);
      const end = (n, w) => (w ? w.id : n.kind === "workload" ? n.id : n.rep);
      const rough = [[a, sw], [b, dw]].some(([n, w]) => !w && (n.kind === "namespace" || (n.kind === "external" && n.ranges)));
      const ports = sw || dw ? STR[beh[2]] : STR[e.ports] || STR[e.maybe];
      why = { src: end(a, sw), dst: end(b, dw), port: firstPort(ports), text: null, rough };
    }
    const cmd = `netsim check PATHS --from ${sh(why.src)} --to ${sh(why.dst)} --port ${sh(why.port)}`;
    const stands =
      e.pairs === 1 ? "It stands for 1 pod pair." : `It stands for ${fmt(e.pairs)} pod pairs; one is explained here.`;
    const before = e.bports || e.bmaybe ? esc([STR[e.bports], e.bmaybe ? "? " + STR[e.bmaybe] : ""].filter(Boolean).join(" ")) : "nothing";
    const change =
      e.st === 1
        ? `<p class="status added">Added by the change: allowed before: nothing.</p>`
        : e.st === 2
        ? `<p class="status removed">Removed by the change: allowed before: <span class="ports">${before}</span>.</p>`
        : e.st === 3
        ? `<p class="status changed">Changed: allowed before: <span class="ports">${before}</span>.</p>`
        : "";
    return `<h2><span class="kind">Connection</span> ${esc(a.label)} → ${esc(b.label)}</h2>
      ${change}
      <p>Allowed: <span class="ports">${e.ports ? esc(STR[e.ports]) : "nothing for certain"}</span></p>
      ${e.maybe ? `<p class="maybe">Undetermined: <span class="ports">${esc(STR[e.maybe])}</span> (depends on what the input does not give)</p>` : ""}
      <p>${stands}</p>
      <p><button type="button" data-act="node" data-i="${e.s}">${esc(a.label)}</button> →
        <button type="button" data-act="node" data-i="${e.d}">${esc(b.label)}</button></p>
      <h3>Explanation: <code>${esc(why.src)}</code> → <code>${esc(why.dst)}</code> on <code>${esc(why.port)}</code></h3>
      ${
        why.text
          ? `<pre id="explanation">${esc(why.text)}</pre>`
          : `<p id="explanation" class="none">Not computed into this report (it explains ${fmt(
              c.explained
            )} edges); this command prints it${
              why.rough
                ? " for the first pod or address of each end (the pairs behind the edge may be others: open the namespace for its workloads' edges)"
                : ""
            }:</p>`
      }
      <p class="cmd"><code>${esc(cmd)}</code></p>`;
  }
  function viewHtml(view) {
    if (view.name === null) {
      // a node may stand for many ranges ("external addresses (N ranges)", its "ranges")
      const ext = view.nodes.filter((v) => v.n.kind === "external").reduce((k, v) => k + (v.n.ranges || 1), 0);
      const open = view.nodes.filter((v) => v.n.kind === "namespace" && (v.n.openIn || v.n.openOut)).length;
      return `<h2>Overview</h2>
        <p>${plural(c.namespaces, "namespace")} and ${plural(ext, "external address range")}, with
        ${plural(view.edges.length, "aggregated edge")} (each the union of the connections of the pod pairs behind it).
        ${open ? `${plural(open, "namespace")} open (some pods not isolated).` : ""}</p>
        <p>Click a namespace to see its workloads, an edge for the rules that allow it. Drag to pan, scroll to zoom.</p>
        <p class="meta">${fmt(c.explained)} edges are explained in this report; the others show the <code>netsim check</code> command that explains them.</p>`;
    }
    if (isPodView(view.name)) {
      const w = view.workload;
      const groups = view.nodes.filter((v) => !v.outside).length;
      return `<h2><span class="kind">Pods of</span> ${esc(w.label)}</h2>
        <p>${plural(w.pods, "pod")} in ${plural(groups, "group")} that policies treat differently (the pods of a group
        alike); the ends they reach are on the ring, faded: the namespace's other workloads, the other namespaces, the
        external addresses. Click a group for its pods and connections, an edge for its explanation.</p>
        ${openText(w)}${findingsHtml(w.id)}`;
    }
    const i = overviewAt.get(view.name);
    const ov = getView(null);
    const n = D.overview.nodes[i];
    const own = view.nodes.filter((v) => !v.outside && v.n.kind === "workload").length;
    return `<h2><span class="kind">Namespace</span> ${esc(view.name)}</h2>
      <p>${plural(D.namespaces[view.name].pods, "pod")} in ${plural(own, "workload")}; the other namespaces it talks to are on the
      ring, faded, each standing for all its workloads. Click a workload for its connections, an edge for its explanation.</p>
      ${n ? openText(n) + internalText(n) : ""}${findingsHtml(view.name)}
      ${
        n
          ? `<h3>Namespace out (${fmt(ov.byNode[i].out.length)})</h3>${connList(ov, ov.byNode[i].out, "out").replace(/data-act="edge"/g, 'data-act="oedge"')}
      <h3>Namespace in (${fmt(ov.byNode[i].in.length)})</h3>${connList(ov, ov.byNode[i].in, "in").replace(/data-act="edge"/g, 'data-act="oedge"')}`
          : ""
      }`;
  }
  function panel() {
    const view = getView(S.view);
    const el = $("panel");
    if (S.sel && S.sel.t === "n") el.innerHTML = nodeHtml(view, S.sel.i);
    else if (S.sel && S.sel.t === "e") el.innerHTML = edgeHtml(view, S.sel.i);
    else el.innerHTML = viewHtml(view);
    el.dataset.state = S.sel ? (S.sel.t === "n" ? "node" : "edge") : "view";
  }
  $("panel").addEventListener("click", (evt) => {
    const b = evt.target.closest("button[data-act]");
    if (!b) return;
    const act = b.dataset.act;
    if (act === "edge") select({ t: "e", i: +b.dataset.i });
    else if (act === "node") select({ t: "n", i: +b.dataset.i });
    else if (act === "oedge") go(null, { t: "e", i: +b.dataset.i });
    else if (act === "ns") go(b.dataset.ns);
    else if (act === "pods") go(b.dataset.w);
  });
  $("crumbs").addEventListener("click", (evt) => {
    const b = evt.target.closest("button[data-act]");
    if (b && b.dataset.act === "overview") {
      const from = S.view;
      go(null, from !== null && overviewAt.has(from) ? { t: "n", i: overviewAt.get(from) } : null);
    } else if (b && b.dataset.act === "ns") {
      // back from a pod view: the namespace, with the workload we came from selected
      const k = getView(b.dataset.ns).at.get(workloadAt.get(b.dataset.w));
      go(b.dataset.ns, k === undefined ? null : { t: "n", i: k });
    }
  });

  // ---- filters' controls ----------------------------------------------------------------------
  const portInput = $("f-port");
  portInput.addEventListener("input", () => {
    const q = parsePortQuery(portInput.value);
    portInput.setAttribute("aria-invalid", q === undefined ? "true" : "false");
    const next = q === undefined ? null : q;
    if (JSON.stringify(next) !== JSON.stringify(S.f.port)) {
      S.f.port = next;
      draw();
    }
  });
  $("f-ns").addEventListener("change", (evt) => {
    S.f.ns = evt.target.value;
    draw();
  });
  $("f-open").addEventListener("change", (evt) => {
    S.f.open = evt.target.checked;
    draw();
  });
  $("f-cross").addEventListener("change", (evt) => {
    S.f.cross = evt.target.checked;
    draw();
  });

  // ---- search ---------------------------------------------------------------------------------
  let index = null;
  function buildIndex() {
    const out = [];
    D.overview.nodes.forEach((n, i) => {
      out.push({ text: n.id.toLowerCase(), kind: n.kind, label: n.label, go: { o: i }, range: rangeOf(n) });
    });
    D.workloads.nodes.forEach((n, i) => {
      if (n.kind !== "workload") return;
      out.push({ text: n.id.toLowerCase(), kind: "workload", label: n.id, go: { w: i } });
    });
    // every pod: by name, by each address, and by its labels (k=v,...), each leading to its workload
    for (const [name, w, ips, labels] of D.pods || []) {
      const n = D.workloads.nodes[w];
      const ref = `${n.ns}/${name}`;
      const where = ref === n.id.replace(/\[Pod\]$/, "") ? "" : ` (in ${n.id})`;
      out.push({ text: ref.toLowerCase(), kind: "pod", label: ref + where, go: { w } });
      for (const ip of ips ? ips.split(",") : []) out.push({ text: ip, kind: "pod address", label: `${ip}: ${ref}${where}`, go: { w } });
      if (labels) out.push({ text: STR[labels].toLowerCase(), kind: "labels", label: `${STR[labels]}: ${ref}${where}`, go: { w } });
    }
    return out;
  }
  function search(q) {
    index = index || buildIndex();
    const t = q.trim().toLowerCase();
    if (!t) return [];
    const ip = ipValue(t);
    const hits = [];
    for (const entry of index) {
      let score = -1, size = 0;
      if (entry.text === t) score = 0;
      else if (entry.text.startsWith(t)) score = 1;
      else if (entry.text.includes(t)) score = 2;
      else if (ip && entry.range && entry.range.v === ip.v && entry.range.lo <= ip.n && ip.n <= entry.range.hi) {
        score = 1; // the narrowest range that holds the address first
        size = Number(entry.range.hi - entry.range.lo);
      }
      if (score >= 0) hits.push([score, size, entry]);
    }
    hits.sort(
      (a, b) =>
        a[0] - b[0] || a[1] - b[1] || a[2].label.length - b[2].label.length || (a[2].label < b[2].label ? -1 : 1)
    );
    return hits.map((h) => h[2]);
  }
  const qInput = $("q"), results = $("results");
  let found = [];
  function showResults() {
    found = search(qInput.value);
    if (!qInput.value.trim()) {
      results.hidden = true;
      return;
    }
    const rows = found
      .slice(0, MAX_RESULTS)
      .map(
        (e, k) =>
          `<li role="option"><button type="button" data-k="${k}"><span class="kind">${esc(e.kind)}</span>${esc(
            e.label
          )}</button></li>`
      );
    if (!found.length) rows.push(`<li class="none">nothing matches</li>`);
    else if (found.length > MAX_RESULTS) rows.push(`<li class="none">and ${fmt(found.length - MAX_RESULTS)} more</li>`);
    results.innerHTML = rows.join("");
    results.hidden = false;
  }
  function pick(entry) {
    results.hidden = true;
    if (entry.go.o !== undefined) {
      const n = D.overview.nodes[entry.go.o];
      if (n.kind === "namespace") go(n.id);
      else go(null, { t: "n", i: entry.go.o });
    } else {
      const n = D.workloads.nodes[entry.go.w];
      const view = getView(n.ns);
      go(n.ns, { t: "n", i: view.at.get(entry.go.w) });
    }
  }
  qInput.addEventListener("input", showResults);
  qInput.addEventListener("focus", () => qInput.value.trim() && showResults());
  qInput.addEventListener("keydown", (evt) => {
    const first = results.querySelector("button");
    if (evt.key === "ArrowDown" && first) {
      evt.preventDefault();
      first.focus();
    } else if (evt.key === "Enter" && found.length) {
      evt.preventDefault();
      pick(found[0]);
    } else if (evt.key === "Escape") results.hidden = true;
  });
  results.addEventListener("keydown", (evt) => {
    const buttons = [...results.querySelectorAll("button")];
    const k = buttons.indexOf(document.activeElement);
    if (evt.key === "ArrowDown" && k < buttons.length - 1) {
      evt.preventDefault();
      buttons[k + 1].focus();
    } else if (evt.key === "ArrowUp") {
      evt.preventDefault();
      (k > 0 ? buttons[k - 1] : qInput).focus();
    } else if (evt.key === "Escape") {
      results.hidden = true;
      qInput.focus();
    }
  });
  results.addEventListener("click", (evt) => {
    const b = evt.target.closest("button[data-k]");
    if (b) pick(found[+b.dataset.k]);
  });
  document.addEventListener("click", (evt) => {
    if (!evt.target.closest(".search")) results.hidden = true;
  });

  // ---- start ----------------------------------------------------------------------------------
  go(null);
  document.documentElement.dataset.ready = "true";
  window.netsimReport = { readyAt: performance.now() };
})();
