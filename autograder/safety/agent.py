"""The student kernel's side of the judge channel: it answers requests, it decides nothing.

The grader sends this module's source (and :mod:`autograder.safety.wire`'s) into the student's kernel
before any notebook cell and binds an :class:`Agent` on the kernel's user namespace. Before each
test cell the grader runs ``serve(path)`` there: the agent connects to the judge's socket and
answers its requests until the judge says ``done``:

- ``resolve``: the values of names in the notebook's namespace (plain data by value; functions,
  classes and other objects as handles, numbers naming objects that stay here);
- ``call``: call a handle with arguments, return the result and the arguments the call changed
  in place (so ``update(params)`` works as it does in one process), and optionally the names
  of watched modules' functions the call entered (the own-work guard);
- ``getattr``/``setattr``/``getitem``/``setitem``/``len``/``iter``/``contains``/``repr``/
  ``asarray``/``info``: what a proxy on the judge's side needs.

Nothing here is trusted: student code can replace any of it, and then it can only make the
judge receive other data, which the tests check like any other answer. Exceptions raised by
student code go back as their class name only (no message: feedback shows only what the kit
wrote). Output printed while serving is discarded.
"""

import importlib
import inspect
import os
import socket
import sys
import zlib

wire = sys.modules.get("autograder_wire") or importlib.import_module("autograder.safety.wire")

TRUSTED_ROOTS = ("builtins", "mlp", "numpy")


def _kind(value):
    if inspect.isclass(value):
        return "class"
    if inspect.isroutine(value):
        return "function"
    if inspect.ismodule(value):
        return "module"
    return "object"


def _is_by_value(value):
    """Objects of mlp classes and of notebook classes travel by value when they have a plain __dict__."""
    if isinstance(value, type) or inspect.isroutine(value) or inspect.ismodule(value):
        return False
    module = getattr(type(value), "__module__", "") or ""
    if not (module == "__main__" or module == "mlp" or module.startswith("mlp.")):
        return False
    try:
        return type(vars(value)) is dict and "<locals>" not in type(value).__qualname__
    except TypeError:
        return False


class _StudentPolicy:
    """How the agent sends objects that are not plain data, and reads the judge's."""

    def __init__(self, agent, received=None):
        self.agent = agent
        self.received = {id(value): index for index, value in enumerate(received or [])}
        self.bypass = None

    def encode_early(self, value, encoder):
        index = self.received.get(id(value))
        if index is None:
            return None
        if self.bypass is value:
            self.bypass = None
            return None
        return {"t": "same", "k": index}

    def encode_object(self, value, encoder, depth):
        if _is_by_value(value):
            node = encoder.remember(value, {"t": "object", "module": type(value).__module__,
                                            "qualname": type(value).__qualname__,
                                            "class": self.agent.handle_node(type(value)),
                                            "handle": self.agent.handle_of(value)})
            node["state"] = encoder.encode(dict(vars(value)), depth + 1)
            return node
        return self.agent.handle_node(value)

    def decode_object(self, node, decoder, depth):
        tag = node["t"]
        if tag == "handle":
            handle = node.get("id")
            if handle not in self.agent.handles:
                raise wire.WireError(f"the judge names unknown object {handle!r}")
            return self.agent.handles[handle]
        if tag == "object":
            cls = self.agent.find_class(str(node.get("module")), str(node.get("qualname")))
            instance = decoder.remember(node, cls.__new__(cls))
            state = decoder.decode(node.get("state"), depth + 1)
            if type(state) is not dict:
                raise wire.WireError("an object's state must be a dict")
            vars(instance).update(state)
            return instance
        raise wire.WireError(f"unknown node {tag!r}")


def _errstate(settings):
    """NumPy's floating-point error handling as the judge had it around the call."""
    import numpy as np

    allowed = ("ignore", "warn", "raise", "call", "print", "log")
    if type(settings) is not dict:
        return np.errstate()
    return np.errstate(**{key: value for key, value in settings.items()
                          if key in ("divide", "over", "under", "invalid") and value in allowed})


