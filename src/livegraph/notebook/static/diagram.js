// The diagram of a livegraph run view: an SVG drawn once; the kernel restyles it (running, done, error) by
// sending a `<style>` block of node states (`css`, rules scoped to this SVG's ids), so a state change costs
// a few hundred bytes instead of the whole drawing.
export default {
  render({ model, el }) {
    el.classList.add("lg-diagram");
    const drawing = document.createElement("div");
    const style = document.createElement("div");
    style.hidden = true;
    el.append(style, drawing);
    const show = () => {
      drawing.innerHTML = model.get("svg");
    };
    const restyle = () => {
      style.innerHTML = model.get("css");
    };
    model.on("change:svg", show);
    model.on("change:css", restyle);
    show();
    restyle();
    return () => {
      model.off("change:svg", show);
      model.off("change:css", restyle);
    };
  },
};
