"""Remote objects: the judge's stand-ins for the functions, classes and objects of the student's notebook.

A value the judge cannot receive as plain data stays in the student's kernel and arrives as a
*handle* (a number naming it there, see :mod:`autograder.safety.wire`). The judge
(:mod:`autograder.safety.judge`) turns each handle into a proxy from here: every use of a proxy --
a call, an attribute, ``len``, indexing, ``repr`` -- is a request over the judge's channel, with its
arguments and result as plain data.

- a student's function becomes a :class:`RemoteFunction`;
- a student's class becomes a class made by :func:`make_proxy_class`: its methods forward to the
  student's kernel, instances are proxies, and a subclass of an ``mlp`` class is also a subclass of
  the judge's own copy of it (``isinstance(layer, LayerWithParameters)`` holds);
- any other object becomes a :class:`RemoteObject` (or an instance of its class's proxy);
- a function or class of a trusted package (:data:`TRUSTED_PACKAGES`) is the judge's own, never a
  proxy (:func:`trusted_named_object`), and so is a module the judge can import.

The grader installs this module in the judge kernel by its source text (see
``autograder.safety.judge.kernel_modules``): it imports the standard library only.
"""

import importlib

# Functions and classes of these packages are the judge's own (imported here), never proxies.
TRUSTED_PACKAGES = ("mlp", "numpy", "scipy", "math")
_SAFE_DUNDERS = ("__call__", "__len__", "__iter__", "__getitem__", "__setitem__", "__contains__", "__repr__",
                 "__str__")

_JUDGE = None  # the judge whose channel every proxy's request goes through (one per judge kernel)


def use_judge(judge):
    """Send the requests of every proxy through ``judge`` (its ``request``, ``call`` and mirrors)."""
    global _JUDGE
    _JUDGE = judge


class RemoteObject:
    """An object that lives in the student's kernel; every use is a request over the channel."""

    def __getattr__(self, name):
        if name.startswith("_grading_") or (name.startswith("__") and name.endswith("__")):
            raise AttributeError(name)
        return self._grading_get(name)

    def __setattr__(self, name, value):
        if name.startswith("_grading_"):
            object.__setattr__(self, name, value)
        else:
            self._grading_set(name, value)

    def _grading_get(self, name):
        value = _JUDGE.request({"op": "getattr", "target": self._grading_handle, "name": name})
        _JUDGE.mirror(self, name, value)
        return value

    def _grading_set(self, name, value):
        _JUDGE.forget_mirror(self, name)
        _JUDGE.request({"op": "setattr", "target": self._grading_handle, "name": name}, value=value)

    def __call__(self, *args, **kwargs):
        return _JUDGE.call(self._grading_handle, args, kwargs)

    def __len__(self):
        return _JUDGE.request({"op": "len", "target": self._grading_handle})

    def __iter__(self):
        return iter(_JUDGE.request({"op": "iter", "target": self._grading_handle}))

    def __getitem__(self, key):
        return _JUDGE.request({"op": "getitem", "target": self._grading_handle}, key=key)

    def __setitem__(self, key, value):
        _JUDGE.request({"op": "setitem", "target": self._grading_handle}, key=key, value=value)

    def __contains__(self, item):
        return _JUDGE.request({"op": "contains", "target": self._grading_handle}, item=item)

    def __array__(self, dtype=None, copy=None):
        array = _JUDGE.request({"op": "asarray", "target": self._grading_handle})
        return array if dtype is None else array.astype(dtype)

    def __repr__(self):
        text = _JUDGE.request({"op": "repr", "target": self._grading_handle})
        return str(text)[:2000]

    def __grading_traced_call__(self, args, kwargs, modules):
        """Call with the agent watching ``modules``: ``(result, names of their functions entered)``."""
        return _JUDGE.call(self._grading_handle, args, kwargs, watch=list(modules))


class RemoteFunction(RemoteObject):
    """A function of the student's notebook (or anything callable that is not a class)."""


