"""Shared pieces of the lesson explorers: an :class:`Explorer` base class and control factories.

An explorer is a set of named controls (sliders, drop-downs, ...) plus a Matplotlib figure
that :meth:`Explorer.draw` redraws from the controls' values. It is built so that tests
need no browser: call :meth:`Explorer.update` with values, then inspect the figure, the
value ``draw`` returned (``last_result``) or the rendered PNG::

    class SineExplorer(Explorer):
        def __init__(self):
            super().__init__({"frequency": slider("frequency", 0.5, 5.0, value=1.0)})

        def draw(self, figure, frequency):
            ax = figure.subplots()
            x = np.linspace(0, 2 * np.pi, 200)
            ax.plot(x, np.sin(frequency * x))
            return {"max": np.sin(frequency * x).max()}

    explorer = SineExplorer()
    explorer.update(frequency=2.0)      # what moving the slider does
    explorer.widget                     # show this in a notebook

The figure is a plain :class:`matplotlib.figure.Figure` (not managed by ``pyplot``), rendered
to PNG into an ``ipywidgets.Image``, so it looks the same with any Matplotlib backend and
no figures pile up in ``pyplot``.
"""

from __future__ import annotations

import io
import math

import ipywidgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def figure_to_png(figure: Figure, dpi: int = 100) -> bytes:
    """Render ``figure`` to PNG bytes with the Agg renderer."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def slider(description: str, min: float, max: float, value: float | None = None,
           step: float | None = None, kind: str = "float", continuous_update: bool = False,
           readout_format: str | None = None) -> ipywidgets.ValueWidget:
    """A slider with sensible defaults for the explorers.

    Args:
        description: label shown next to the slider.
        min, max: range of values; for ``kind="log"`` these are the values themselves (not
            exponents).
        value: start value; the middle of the range (geometric middle for ``"log"``) if ``None``.
        step: increment; 1 for ``"int"``, ``(max - min) / 100`` for ``"float"``, a tenth of a
            decade for ``"log"`` if ``None``.
        kind: ``"float"``, ``"int"`` or ``"log"`` (a logarithmic scale, e.g. for learning rates).
        continuous_update: redraw while dragging (``False``: when the slider is released).

    Returns:
        An ``IntSlider``, ``FloatSlider`` or ``FloatLogSlider``.
    """
    if not min < max:
        raise ValueError(f"slider {description!r}: expected min < max, got min={min}, max={max}")
    if value is not None and not min <= value <= max:
        raise ValueError(f"slider {description!r}: expected value in [{min}, {max}], got {value}")
    common = {"description": description, "continuous_update": continuous_update,
              "style": {"description_width": "initial"},
              "layout": ipywidgets.Layout(width="420px")}
    if kind == "int":
        return ipywidgets.IntSlider(value=int(round((min + max) / 2)) if value is None else int(value),
                                    min=int(min), max=int(max), step=int(step or 1), **common)
    if kind == "float":
        step = (max - min) / 100 if step is None else step
        return ipywidgets.FloatSlider(value=(min + max) / 2 if value is None else value,
                                      min=min, max=max, step=step,
                                      readout_format=readout_format or ".3g", **common)
    if kind == "log":
        if min <= 0:
            raise ValueError(f"slider {description!r}: a log slider needs min > 0, got {min}")
        low, high = math.log10(min), math.log10(max)
        return ipywidgets.FloatLogSlider(
            value=10 ** ((low + high) / 2) if value is None else value, base=10, min=low, max=high,
            step=0.1 if step is None else step, readout_format=readout_format or ".3g", **common)
    raise ValueError(f"slider {description!r}: expected kind 'float', 'int' or 'log', got {kind!r}")


def dropdown(description: str, options, value=None) -> ipywidgets.Dropdown:
    """A drop-down menu; ``options`` is a list of values or of ``(label, value)`` pairs."""
    options = list(options)
    if not options:
        raise ValueError(f"dropdown {description!r}: expected at least one option")
    first = options[0][1] if isinstance(options[0], tuple) else options[0]
    return ipywidgets.Dropdown(description=description, options=options,
                               value=first if value is None else value,
                               style={"description_width": "initial"})


def checkbox(description: str, value: bool = False) -> ipywidgets.Checkbox:
    """A tick box."""
    return ipywidgets.Checkbox(description=description, value=bool(value), indent=False)


class Explorer:
    """Named controls and a figure that :meth:`draw` redraws whenever a control changes.

    Subclasses pass their controls to ``__init__`` and implement :meth:`draw`.

    Args:
        controls: ``{name: widget}``; each widget's ``value`` is passed to :meth:`draw` as the
            keyword argument ``name``.
        figsize: size of the figure in inches.
        dpi: resolution of the rendered image.

    Attributes:
        controls: the control widgets by name.
        figure: the :class:`~matplotlib.figure.Figure` drawn into.
        image: ``ipywidgets.Image`` showing the rendered figure.
        message: ``ipywidgets.HTML`` for text (set it from :meth:`draw` via :meth:`say`).
        last_result: what the last call of :meth:`draw` returned.
    """

    def __init__(self, controls: dict, figsize=(6.0, 4.0), dpi: int = 100) -> None:
        self.controls = dict(controls)
        for name, control in self.controls.items():
            if not hasattr(control, "value") or not hasattr(control, "observe"):
                raise TypeError(
                    f"{type(self).__name__}: expected control {name!r} to be an ipywidgets "
                    f"value widget, got {type(control).__name__}"
                )
        self.figure = Figure(figsize=figsize)
        FigureCanvasAgg(self.figure)
        self.dpi = dpi
        self.image = ipywidgets.Image(format="png")
        self.message = ipywidgets.HTML()
        self.last_result = None
        self._widget = None
        self._updating = False
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    # To implement -----------------------------------------------------------------------

    def draw(self, figure: Figure, **values):
        """Draw into the (cleared) ``figure`` for the given control ``values``; may return
        anything useful to tests (stored as ``last_result``)."""
        raise NotImplementedError(f"{type(self).__name__}.draw is not implemented")

    # Behaviour --------------------------------------------------------------------------

    @property
    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self, **values):
        """Set some controls (by name) and redraw once; returns what :meth:`draw` returned.

        This is what moving the controls does, so tests call it directly.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise TypeError(
                f"{type(self).__name__}.update: unknown control(s) {unknown}; "
                f"the controls are {sorted(self.controls)}"
            )
        self._updating = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._updating = False
        return self.redraw()

    def redraw(self):
        """Clear the figure, call :meth:`draw` with the current values, render the image."""
        self.figure.clear()
        self.last_result = self.draw(self.figure, **self.values)
        self.image.value = figure_to_png(self.figure, self.dpi)
        return self.last_result

    def say(self, text: str) -> None:
        """Show ``text`` (HTML allowed) under the figure."""
        self.message.value = text

    def _on_change(self, change) -> None:
        if not self._updating:
            self.redraw()

    @property
    def widget(self) -> ipywidgets.Widget:
        """The whole explorer as one widget: controls above, figure and message below.

        The figure is drawn the first time this is asked for, if it was not drawn yet.
        """
        if self._widget is None:
            if self.last_result is None and not self.image.value:
                self.redraw()
            self._widget = ipywidgets.VBox(
                [ipywidgets.VBox(list(self.controls.values())), self.image, self.message])
        return self._widget

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a notebook front end
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={value!r}" for name, value in self.values.items())
        return f"{type(self).__name__}({values})"
