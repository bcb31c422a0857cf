// The tasks of a livegraph run view: the status line, one panel (card) per task, and for a node with many
// tasks (Send workers, loop turns) one card with a grid of tiles coloured by state and a panel that shows
// one task: the most recently active one, or the one the reader picked (click a tile, or ◀ ▶).
//
// The kernel sends operations (see livegraph/notebook/_board.py) as custom messages `{ops: [...]}`. Each
// is applied to a store kept per model (a view rendered later draws it all), then to each view's DOM:
// text is appended to one Text node per panel, tiles change in place. Picking a tile asks the kernel for
// that task (`{want: [lane, k]}`); until it answers, the panel shows the task's first lines.

const stores = new Map(); // uid -> store
const STATES = { r: "running", d: "done", e: "error", i: "interrupted", s: "stopped" };

function emptyStore() {
  return { status: "", order: [], cards: new Map(), lanes: new Map(), views: new Set() };
}

const skipped = (n) => `\n[… ${n.toLocaleString()} characters not shown live; the record keeps them …]\n`;

function applyOps(store, ops) {
  for (const op of ops) {
    const [kind, id] = op;
    const card = store.cards.get(id);
    const lane = store.lanes.get(id);
    if (kind === "status") store.status = op[1];
    else if (kind === "card") {
      store.cards.set(id, { title: op[2], label: op[3], step: op[4], state: op[5], note: null, text: "" });
      store.order.push({ card: id });
    } else if (kind === "text" && card) card.text += op[2];
    else if (kind === "skip" && card) card.text += skipped(op[2]);
    else if (kind === "state" && card) [card.state, card.note] = [op[2], op[3]];
    else if (kind === "fold") {
      const gone = new Set(op[3]);
      let at = store.order.findIndex((e) => gone.has(e.card));
      store.order = store.order.filter((e) => !gone.has(e.card));
      if (at < 0 || at > store.order.length) at = store.order.length;
      store.order.splice(at, 0, { lane: id });
      for (const n of gone) store.cards.delete(n);
      store.lanes.set(id, { title: op[2], states: "", steps: [], focus: null, heads: new Map(), pinned: null });
    } else if (kind === "tiles" && lane) [lane.states, lane.steps] = [op[2], [...lane.steps.slice(0, op[3]), ...op[4]]];
    else if (kind === "focus" && lane) {
      const [, , k, title, label, step, state, note, left, text] = op;
      lane.focus = { k, title, label, step, state, note, text: (left ? skipped(left).trimStart() : "") + text };
    } else if (kind === "ltext" && lane?.focus) lane.focus.text += op[2];
    else if (kind === "lskip" && lane?.focus) lane.focus.text += skipped(op[2]);
    else if (kind === "lstate" && lane?.focus) [lane.focus.state, lane.focus.note] = [op[2], op[3]];
    else if (kind === "head" && lane) {
      const [, , k, title, label, step, state, note, head, size] = op;
      lane.heads.set(k, { k, title, label, step, state, note, head, size });
    }
  }
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A panel: title, meta (label, step, state), the text, the note. `show(task)` fills it; `append` grows it.
function panelParts(root) {
  const head = el("div", "lg-panel-head");
  const title = el("span", "lg-panel-title");
  const label = el("span", "lg-panel-label");
  const meta = el("span", "lg-panel-meta");
  head.append(title, label, meta);
  const body = el("pre", "lg-panel-text");
  const text = document.createTextNode("");
  body.append(text);
  const note = el("div", "lg-panel-note");
  root.append(head, body, note);
  const parts = {
    head, title, label, meta, body, text, note,
    show(task, extra = "") {
      root.dataset.state = task.state;
      title.textContent = task.title;
      label.textContent = task.label ? ` ${task.label}` : "";
      meta.textContent = `${task.step ? ` · step ${task.step}` : ""} · ${task.state}${extra}`;
      note.textContent = task.note || "";
      note.hidden = !task.note;
    },
    setText(value) {
      if (text.data !== value) text.data = value;
      body.hidden = value.length === 0;
      body.scrollTop = body.scrollHeight;
    },
    append(piece) {
      // Follow the end of the text unless the reader scrolled up.
      const follow = body.scrollHeight - body.scrollTop - body.clientHeight < 8;
      text.appendData(piece);
      body.hidden = false;
      if (follow) body.scrollTop = body.scrollHeight;
    },
  };
  return parts;
}

function countLine(states) {
  const counts = {};
  for (const s of states) counts[s] = (counts[s] || 0) + 1;
  const parts = Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([s, n]) => `${n.toLocaleString()} ${STATES[s]}`);
  return ` · ${states.length.toLocaleString()} tasks · ${parts.join(", ")}`;
}

