"""The explorer base class and control factories, exercised without a browser."""

import ipywidgets
import numpy as np
import pytest

from mlp.widgets.common import Explorer, checkbox, dropdown, figure_to_png, slider

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class LineExplorer(Explorer):
    """Draws y = slope * x and returns the slope it drew, counting its draws."""

    def __init__(self):
        super().__init__({"slope": slider("slope", -2.0, 2.0, value=1.0),
                          "show_grid": checkbox("grid")})
        self.draw_count = 0

    def draw(self, figure, slope, show_grid):
        self.draw_count += 1
        ax = figure.subplots()
        x = np.linspace(-1, 1, 5)
        ax.plot(x, slope * x)
        ax.grid(show_grid)
        self.say(f"slope = {slope}")
        return {"slope": slope, "y": slope * x}


def test_update_sets_the_controls_and_redraws_once_with_all_values():
    explorer = LineExplorer()
    result = explorer.update(slope=-0.5, show_grid=True)
    assert explorer.draw_count == 1
    assert explorer.controls["slope"].value == -0.5
    assert explorer.controls["show_grid"].value is True
    np.testing.assert_allclose(result["y"], -0.5 * np.linspace(-1, 1, 5))
    assert explorer.last_result is result


def test_the_figure_shows_what_draw_drew():
    explorer = LineExplorer()
    explorer.update(slope=2.0)
    (line,) = explorer.figure.axes[0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), 2.0 * np.linspace(-1, 1, 5))


def test_the_figure_is_redrawn_from_scratch_each_time():
    explorer = LineExplorer()
    explorer.update(slope=1.0)
    explorer.update(slope=1.5)
    assert len(explorer.figure.axes) == 1


def test_update_renders_a_png_image_and_the_message():
    explorer = LineExplorer()
    explorer.update(slope=0.25)
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)
    assert explorer.message.value == "slope = 0.25"


def test_moving_a_control_redraws():
    explorer = LineExplorer()
    explorer.controls["slope"].value = 1.5
    assert explorer.draw_count == 1
    assert explorer.last_result["slope"] == 1.5


def test_update_with_an_unknown_name_lists_the_controls():
    with pytest.raises(TypeError, match=r"unknown control\(s\) \['slop'\].*\['show_grid', 'slope'\]"):
        LineExplorer().update(slop=1.0)


def test_widget_is_one_container_with_controls_and_image_drawn_on_first_use():
    explorer = LineExplorer()
    widget = explorer.widget
    assert isinstance(widget, ipywidgets.VBox)
    assert explorer.image in widget.children
    assert explorer.draw_count == 1
    assert explorer.widget is widget


def test_controls_must_be_value_widgets():
    with pytest.raises(TypeError, match="'a'"):
        Explorer({"a": 3})


def test_explorer_without_draw_says_so():
    with pytest.raises(NotImplementedError, match="draw"):
        Explorer({"x": slider("x", 0, 1)}).update(x=0.5)


def test_repr_shows_the_control_values():
    explorer = LineExplorer()
    assert repr(explorer) == "LineExplorer(slope=1.0, show_grid=False)"


def test_figure_to_png_gives_png_bytes():
    explorer = LineExplorer()
    explorer.update()
    assert figure_to_png(explorer.figure).startswith(PNG_SIGNATURE)


# Control factories ----------------------------------------------------------------------------


def test_float_slider_defaults_to_the_middle_and_hundredth_steps():
    control = slider("rate", 0.0, 2.0)
    assert isinstance(control, ipywidgets.FloatSlider)
    assert control.value == 1.0 and control.step == pytest.approx(0.02)
    assert control.continuous_update is False


def test_int_slider():
    control = slider("n", 1, 9, kind="int")
    assert isinstance(control, ipywidgets.IntSlider)
    assert (control.min, control.max, control.value, control.step) == (1, 9, 5, 1)


def test_log_slider_takes_values_not_exponents():
    control = slider("learning rate", 1e-4, 1.0, value=1e-2, kind="log")
    assert isinstance(control, ipywidgets.FloatLogSlider)
    assert (control.min, control.max) == (-4.0, 0.0)
    assert control.value == pytest.approx(1e-2)


@pytest.mark.parametrize(("arguments", "match"), [
    ({"min": 1.0, "max": 0.0}, "min < max"),
    ({"min": 0.0, "max": 1.0, "value": 2.0}, "value in"),
    ({"min": 0.0, "max": 1.0, "kind": "log"}, "min > 0"),
    ({"min": 0.0, "max": 1.0, "kind": "cubic"}, "kind"),
])
def test_slider_rejects_bad_arguments(arguments, match):
    with pytest.raises(ValueError, match=match):
        slider("s", **arguments)


def test_dropdown_starts_at_the_first_option_value():
    assert dropdown("activation", [("tanh", np.tanh), ("relu", abs)]).value is np.tanh
    assert dropdown("n", [3, 5]).value == 3
