"""The judge channel: plain data only, in-place semantics of one process, the kit's words only.

The judge (:mod:`autograder.safety.judge`) and the student kernel's agent (:mod:`autograder.safety.agent`) run
here in one process, the agent in a thread on a namespace that plays the student's notebook, so
each property of the channel is checked without starting kernels.
"""

import io
import pickle
import threading

import numpy as np
import pytest

from autograder.safety import agent, judge, wire
from mlp.testing import assert_own_function, assert_own_work

STUDENT_CELLS = '''
import numpy as np
from mlp.initialisers import ConstantInit
from mlp.layers import AffineLayer, LayerWithParameters
from mlp.models import MultipleLayerModel

def affine_fprop(x, w, b):
    print("printed while the judge calls me")
    return x @ w.T + b

def update_in_place(params, grads, learning_rate):
    for param, grad in zip(params, grads):
        param -= learning_rate * grad

def rebinds_entries(params):
    params[0] = params[0] * 2

def raises_with_a_message(x):
    raise ValueError("the hidden input was " + repr(x))

class Custom(Exception):
    pass

def raises_custom():
    raise Custom("student text")

def uses_the_reference(x):
    return AffineLayer(2, 2, ConstantInit(1.0), ConstantInit(0.0)).fprop(x)

class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

def forged_array():
    return np.zeros(3).view(AlwaysEqual)

class Scaler:
    def __init__(self, factor):
        self.factor = np.array([factor])
    def apply(self, x):
        return x * self.factor

class WrapLayer(LayerWithParameters):
    def __init__(self, weights):
        self.weights = weights
    def fprop(self, inputs):
        return affine_fprop(inputs, self.weights, 0.0)

def build(rng):
    return MultipleLayerModel([AffineLayer(2, 3, ConstantInit(0.5), ConstantInit(0.0)),
                               WrapLayer(rng.normal(size=(1, 3)))])

history = {"error": [3.0, 2.0]}
SEED = 99
np_exp = np.exp

def overflows(x):
    return np.exp(x)
from mlp.numerics import sigmoid as stable_sigmoid
'''

INSTRUCTOR_CELL = '''
SEED = 0
from mlp.layers import LayerWithParameters
class WrapLayer(LayerWithParameters):
    def __init__(self, weights):
        self.weights = weights
    def fprop(self, inputs):
        return affine_fprop(inputs, self.weights, 0.0)
'''


class _Shell:
    def __init__(self):
        self.user_ns = {"__name__": "__main__"}

    def transform_cell(self, source):
        return source


@pytest.fixture
def channel(tmp_path):
    """``run(test_source)``: run a test cell in a judge namespace served by the student's agent."""
    student = {"__name__": "__main__"}
    exec(STUDENT_CELLS, student)
    shell = _Shell()
    trusted = judge.install(shell, str(tmp_path / "judge.sock"))
    trusted.remember(INSTRUCTOR_CELL)
    student_agent = agent.Agent(student)

    def run(source):
        server = threading.Thread(target=student_agent.serve, args=(trusted.path,))
        server.start()
        trusted.prepare(source)
        try:
            exec(source, shell.user_ns)
        finally:
            trusted.finish()
            server.join(10)
        return shell.user_ns
    return run


def test_results_arrive_as_plain_arrays(channel):
    namespace = channel("out = affine_fprop(np.ones((2, 3)), np.eye(3), np.zeros(3))")
    assert type(namespace["out"]) is np.ndarray
    np.testing.assert_array_equal(namespace["out"], np.ones((2, 3)))


def test_an_ndarray_subclass_from_the_student_arrives_as_a_plain_ndarray(channel):
    namespace = channel("forged = forged_array()")
    assert type(namespace["forged"]) is np.ndarray
    assert not np.array_equal(namespace["forged"], np.ones(3))


def test_arrays_changed_in_place_by_student_code_change_in_the_judge(channel):
    namespace = channel("params = [np.ones(2), np.ones(3)]\nfirst = params[0]\n"
                        "update_in_place(params, [np.ones(2), np.ones(3)], 0.5)")
    assert namespace["params"][0] is namespace["first"]
    np.testing.assert_array_equal(namespace["first"], [0.5, 0.5])


