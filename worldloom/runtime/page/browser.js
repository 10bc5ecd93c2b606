// The world browser: draws a snapshot's GeoJSON as SVG and shows what the API knows about a
// clicked place. Plain DOM: every text from the API goes in as text, never as markup.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const TOKEN_KEY = "worldloom.token";
const WIDTH = 1000;
const state = { token: "", world: null, tables: new Map(), view: null, full: null, colors: new Map() };

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "onclick") node.addEventListener("click", value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function status(text, isError) {
  const node = $("status");
  node.textContent = text || "";
  node.className = isError ? "error" : "muted";
}

async function api(path, options) {
  const response = await fetch(path, {
    ...(options || {}),
    headers: { Authorization: `Bearer ${state.token}`, "Content-Type": "application/json" },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    throw new Error(`${response.status}: ${detail || response.statusText}`);
  }
  return body;
}

async function login(event) {
  if (event) event.preventDefault();
  state.token = $("token").value.trim();
  localStorage.setItem(TOKEN_KEY, state.token);
  try {
    const { worlds } = await api("/worlds");
    const select = $("world");
    select.replaceChildren(
      ...worlds.map((w) => el("option", { value: w.world_id }, `${w.name} (${w.world_id}, day ${w.tick})`)),
    );
    select.disabled = worlds.length === 0;
    if (worlds.length) await openWorld(worlds[0].world_id);
    else status("no worlds are served yet", true);
  } catch (error) {
    status(error.message, true);
  }
}

async function openWorld(worldId) {
  status("loading…");
  state.world = worldId;
  const base = `/worlds/${encodeURIComponent(worldId)}`;
  const [world, tables, geojson] = await Promise.all([
    api(base), api(`${base}/tables`), api(`${base}/map.geojson`),
  ]);
  state.tables = new Map(tables.data.tables.map((t) => [t.name, t]));
  state.colors = new Map();
  if (state.tables.has("biomes")) {
    const biomes = await api(`${base}/tables/biomes?fields=name,color&limit=100`);
    for (const b of biomes.items) state.colors.set(b.name.toLowerCase(), b.color);
  }
  $("snapshot").textContent = `snapshot ${world.snapshot_id}`;
  drawMap(geojson);
  showWorld(world.data);
  status("");
}

// --- the map ---------------------------------------------------------------------------

function projection(bbox) {
  const [west, south, east, north] = bbox;
  const squeeze = Math.cos(((south + north) / 2) * Math.PI / 180);
  const scale = WIDTH / ((east - west) * squeeze);
  return {
    height: (north - south) * scale,
    point: ([lon, lat]) => [((lon - west) * squeeze * scale).toFixed(2), ((north - lat) * scale).toFixed(2)],
  };
}

function pathOf(rings, project, close) {
  return rings.map((ring) => "M" + ring.map((c) => project(c).join(",")).join("L") + (close ? "Z" : "")).join("");
}

function drawMap(geojson) {
  const map = $("map");
  const { height, point } = projection(geojson.bbox);
  state.full = { x: 0, y: 0, w: WIDTH, h: height };
  map.replaceChildren();
  const layers = {};
  for (const name of ["regions", "rivers", "routes", "places", "labels"]) {
    layers[name] = map.appendChild(svg("g", { class: `layer-${name}` }));
  }
  const order = { region: 0, lake: 0, river: 1, route: 2, settlement: 3, poi: 3 };
  const features = [...geojson.features].sort((a, b) => (order[a.properties.kind] ?? 9) - (order[b.properties.kind] ?? 9));
  for (const feature of features) {
    const p = feature.properties;
    const g = feature.geometry;
    if (p.kind === "region" || p.kind === "lake") {
      const polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      const fill = p.kind === "lake" ? "#9cc6e6" : state.colors.get(String(p.biome || "").toLowerCase()) || "#d8d2b0";
      const node = svg("path", { d: polygons.map((rings) => pathOf(rings, point, true)).join(""), class: p.kind === "region" ? "region" : "lake", fill, "fill-rule": "evenodd" });
      if (p.kind === "region") {
        node.dataset.kind = "region";
        node.dataset.id = p.region_id;
        node.addEventListener("click", () => select(node, () => showRegion(p.region_id)));
        node.append(svg("title", {}));
        node.lastChild.textContent = p.name;
      }
      layers.regions.append(node);
    } else if (p.kind === "river" || p.kind === "route") {
      const lines = g.type === "LineString" ? [g.coordinates] : g.coordinates;
      const cls = p.kind === "river" ? "river" : `route ${p.route_kind || ""}`;
      layers[p.kind === "river" ? "rivers" : "routes"].append(svg("path", { d: pathOf(lines, point, false), class: cls }));
    } else if (p.kind === "settlement" || p.kind === "poi") {
      const [x, y] = point(g.coordinates);
      const id = p.kind === "settlement" ? p.settlement_id : p.poi_id;
      const node = p.kind === "settlement"
        ? svg("circle", { cx: x, cy: y, class: "settlement" })
        : svg("rect", { class: "poi" });
      node.dataset.kind = p.kind;
      node.dataset.id = id;
      node.dataset.x = x;
      node.dataset.y = y;
      node.dataset.size = p.kind === "settlement" ? { capital: 6, city: 5, town: 4, village: 3 }[p.tier] || 2.4 : 3.2;
      node.append(svg("title", {}));
      node.lastChild.textContent = `${p.name} (${p.tier || p.poi_kind || p.kind})`;
      node.addEventListener("click", (event) => {
        event.stopPropagation();
        select(node, () => (p.kind === "settlement" ? showSettlement(id) : showPoi(id)));
      });
      layers.places.append(node);
      if (p.tier === "capital" || p.tier === "city") {
        const label = svg("text", { x, y, class: "label", "data-x": x, "data-y": y });
        label.textContent = p.name;
        layers.labels.append(label);
      }
    }
  }
  setView(state.full);
}

function setView(view) {
  state.view = view;
  const map = $("map");
  map.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
  const unit = view.w / WIDTH;
  for (const node of map.querySelectorAll("[data-size]")) {
    const size = Number(node.dataset.size) * unit * 1.4;
    if (node.tagName === "circle") node.setAttribute("r", size);
    else {
      const x = Number(node.dataset.x), y = Number(node.dataset.y);
      node.setAttribute("x", x - size / 2);
      node.setAttribute("y", y - size / 2);
      node.setAttribute("width", size);
      node.setAttribute("height", size);
      node.setAttribute("transform", `rotate(45 ${x} ${y})`);
    }
  }
  for (const label of map.querySelectorAll("text.label")) {
    label.setAttribute("font-size", 13 * unit);
    label.setAttribute("x", Number(label.dataset.x) + 7 * unit);
    label.setAttribute("y", Number(label.dataset.y) + 4 * unit);
  }
}

function enablePanZoom() {
  const map = $("map");
  map.addEventListener("wheel", (event) => {
    if (!state.view) return;
    event.preventDefault();
    const box = map.getBoundingClientRect();
    const v = state.view;
    const fx = (event.clientX - box.left) / box.width, fy = (event.clientY - box.top) / box.height;
    const factor = event.deltaY > 0 ? 1.25 : 0.8;
    const w = Math.min(state.full.w * 1.5, Math.max(state.full.w / 40, v.w * factor));
    const h = v.h * (w / v.w);
    setView({ x: v.x + (v.w - w) * fx, y: v.y + (v.h - h) * fy, w, h });
  }, { passive: false });
  let drag = null;
  map.addEventListener("pointerdown", (event) => { drag = { x: event.clientX, y: event.clientY, view: state.view }; });
  window.addEventListener("pointerup", () => { drag = null; });
  map.addEventListener("pointermove", (event) => {
    if (!drag || !state.view) return;
    const box = map.getBoundingClientRect();
    const k = drag.view.w / box.width;
    setView({ ...drag.view, x: drag.view.x - (event.clientX - drag.x) * k, y: drag.view.y - (event.clientY - drag.y) * k });
  });
}

function select(node, show) {
  for (const old of document.querySelectorAll(".selected")) old.classList.remove("selected");
  node.classList.add("selected");
  show().catch((error) => status(error.message, true));
}

// --- the panel -------------------------------------------------------------------------

function base() {
  return `/worlds/${encodeURIComponent(state.world)}`;
}

function panel(...children) {
  $("panel").replaceChildren(...children);
}

function table(headers, rows, id) {
  return el("table", id ? { id } : {},
    el("tr", {}, ...headers.map((h) => el("th", {}, h))),
    ...rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", typeof c === "number" ? { class: "num" } : {}, c)))));
}

function showWorld(world) {
  panel(
    el("h2", {}, world.name),
    el("p", { class: "muted" }, `${world.preset} world, seed ${world.seed}, day ${world.tick}`),
    el("p", {}, world.lore || ""),
    table(["table", "rows"], Object.entries(world.counts).map(([k, v]) => [k, v])),
  );
}

async function showRegion(regionId) {
  const { data } = await api(`${base()}/regions/${regionId}`);
  panel(
    el("h2", {}, data.region.name),
    el("p", { class: "muted" }, `region · danger ${data.region.danger_level}/10${data.culture ? ` · ${data.culture}` : ""}${data.state ? ` · held by ${data.state.name}` : ""}`),
    el("p", {}, data.region.description),
    el("h3", {}, "Settlements"),
    table(["name", "tier", "people"], data.settlements.map((s) => [s.name, s.tier, s.population])),
    el("h3", {}, "Places of interest"),
    table(["name", "kind", "danger"], data.pois.map((p) => [p.name, p.kind, p.danger_level])),
  );
}

async function showSettlement(settlementId) {
  const { data } = await api(`${base()}/settlements/${settlementId}`);
  const s = data.settlement;
  const sections = [
    el("h2", {}, s.name),
    el("p", { class: "muted" }, `${s.tier} · ${s.population} people · ${data.region || ""}`),
    el("p", {}, s.description),
    el("h3", {}, `People (${data.people.count} known)`),
    peopleList([...data.people.notables, ...data.people.residents.filter((r) => !r.notable_role)].slice(0, 25)),
  ];
  if (data.market) {
    const where = data.market.here ? "Market prices" : `Market prices (trades at ${data.market.name})`;
    sections.push(el("h3", {}, where),
      table(["good", "price (copper)", "stock"], data.prices.slice(0, 15).map((p) => [p.name || p.good, Number(p.price.toFixed(1)), p.stock ?? ""]), "prices"));
  }
  sections.push(el("h3", {}, "Factions"),
    el("ul", { class: "people", id: "factions" }, ...data.factions.map((f) => el("li", {}, `${f.name} (${f.kind})`))));
  sections.push(el("h3", {}, "Routes"),
    table(["to", "kind", "days"], data.routes.map((r) => [r.to_name || "a junction", r.kind, Number(r.travel_days.toFixed(1))])));
  sections.push(...await storySections("settlements", settlementId));
  panel(...sections);
}

async function showPoi(poiId) {
  const { data } = await api(`${base()}/pois/${poiId}`);
  const p = data.poi;
  panel(
    el("h2", {}, p.name),
    el("p", { class: "muted" }, `${p.kind.replaceAll("_", " ")} · danger ${p.danger_level}/10 · ${data.region || ""}${data.faith ? ` · kept by ${data.faith}` : ""}`),
    el("h3", {}, "Inside"),
    table(["name", "kind", "depth"], data.sublocations.map((x) => [x.name, x.kind, x.depth]), "inside"),
    el("h3", {}, "Encounters"),
    table(["monster", "count", "difficulty"], data.encounters.map((e) => [e.monster, e.count, e.difficulty])),
    ...await storySections("pois", poiId),
  );
}

function peopleList(people) {
  const topic = el("select", { "aria-label": "topic" }, ...["greeting", "rumor", "quest", "place"].map((t) => el("option", { value: t }, t)));
  const list = el("ul", { class: "people", id: "people" });
  for (const npc of people) {
    const item = el("li", { "data-npc": npc.npc_id },
      `${npc.name} ${npc.family_name}, ${npc.age}, ${npc.profession}${npc.notable_role ? ` (${npc.notable_role})` : ""}`);
    item.append(el("button", { class: "talk", type: "button", onclick: () => talk(npc.npc_id, topic.value, item) }, "Talk"));
    list.append(item);
  }
  return el("div", {}, el("label", { class: "muted" }, "Ask about ", topic), list);
}

async function talk(npcId, topic, item) {
  try {
    const { data } = await api(`${base()}/npcs/${npcId}/talk`, { method: "POST", body: JSON.stringify({ topic }) });
    item.querySelector("q.line")?.remove();
    item.append(el("q", { class: "line", title: `${data.source}${data.fallback_reason ? ` (${data.fallback_reason})` : ""}` }, data.line));
  } catch (error) {
    status(error.message, true);
  }
}

// Events, quests and any table about places added later: every table naming this kind of
// place through a declared reference, shown from the generic table route.
async function storySections(kind, id) {
  const shown = new Set(["npcs", "markets", "routes", "sublocations", "factions", "pois", "settlements", "encounters", "holy_sites"]);
  const sections = [];
  for (const t of state.tables.values()) {
    if (shown.has(t.name) || !/event|quest|rumou?r|story/.test(t.name)) continue;
    const refs = t.references.filter((r) => r.table === kind);
    for (const ref of refs) {
      const rows = await api(`${base()}/tables/${t.name}?${ref.column}=${id}&limit=20`);
      if (!rows.items.length) continue;
      const columns = Object.keys(rows.items[0]).slice(0, 5);
      sections.push(el("h3", {}, `${t.name.replaceAll("_", " ")} (${rows.total})`),
        table(columns, rows.items.map((row) => columns.map((c) => (row[c] === null ? "" : typeof row[c] === "object" ? JSON.stringify(row[c]) : row[c])))));
    }
  }
  return sections;
}

document.addEventListener("DOMContentLoaded", () => {
  enablePanZoom();
  $("login").addEventListener("submit", login);
  $("world").addEventListener("change", (event) => openWorld(event.target.value).catch((e) => status(e.message, true)));
  const saved = localStorage.getItem(TOKEN_KEY);
  if (saved) {
    $("token").value = saved;
    login();
  }
});