def make_remote(handle_node, cls=RemoteObject):
    """An instance of ``cls`` (:class:`RemoteObject` or a subclass) standing for the handle's object."""
    proxy = object.__new__(cls)
    object.__setattr__(proxy, "_grading_handle", handle_node["id"])
    object.__setattr__(proxy, "__grading_origin__", {key: handle_node.get(key) for key in ("kind", "module",
                                                                                           "qualname")})
    if cls is RemoteFunction:
        object.__setattr__(proxy, "__name__", str(handle_node.get("qualname", "")).split(".")[-1])
        object.__setattr__(proxy, "__qualname__", str(handle_node.get("qualname", "")))
        object.__setattr__(proxy, "__module__", str(handle_node.get("module", "")))
    return proxy


def new_proxy(node, proxy_of):
    """A new stand-in for the object that handle ``node`` names, by its kind: the module itself when
    the judge can import it, a proxy class, a :class:`RemoteFunction` or a :class:`RemoteObject`
    (an instance of its class's proxy: ``proxy_of(class_node)`` gives that class)."""
    kind = node.get("kind")
    if kind == "module" or node.get("t") == "module":
        try:
            return importlib.import_module(str(node.get("name")))
        except ImportError:
            return make_remote(node)
    if kind == "class":
        return make_proxy_class(node)
    if kind == "function":
        return make_remote(node, RemoteFunction)
    class_node = node.get("class")
    cls = proxy_of(class_node) if type(class_node) is dict and class_node.get("kind") == "class" else None
    return make_remote(node, cls if isinstance(cls, type) and issubclass(cls, RemoteObject) else RemoteObject)


def _forwarding_method(name):
    def method(self, *args, **kwargs):
        return _JUDGE.call(self._grading_handle, args, kwargs, name=name)
    method.__name__ = name
    return method


def _forwarding_property(name):
    return property(lambda self: self._grading_get(name), lambda self, value: self._grading_set(name, value))


def _lookup(module, qualname):
    """``module.qualname`` imported in the judge (None when it is not there or names a local object)."""
    if "<" in qualname:
        return None
    try:
        found = importlib.import_module(module)
    except ImportError:
        return None
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found


def trusted_class(module, qualname):
    """The judge's own class ``module.qualname`` when ``module`` is part of mlp, else None."""
    if not (module == "mlp" or module.startswith("mlp.")):
        return None
    found = _lookup(module, qualname)
    return found if isinstance(found, type) else None


def trusted_named_object(node):
    """The judge's own function or class that a handle names, when it comes from a trusted package."""
    module, qualname = str(node.get("module", "")), str(node.get("qualname", ""))
    if not node.get("named") or module.split(".")[0] not in TRUSTED_PACKAGES:
        return None
    found = _lookup(module, qualname)
    return found if callable(found) else None


def make_proxy_class(handle_node):
    """A local stand-in for a class of the student's notebook (instances are proxies)."""
    info = handle_node.get("info") or {}
    trusted_base = None
    for module, qualname in info.get("mro", []):
        trusted_base = trusted_class(str(module), str(qualname))
        if trusted_base is not None:
            break
    bases = (RemoteObject,) + ((trusted_base,) if trusted_base is not None else ())
    namespace = {"__module__": str(handle_node.get("module", "__main__")), "_grading_class_handle": handle_node["id"]}
    for name, kind in (info.get("members") or {}).items():
        name = str(name)
        if name.startswith("__") and name.endswith("__") and name not in _SAFE_DUNDERS:
            continue
        namespace[name] = _forwarding_method(name) if kind == "method" else _forwarding_property(name)
    meta = type(trusted_base) if trusted_base is not None else type
    proxy_meta = type("RemoteClassType", (meta,), {"__call__": _instantiate_remote})
    name = str(handle_node.get("qualname", "RemoteClass")).split(".")[-1]
    cls = proxy_meta(name, bases, namespace)
    cls.__qualname__ = str(handle_node.get("qualname", name))
    return cls


def _instantiate_remote(cls, *args, **kwargs):
    return _JUDGE.call(cls._grading_class_handle, args, kwargs)
