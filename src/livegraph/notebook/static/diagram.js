// The diagram of a livegraph run view: an SVG the kernel restyles (running, done, error) as the run goes.
export default {
  render({ model, el }) {
    el.classList.add("lg-diagram");
    const show = () => {
      el.innerHTML = model.get("svg");
    };
    model.on("change:svg", show);
    show();
    return () => model.off("change:svg", show);
  },
};