def _snapshot(value):
    """What tells, after a call, whether a received object was changed in place."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return zlib.crc32(memoryview(np.ascontiguousarray(value)).cast("B"))
    if isinstance(value, list):
        return tuple(map(id, value))
    if isinstance(value, dict):
        return tuple((id(key), id(item)) for key, item in value.items())
    if isinstance(value, np.random.Generator):
        return repr(value.bit_generator.state)
    try:
        return tuple((key, id(item)) for key, item in vars(value).items())
    except TypeError:
        return None


class Agent:
    """Serves the judge's requests on the objects of ``namespace`` (the kernel's user namespace)."""

    def __init__(self, namespace):
        self.namespace = namespace
        self.handles = {}
        self._ids = {}

    # handles -----------------------------------------------------------------------------
    def handle_of(self, value):
        handle = self._ids.get(id(value))
        if handle is None or self.handles.get(handle) is not value:
            handle = len(self.handles) + 1
            self.handles[handle] = value
            self._ids[id(value)] = handle
        return handle

    def handle_node(self, value):
        kind = _kind(value)
        named = isinstance(getattr(value, "__qualname__", None), str) and isinstance(getattr(value, "__module__", None),
                                                                                     str)
        node = {"t": "handle", "id": self.handle_of(value), "kind": kind, "named": named,
                "module": str(getattr(value, "__module__", None) or getattr(type(value), "__module__", "") or ""),
                "qualname": str(getattr(value, "__qualname__", None) or type(value).__qualname__)}
        if kind == "module":
            node["name"] = value.__name__
        elif kind == "class":
            node["info"] = self.class_info(value)
        elif kind == "object":
            node["class"] = self.handle_node(type(value))
        return node

    def class_info(self, cls):
        mro, members = [], {}
        for base in cls.__mro__:
            module = getattr(base, "__module__", "") or ""
            mro.append([module, base.__qualname__])
            if module.split(".")[0] in TRUSTED_ROOTS:
                continue
            for name, member in vars(base).items():
                if name in members or name in ("__dict__", "__weakref__", "__module__", "__qualname__", "__doc__",
                                               "__init__", "__new__", "__init_subclass__", "__class__"):
                    continue
                members[name] = "property" if isinstance(member, property) else (
                    "method" if callable(member) or isinstance(member, (staticmethod, classmethod)) else "value")
        return {"mro": mro, "members": members}

    def find_class(self, module, qualname):
        if module == "__main__":
            found = self.namespace.get(qualname.split(".")[0])
            for part in qualname.split(".")[1:]:
                found = getattr(found, part, None)
        elif module == "mlp" or module.startswith("mlp."):
            found = importlib.import_module(module)
            for part in qualname.split("."):
                found = getattr(found, part, None)
        else:
            found = None
        if not isinstance(found, type):
            raise wire.WireError(f"this notebook has no class {module}.{qualname}")
        return found

    # the serving loop ----------------------------------------------------------------------
    def serve(self, path):
        """Connect to the judge at ``path`` and answer until it says done (output is discarded)."""
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(path)
        saved = sys.stdout, sys.stderr
        with open(os.devnull, "w") as sink:
            sys.stdout = sys.stderr = sink
            try:
                while True:
                    try:
                        header, blobs = wire.receive(connection)
                    except EOFError:
                        return
                    if header.get("op") == "done":
                        return
                    reply, reply_blobs = self.answer(header, blobs)
                    wire.send(connection, reply, reply_blobs)
            finally:
                sys.stdout, sys.stderr = saved
                connection.close()

    def answer(self, header, blobs):
        """One reply ``(header, blobs)`` to one request."""
        decoder = wire.Decoder(blobs, _StudentPolicy(self))
        try:
            operation = getattr(self, "_op_" + str(header.get("op")), None)
            if operation is None:
                raise wire.WireError(f"unknown request {header.get('op')!r}")
            return operation(header, decoder)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # noqa: BLE001 -- every failure goes back to the judge as data
            kind = type(error)
            return {"ok": False, "error": {"type": kind.__name__, "builtin": kind.__module__ == "builtins",
                                           "wire": isinstance(error, wire.WireError)}}, []

    def _reply(self, value, received=(), writeback=(), extra=None):
        policy = _StudentPolicy(self, received)
        encoder = wire.Encoder(policy)
        header = {"ok": True, "value": encoder.encode(value)}
        entries = []
        for index in writeback:
            policy.bypass = received[index]
            entries.append({"k": index, "v": encoder.encode(received[index])})
        header["writeback"] = entries
        header.update(extra or {})
        return header, encoder.blobs

    def _target(self, header):
        handle = header.get("target")
        if handle not in self.handles:
            raise wire.WireError(f"the judge names unknown object {handle!r}")
        return self.handles[handle]

    def _op_resolve(self, header, decoder):
        values = {name: self.namespace[name] for name in header.get("names", [])
                  if isinstance(name, str) and name in self.namespace}
        return self._reply(values)

    def _op_call(self, header, decoder):
        target = self._target(header)
        if header.get("name") is not None:
            target = getattr(target, str(header["name"]))
        arguments = decoder.decode(header.get("args"))
        keywords = decoder.decode(header.get("kwargs"))
        received = list(decoder.kept)
        before = [_snapshot(value) for value in received]
        extra = None
        with _errstate(header.get("errstate")):
            if header.get("watch"):
                from mlp.testing import calls_made_by

                result, entered = calls_made_by(target, *arguments, modules=[str(m) for m in header["watch"]],
                                                **keywords)
                extra = {"entered": sorted(entered)}
            else:
                result = target(*arguments, **keywords)
        changed = [index for index, value in enumerate(received) if _snapshot(value) != before[index]]
        return self._reply(result, received, changed, extra)

    def _op_getattr(self, header, decoder):
        return self._reply(getattr(self._target(header), str(header.get("name"))))

    def _op_setattr(self, header, decoder):
        setattr(self._target(header), str(header.get("name")), decoder.decode(header.get("value")))
        return self._reply(None)

    def _op_getitem(self, header, decoder):
        return self._reply(self._target(header)[decoder.decode(header.get("key"))])

    def _op_setitem(self, header, decoder):
        target = self._target(header)
        target[decoder.decode(header.get("key"))] = decoder.decode(header.get("value"))
        return self._reply(None)

    def _op_len(self, header, decoder):
        return self._reply(len(self._target(header)))

    def _op_iter(self, header, decoder):
        return self._reply(list(self._target(header)))

    def _op_contains(self, header, decoder):
        return self._reply(decoder.decode(header.get("item")) in self._target(header))

    def _op_repr(self, header, decoder):
        return self._reply(repr(self._target(header))[:2000])

    def _op_asarray(self, header, decoder):
        import numpy as np

        return self._reply(np.asarray(self._target(header)))

    def _op_source(self, header, decoder):
        try:
            return self._reply(inspect.getsource(self._target(header)))
        except (OSError, TypeError):
            return self._reply(None)
