// One panel of a livegraph run view: the text one task streams, appended in place.
//
// The kernel sends only new text, as custom messages `{append: "..."}`, and syncs the `text` trait once,
// at the end. The text lives per model (not per view), so a view rendered later shows all of it; every
// view appends to one Text node, so the panel's elements stay the same while it grows.

const live = new Map(); // uid -> { text, views: Set<(piece) => void> }

export default {
  initialize({ model }) {
    const uid = model.get("uid");
    const entry = { text: model.get("text"), views: new Set() };
    live.set(uid, entry);
    const onMessage = (msg) => {
      if (typeof msg?.append !== "string") return;
      entry.text += msg.append;
      for (const view of entry.views) view(msg.append);
    };
    model.on("msg:custom", onMessage);
    return () => {
      model.off("msg:custom", onMessage);
      live.delete(uid);
    };
  },

  render({ model, el }) {
    const entry = live.get(model.get("uid")) ?? { text: model.get("text"), views: new Set() };
    el.classList.add("lg-panel");
    const head = document.createElement("div");
    head.className = "lg-panel-head";
    const title = document.createElement("span");
    title.className = "lg-panel-title";
    const meta = document.createElement("span");
    meta.className = "lg-panel-meta";
    head.append(title, meta);
    const body = document.createElement("pre");
    body.className = "lg-panel-text";
    const text = document.createTextNode(entry.text);
    body.append(text);
    const note = document.createElement("div");
    note.className = "lg-panel-note";
    el.append(head, body, note);

    // Follow the end of the text unless the reader scrolled up.
    const append = (piece) => {
      const follow = body.scrollHeight - body.scrollTop - body.clientHeight < 8;
      text.appendData(piece);
      body.hidden = false;
      if (follow) body.scrollTop = body.scrollHeight;
    };
    const sync = () => {
      const full = model.get("text");
      if (full && full !== text.data) {
        text.data = full;
        entry.text = full;
      }
      const state = model.get("state");
      el.dataset.state = state;
      title.textContent = model.get("title");
      const step = model.get("step");
      meta.textContent = `${step ? ` · step ${step}` : ""} · ${state}`;
      note.textContent = model.get("note");
      note.hidden = !model.get("note");
      body.hidden = text.data.length === 0;
    };
    entry.views.add(append);
    model.on("change", sync);
    sync();
    return () => {
      entry.views.delete(append);
      model.off("change", sync);
    };
  },
};