def test_a_list_entry_rebound_by_student_code_is_rebound_in_the_judge(channel):
    namespace = channel("params = [np.ones(2)]\nfirst = params[0]\nrebinds_entries(params)")
    assert namespace["params"][0] is not namespace["first"]
    np.testing.assert_array_equal(namespace["params"][0], [2.0, 2.0])
    np.testing.assert_array_equal(namespace["first"], [1.0, 1.0])


def test_student_exceptions_keep_their_builtin_class_but_not_their_text(channel):
    namespace = channel("try:\n    raises_with_a_message(np.arange(3))\n"
                        "except ValueError as error:\n    caught = error\n"
                        "try:\n    raises_custom()\nexcept Exception as error:\n    custom = error")
    assert "hidden input" not in str(namespace["caught"]) and "ValueError" in str(namespace["caught"])
    assert isinstance(namespace["custom"], judge.StudentCodeError) and "student text" not in str(namespace["custom"])


def test_the_instructors_definitions_and_constants_are_the_judges_own(channel):
    namespace = channel("model = build(np.random.default_rng(0))\nseed = SEED\n"
                        "scores = model.fprop(np.ones((1, 2)))[-1]")
    model = namespace["model"]
    assert namespace["seed"] == 0  # the student's SEED = 99 does not count
    assert type(model.layers[1]) is namespace["WrapLayer"]  # rebuilt from the replayed class...
    assert type(model.layers[0]).__module__ == "mlp.layers.affine"  # ...and mlp's own AffineLayer
    expected = np.full((1, 3), 1.0) @ model.layers[1].weights.T
    np.testing.assert_allclose(namespace["scores"], expected)


def test_student_objects_are_proxies_whose_methods_run_in_the_student_kernel(channel):
    namespace = channel("scaler = Scaler(3.0)\ntripled = scaler.apply(np.array([2.0]))\n"
                        "same_class = isinstance(scaler, Scaler)")
    assert isinstance(namespace["scaler"], judge.RemoteObject)
    np.testing.assert_array_equal(namespace["tripled"], [6.0])
    assert namespace["same_class"]


def test_names_come_fresh_from_the_student_unless_trusted_code_bound_them(channel):
    namespace = channel("first_error = history['error'][0]")
    assert namespace["first_error"] == 3.0


def test_the_own_work_guard_sees_the_reference_called_in_the_student_kernel(channel):
    namespace = channel(
        "from mlp.testing import assert_own_function, assert_own_work\n"
        "assert_own_function(affine_fprop)\n"
        "assert_own_work(affine_fprop, np.ones((2, 3)), np.eye(3), np.zeros(3), forbidden=('mlp.layers',))\n"
        "try:\n    assert_own_work(uses_the_reference, np.ones((1, 2)), forbidden=('mlp.layers',))\n"
        "except AssertionError as error:\n    message = str(error)\n")
    assert "mlp.layers" in namespace["message"] and "yourself" in namespace["message"]


def test_the_own_work_guard_in_one_process():
    def reference_user(x):
        from mlp.numerics import softmax

        return softmax(x)

    with pytest.raises(AssertionError, match="mlp.numerics"):
        assert_own_work(reference_user, np.zeros((1, 2)), forbidden=("mlp.numerics",))
    assert_own_work(np.exp, np.zeros(2), forbidden=("mlp",))
    with pytest.raises(AssertionError, match="written in this notebook"):
        assert_own_function(np.exp)


# the codec on hostile bytes ---------------------------------------------------------------------
def _frame(header, blobs=()):
    return io.BytesIO(wire.pack(header, list(blobs)))


class _Reader:
    def __init__(self, data):
        self.data = io.BytesIO(data)

    def recv(self, count):
        return self.data.read(count)


def test_every_plain_value_round_trips():
    generator = np.random.default_rng(5)
    value = [None, True, 3, 2.5, float("nan"), "text", 1 + 2j, (1, "a"), {"k": [1, 2]}, {3, 4}, frozenset({5}),
             slice(1, None, 2), Ellipsis, np.float32(1.5), np.arange(6, dtype=np.int16).reshape(2, 3),
             np.dtype("float32"), np.float64, generator]
    encoder = wire.Encoder()
    node = encoder.encode(value)
    decoded = wire.Decoder(encoder.blobs).decode(node)
    assert decoded[:5] == value[:4] + [decoded[4]] and np.isnan(decoded[4])
    assert decoded[5:13] == value[5:13]
    assert type(decoded[13]) is np.float32 and decoded[13] == 1.5
    assert decoded[14].dtype == np.int16 and np.array_equal(decoded[14], value[14])
    assert decoded[15] == np.dtype("float32") and decoded[16] is np.float64
    assert decoded[17].random() == generator.random()