function stepsOf(steps) {
  const out = [];
  for (const [step, count] of steps) for (let i = 0; i < count; i++) out.push(step);
  return out;
}

function renderBoard({ model, el: root }) {
  const uid = model.get("uid");
  let store = stores.get(uid);
  if (!store) stores.set(uid, (store = emptyStore()));
  root.classList.add("lg-board");
  const status = el("div", "lg-status");
  const list = el("div", "lg-cards");
  const final = el("div", "lg-final-state");
  root.append(status, list, final);
  const cards = new Map(); // n -> parts
  const lanes = new Map(); // id -> lane view

  function cardView(n) {
    const task = store.cards.get(n);
    const root = el("div", "lg-panel");
    const parts = panelParts(root);
    parts.root = root;
    parts.show(task);
    parts.setText(task.text);
    cards.set(n, parts);
    return root;
  }

  function laneView(id) {
    const lane = store.lanes.get(id);
    const root = el("div", "lg-panel lg-lane");
    const head = el("div", "lg-panel-head");
    const title = el("span", "lg-panel-title", lane.title);
    const meta = el("span", "lg-panel-meta");
    head.append(title, meta);
    const grid = el("div", "lg-tiles");
    const nav = el("div", "lg-lane-nav");
    const prev = el("button", "lg-nav", "◀");
    const next = el("button", "lg-nav", "▶");
    const live = el("button", "lg-nav lg-live", "follow live");
    prev.title = "the task before";
    next.title = "the task after";
    live.title = "show the most recently active task";
    nav.append(prev, next, live);
    const shown = el("div", "lg-panel lg-lane-task");
    const parts = panelParts(shown);
    root.append(head, grid, nav, shown);
    const view = { root, meta, grid, tiles: [], steps: [], parts, live, pick: null, shownKey: null };
    lanes.set(id, view);

    const pick = (k) => {
      if (k < 0 || k >= lane.states.length) return;
      lane.pinned = k;
      model.send({ want: [id, k] });
      drawDetail(id);
      markTiles(id);
    };
    view.pick = pick;
    grid.addEventListener("click", (event) => {
      const k = Number(event.target?.dataset?.k);
      if (Number.isInteger(k)) pick(k);
    });
    const current = () => lane.pinned ?? lane.focus?.k ?? 0;
    prev.addEventListener("click", () => pick(current() - 1));
    next.addEventListener("click", () => pick(current() + 1));
    live.addEventListener("click", () => {
      lane.pinned = null;
      model.send({ follow: id });
      drawDetail(id);
      markTiles(id);
    });
    drawTiles(id);
    drawDetail(id);
    return root;
  }

  function drawTiles(id) {
    const lane = store.lanes.get(id);
    const view = lanes.get(id);
    view.steps = stepsOf(lane.steps);
    const gaps = lane.steps.length <= 50;
    for (let k = 0; k < lane.states.length; k++) {
      let tile = view.tiles[k];
      if (!tile) {
        tile = view.tiles[k] = el("span", "lg-tile");
        tile.dataset.k = k;
        if (gaps && k > 0 && view.steps[k] !== view.steps[k - 1]) tile.classList.add("lg-tile-step");
        view.grid.append(tile);
      }
      const s = lane.states[k];
      if (tile.dataset.s !== s) {
        tile.dataset.s = s;
        tile.title = `#${k + 1} · step ${view.steps[k]} · ${STATES[s]}`;
      }
    }
    view.meta.textContent = countLine(lane.states);
    const worst = ["e", "r", "i", "s"].find((s) => lane.states.includes(s)) ?? "d";
    view.root.dataset.state = STATES[worst];
    markTiles(id);
  }

  function markTiles(id) {
    const lane = store.lanes.get(id);
    const view = lanes.get(id);
    const k = lane.pinned ?? lane.focus?.k;
    if (view.marked !== undefined && view.tiles[view.marked]) view.tiles[view.marked].classList.remove("lg-tile-shown");
    if (k !== undefined && k !== null && view.tiles[k]) view.tiles[k].classList.add("lg-tile-shown");
    view.marked = k;
    view.live.disabled = lane.pinned === null;
  }

  function drawDetail(id) {
    const lane = store.lanes.get(id);
    const view = lanes.get(id);
    const focus = lane.focus;
    if (lane.pinned !== null && lane.pinned !== focus?.k) {
      const k = lane.pinned;
      const head = lane.heads.get(k);
      const state = STATES[lane.states[k]] ?? "running";
      const task = head ?? { title: `${lane.title} #${k + 1}`, label: null, step: view.steps[k], state, note: null };
      view.parts.show({ ...task, state }, head ? ` · ${head.size.toLocaleString()} characters · first lines:` : "");
      view.parts.setText(head ? head.head : "");
      view.shownKey = null;
    } else if (focus) {
      view.parts.show(focus, lane.pinned === null ? " · live" : "");
      view.parts.setText(focus.text);
      view.shownKey = focus.k;
    }
  }

  function build() {
    list.replaceChildren();
    cards.clear();
    lanes.clear();
    for (const entry of store.order) list.append(entry.card !== undefined ? cardView(entry.card) : laneView(entry.lane));
    status.textContent = store.status;
    status.hidden = !store.status;
    final.innerHTML = model.get("final");
  }

  // Carry out ops on this view's DOM (the store has them already).
  function onOps(ops) {
    if (ops === null) return build();
    const dirtyTiles = new Set();
    const dirtyDetail = new Set();
    for (const op of ops) {
      const [kind, id] = op;
      if (kind === "status") {
        status.textContent = op[1];
        status.hidden = !op[1];
      } else if (kind === "card") {
        if (store.cards.has(id)) list.append(cardView(id));
      }
      else if (kind === "text" || kind === "skip") cards.get(id)?.append(kind === "text" ? op[2] : skipped(op[2]));
      else if (kind === "state" && cards.has(id)) cards.get(id).show(store.cards.get(id));
      else if (kind === "fold") {
        const gone = op[3].map((n) => cards.get(n)?.root).filter(Boolean);
        const root = laneView(id);
        if (gone.length) gone[0].before(root);
        else list.append(root);
        for (const node of gone) node.remove();
        for (const n of op[3]) cards.delete(n);
      } else if (kind === "tiles") dirtyTiles.add(id);
      else if (kind === "focus" || kind === "lstate" || kind === "head") dirtyDetail.add(id);
      else if ((kind === "ltext" || kind === "lskip") && lanes.has(id)) {
        const lane = store.lanes.get(id);
        const view = lanes.get(id);
        if (!dirtyDetail.has(id) && view.shownKey === lane.focus?.k && view.shownKey !== null)
          view.parts.append(kind === "ltext" ? op[2] : skipped(op[2]));
        else dirtyDetail.add(id);
      }
    }
    for (const id of dirtyTiles) if (lanes.has(id)) drawTiles(id);
    for (const id of dirtyDetail) if (lanes.has(id)) {
      drawDetail(id);
      markTiles(id);
    }
  }

  const onFinal = () => (final.innerHTML = model.get("final"));
  store.views.add(onOps);
  model.on("change:final", onFinal);
  build();
  return () => {
    store.views.delete(onOps);
    model.off("change:final", onFinal);
  };
}

export default {
  initialize({ model }) {
    const uid = model.get("uid");
    const store = emptyStore();
    stores.set(uid, store);
    applyOps(store, model.get("snapshot"));
    const onMessage = (msg) => {
      if (!Array.isArray(msg?.ops)) return;
      // One op at a time, store first: a view reads the store as it was when the op came.
      for (const op of msg.ops) {
        applyOps(store, [op]);
        for (const view of store.views) view([op]);
      }
    };
    // The whole board at the end (the view kept without a record): drawn again from scratch.
    const onSnapshot = () => {
      const fresh = emptyStore();
      fresh.views = store.views;
      applyOps(fresh, model.get("snapshot"));
      Object.assign(store, fresh);
      for (const view of store.views) view(null);
    };
    model.on("msg:custom", onMessage);
    model.on("change:snapshot", onSnapshot);
    return () => {
      model.off("msg:custom", onMessage);
      model.off("change:snapshot", onSnapshot);
      stores.delete(uid);
    };
  },
  render: renderBoard,
};