def test_shared_values_stay_shared():
    shared = np.zeros(2)
    encoder = wire.Encoder()
    decoded = wire.Decoder(encoder.blobs).decode(encoder.encode([shared, shared]))
    assert decoded[0] is decoded[1]


@pytest.mark.parametrize("make_blob", [
    lambda: pickle.dumps({"evil": 1}),
    lambda: _npy(np.array([object()], dtype=object)),
    lambda: b"not npy at all",
])
def test_a_blob_that_is_not_plain_npy_is_refused(make_blob):
    with pytest.raises(wire.WireError):
        wire.Decoder([make_blob()]).decode({"t": "array", "b": 0, "m": 0})


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


@pytest.mark.parametrize("node", [
    {"t": "object", "module": "os", "qualname": "system", "state": {}},
    {"t": "ref", "m": 7},
    {"t": "generator", "bit": "os.system", "state": None, "m": 0},
    {"t": "dtype", "v": "O"},
    ["a", "bare", "list"],
    {"t": "array", "b": 3, "m": 0},
])
def test_nodes_outside_the_format_are_refused(node):
    with pytest.raises(wire.WireError):
        wire.Decoder([]).decode(node)


def test_the_judge_rebuilds_only_classes_it_trusts():
    policy = judge._JudgePolicy(type("FakeJudge", (), {"instructor_class": lambda self, name: None,
                                                       "proxy": lambda self, node: ("proxy", node["id"])})())
    node = {"t": "object", "module": "subprocess", "qualname": "Popen", "state": {"t": "dict", "v": [], "m": 1},
            "handle": 4, "m": 0}
    assert wire.Decoder([], policy).decode(node) == ("proxy", 4)


def test_a_message_past_the_size_limit_is_refused():
    data = wire.pack({"op": "x"}, [b"0" * 1000])
    with pytest.raises(wire.WireError, match="larger than"):
        wire.receive(_Reader(data), limit=500)


def test_values_nested_too_deeply_are_refused():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError, match="deeper"):
        wire.Encoder().encode(deep)


def test_free_names_are_what_a_cell_reads_before_binding():
    import ast

    tree = ast.parse("x = f(y)\nprint(x)\ndef g():\n    return h + x\nz = z + 1\nimport numpy as np\nnp.ones(1)")
    top_level, nested = judge.free_names(tree)
    assert top_level == {"f", "y", "print", "z"}
    assert nested == {"h", "x"}


def test_functions_of_trusted_packages_bound_in_the_notebook_are_the_judges_own(channel):
    import mlp.numerics

    namespace = channel("from mlp.testing import assert_own_function\n"
                        "alias = np_exp\nfound = stable_sigmoid\n"
                        "try:\n    assert_own_function(found)\n"
                        "except AssertionError as error:\n    message = str(error)")
    assert namespace["alias"] is np.exp and namespace["found"] is mlp.numerics.sigmoid
    assert "written in this notebook" in namespace["message"]


def test_numpy_error_handling_set_around_a_call_applies_where_the_call_runs(channel):
    namespace = channel("with np.errstate(over='raise'):\n"
                        "    try:\n        overflows(np.array([1000.0]))\n"
                        "    except FloatingPointError as error:\n        caught = error\n"
                        "with np.errstate(over='ignore'):\n    quiet = overflows(np.array([1000.0]))")
    assert isinstance(namespace["caught"], FloatingPointError)
    assert np.isinf(namespace["quiet"]).all()


def test_the_judge_warms_up_exactly_the_modules_the_test_cells_import():
    sources = ["import numpy as np\nfrom mlp.testing import assert_close\nimport os.path",
               "from mlp.data_providers import DigitsDataProvider\nfrom . import local\nimport numpy",
               "this is not python ("]
    assert judge.imported_modules(sources) == ["numpy", "mlp.testing", "os.path", "mlp.data_providers"]
    assert judge.imported_modules(["x = 1"]) == []


def test_a_module_the_judge_cannot_warm_up_is_left_for_the_test_cell(monkeypatch):
    import sys

    monkeypatch.delitem(sys.modules, "json", raising=False)
    judge.Judge.warm_up(["no_such_module_anywhere", "json"])
    assert "json" in sys.modules
