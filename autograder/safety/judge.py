"""The trusted side of grading: test cells run here, in a kernel that no student code reaches.

The grader starts a second kernel per notebook, the *judge*, sends it this module's source and
:mod:`autograder.safety.wire`'s, and binds a :class:`Judge` in it. Student cells run in the student's
kernel; each test cell runs in the judge, so its assertions, its messages and its verdict never
pass through the student's process. Before a test cell the grader calls :meth:`Judge.prepare`
with the cell's source: the judge

1. finds the names the cell (and trusted code defined before it) reads but does not bind;
2. binds those the instructor's locked cells define *by a statement it can replay itself* --
   imports, ``def``, ``class`` and literal constants (``SEED = 0``) -- by running that statement
   here (lazily, so an unused ``import matplotlib`` costs nothing);
3. asks the agent in the student's kernel (:mod:`autograder.safety.agent`) for the rest: plain data comes
   by value; the student's functions, classes and objects come as proxies whose calls cross the
   channel with their arguments and results as plain data (arrays changed in place are written
   back, so ``update(params)`` behaves as in one process).

While the student's cells run, the grader has the judge import the modules the test cells import
(:func:`imported_modules`, :meth:`Judge.warm_up`), so a test cell does not wait for them.

Objects of ``mlp`` classes, and of the instructor's notebook classes, are rebuilt here from their
state, so their methods are the trusted ones (a model built by ``build_cnn`` trains here, calling
only the student's functions across the channel). Names a test cell binds stay trusted; names
that came from the student are fetched again before every test cell. Exceptions raised by student
code arrive as their class (a subclass of :class:`StudentCodeError` and of the builtin of that
name) with the kit's message, never the student's text.
"""

import ast
import builtins
import importlib
import os
import socket
import symtable
import sys

import numpy as np

wire = sys.modules.get("autograder_wire") or importlib.import_module("autograder.safety.wire")

_JUDGE = None
# Functions and classes of these packages are the judge's own (imported here), never proxies.
TRUSTED_PACKAGES = ("mlp", "numpy", "scipy", "math")
_SAFE_DUNDERS = ("__call__", "__len__", "__iter__", "__getitem__", "__setitem__", "__contains__", "__repr__",
                 "__str__")


class StudentCodeError(Exception):
    """An exception raised by the student's code while the judge called it."""


class ChannelError(RuntimeError):
    """The student's kernel did not answer (it died, hung up, or sent something that is not data)."""


_EXCEPTION_CLASSES = {}


def student_exception(name, builtin):
    """The exception the judge raises for a student exception of class ``name``."""
    cls = _EXCEPTION_CLASSES.get((name, builtin))
    if cls is None:
        base = getattr(builtins, name, None) if builtin else None
        cls = StudentCodeError
        if isinstance(base, type) and issubclass(base, Exception) and base is not Exception:
            try:
                cls = type(name, (StudentCodeError, base), {"__module__": "builtins"})
            except TypeError:  # a builtin whose layout does not mix (OSError, ...)
                cls = StudentCodeError
        _EXCEPTION_CLASSES[(name, builtin)] = cls
    described = name if builtin else "an exception of a class defined in your notebook"
    return cls(f"{described} raised in your code")


# the names a piece of code reads ------------------------------------------------------------
def free_names(tree):
    """``(top_level, nested)``: names read at module level before being bound there, and names read
    inside functions, lambdas, classes and comprehensions (looked up when they run)."""
    first_store, loads = {}, {}
    order = iter(range(1 << 62))

    def load(name, inside):
        if not inside:
            loads.setdefault(name, next(order))

    def store(name, inside):
        if not inside:
            first_store.setdefault(name, next(order))

    def visit(node, inside):
        if isinstance(node, ast.Name):
            (load if isinstance(node.ctx, ast.Load) else store)(node.id, inside)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                store((alias.asname or alias.name).split(".")[0], inside)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
            value = node.iter if isinstance(node, (ast.For, ast.AsyncFor)) else node.value
            if value is not None:
                visit(value, inside)
            if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                load(node.target.id, inside)
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                visit(target, inside)
            for child in getattr(node, "body", []) + getattr(node, "orelse", []):
                visit(child, inside)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                visit(decorator, inside)
            if isinstance(node, ast.ClassDef):
                for base in node.bases + [keyword.value for keyword in node.keywords]:
                    visit(base, inside)
            else:
                for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                    visit(default, inside)
            for child in node.body:
                visit(child, True)
            store(node.name, inside)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            visit(node.generators[0].iter, inside)  # the outermost iterable is read where the comprehension is
        elif not isinstance(node, ast.Lambda):
            for child in ast.iter_child_nodes(node):
                visit(child, inside)

    for statement in tree.body:
        visit(statement, False)
    top_level = {name for name, when in loads.items() if name not in first_store or first_store[name] > when}
    return top_level, _globals_read_by_nested_scopes(tree)


def _globals_read_by_nested_scopes(tree):
    """Module-level names that the functions, classes, lambdas and comprehensions of ``tree`` read."""
    try:
        table = symtable.symtable(ast.unparse(tree), "<cell>", "exec")
    except SyntaxError:
        return set()
    names, pending = set(), list(table.get_children())
    while pending:
        scope = pending.pop()
        pending.extend(scope.get_children())
        names.update(symbol.get_name() for symbol in scope.get_symbols()
                     if symbol.is_referenced() and symbol.is_global())
    return names


def imported_modules(sources):
    """Absolute module names the import statements of ``sources`` name (in order, once each)."""
    found = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
    return list(dict.fromkeys(found))


def _immutable_literal(node):
    """True for numbers, strings, bytes, True/False/None, and tuples of them (``-1`` and ``1e-3`` too)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, ast.Tuple):
        return all(_immutable_literal(element) for element in node.elts)
    return False


def stored_names(statement):
    """Names a top-level statement binds in the module namespace (whatever its kind)."""
    names = set()
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names if alias.name != "*"}
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}

    def visit(node):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(stored_names(node))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif not isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            for child in ast.iter_child_nodes(node):
                visit(child)
    visit(statement)
    return names


def bound_names(statement):
    """Names a replayable statement binds (empty when the judge must not replay it)."""
    if isinstance(statement, ast.Import):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    if isinstance(statement, ast.ImportFrom):
        if any(alias.name == "*" for alias in statement.names) or statement.level:
            return set()
        return {alias.asname or alias.name for alias in statement.names}
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
        if not _immutable_literal(statement.value):
            return set()
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        names = set()
        for target in targets:
            elements = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
            if not all(isinstance(element, ast.Name) for element in elements):
                return set()
            names |= {element.id for element in elements}
        return names
    return set()


# proxies --------------------------------------------------------------------------------------
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


def _make_remote(handle_node, cls=RemoteObject):
    proxy = object.__new__(cls)
    object.__setattr__(proxy, "_grading_handle", handle_node["id"])
    object.__setattr__(proxy, "__grading_origin__", {key: handle_node.get(key) for key in ("kind", "module",
                                                                                           "qualname")})
    if cls is RemoteFunction:
        object.__setattr__(proxy, "__name__", str(handle_node.get("qualname", "")).split(".")[-1])
        object.__setattr__(proxy, "__qualname__", str(handle_node.get("qualname", "")))
        object.__setattr__(proxy, "__module__", str(handle_node.get("module", "")))
    return proxy


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


def _trusted_class(module, qualname):
    """The judge's own class ``module.qualname`` when ``module`` is part of mlp, else None."""
    if not (module == "mlp" or module.startswith("mlp.")):
        return None
    found = _lookup(module, qualname)
    return found if isinstance(found, type) else None


def _trusted_named_object(node):
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
        trusted_base = _trusted_class(str(module), str(qualname))
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


# encoding policies ------------------------------------------------------------------------------
class _JudgePolicy:
    """Sends proxies as the handles they stand for, and trusted objects by value; reads replies."""

    def __init__(self, judge, sent=()):
        self.judge = judge
        self.sent = sent

    def encode_early(self, value, encoder):
        if isinstance(value, RemoteObject):
            return {"t": "handle", "id": value._grading_handle}
        if isinstance(value, type) and "_grading_class_handle" in vars(value):
            return {"t": "handle", "id": value._grading_class_handle}
        return None

    def encode_object(self, value, encoder, depth):
        cls = type(value)
        module = getattr(cls, "__module__", "") or ""
        trusted = _trusted_class(module, cls.__qualname__) is cls or (
            module == "__main__" and self.judge.namespace.get(cls.__qualname__) is cls)
        if trusted and type(getattr(value, "__dict__", None)) is dict:
            node = encoder.remember(value, {"t": "object", "module": module, "qualname": cls.__qualname__})
            node["state"] = encoder.encode(dict(vars(value)), depth + 1)
            return node
        raise wire.WireError(f"the grader cannot send a {cls.__module__}.{cls.__qualname__} to the notebook's code")

    def decode_object(self, node, decoder, depth):
        tag = node["t"]
        if tag == "same":
            index = node.get("k")
            if type(index) is not int or not 0 <= index < len(self.sent):
                raise wire.WireError(f"a reply names argument {index!r}")
            return self.sent[index]
        if tag == "handle":
            return self.judge.proxy(node)
        if tag == "object":
            module, qualname = str(node.get("module")), str(node.get("qualname"))
            cls = _trusted_class(module, qualname)
            if cls is None and module == "__main__":
                cls = self.judge.instructor_class(qualname)
            if cls is None:
                placeholder = decoder.remember(node, None)
                decoder.decode(node.get("state"), depth + 1)  # keeps the memo numbers in step
                del placeholder
                handle = {"t": "handle", "id": node.get("handle"), "kind": "object", "module": module,
                          "qualname": qualname, "class": node.get("class")}
                proxy = self.judge.proxy(handle)
                decoder.kept[node["m"]] = proxy
                return proxy
            try:
                instance = cls.__new__(cls)
            except TypeError as error:
                raise wire.WireError(f"cannot rebuild a {qualname}: {error}") from None
            decoder.remember(node, instance)
            state = decoder.decode(node.get("state"), depth + 1)
            if type(state) is not dict or not all(type(key) is str for key in state):
                raise wire.WireError("an object's state must be a dict with string keys")
            vars(instance).update(state)
            return instance
        if tag == "module":
            return self.judge.proxy(node)
        raise wire.WireError(f"unknown node {tag!r}")


def _write_back(target, new):
    """Apply a change the student's code made in place to the judge's original ``target``."""
    if isinstance(target, np.ndarray):
        if isinstance(new, np.ndarray) and new.shape == target.shape and target.flags.writeable:
            np.copyto(target, new, casting="unsafe")
    elif type(target) is list and type(new) is list:
        target[:] = new
    elif type(target) is dict and type(new) is dict:
        target.clear()
        target.update(new)
    elif isinstance(target, np.random.Generator) and isinstance(new, np.random.Generator):
        target.bit_generator.state = new.bit_generator.state
    elif type(new) is type(target) and type(getattr(target, "__dict__", None)) is dict:
        vars(target).clear()
        vars(target).update(vars(new))


def _copy_arrays(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if type(value) in (list, tuple):
        return [_copy_arrays(item) for item in value], tuple(map(id, value))
    return None


def _changed(value, snapshot):
    if isinstance(value, np.ndarray):
        return value.shape != snapshot.shape or not np.array_equal(value, snapshot, equal_nan=True)
    items, identities = snapshot
    if tuple(map(id, value)) != identities:
        return True
    return any(copy is not None and _changed(item, copy) for item, copy in zip(value, items, strict=True))


def _holds_arrays(value):
    return isinstance(value, np.ndarray) or (type(value) in (list, tuple) and value and all(
        isinstance(item, np.ndarray) for item in value))


# the judge -------------------------------------------------------------------------------------
class Judge:
    """Prepares the judge kernel's namespace for each test cell and talks to the student's agent."""

    def __init__(self, shell, path):
        self.shell = shell
        self.namespace = shell.user_ns
        self.path = path
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        os.chmod(path, 0o600)
        self.listener.listen(4)
        self.connection = None
        self.proxies = {}
        self.statements = []  # (names, statement) the instructor's cells define, in notebook order
        self.replayed = set()
        self.remote = {}  # names bound to values from the student, and those values
        self.nested = set()  # names trusted code reads when its functions run
        self.mirrors = {}  # id(proxy) -> (proxy, {attribute: (value, snapshot)})
        self._class_names = set()

    @staticmethod
    def warm_up(modules):
        """Import ``modules`` now (the grader asks while the student's cells run, so that a test cell does
        not wait for them); a module that cannot be imported is left for the test cell to report."""
        for name in modules:
            try:
                importlib.import_module(str(name))
            except Exception:  # noqa: BLE001 -- the test cell that imports it shows the error itself
                continue

    # instructor cells -----------------------------------------------------------------------
    def remember(self, source):
        """Note the statements of an instructor's cell that the judge may replay when needed."""
        tree = self._parse(source)
        for statement in tree.body if tree is not None else []:
            names = bound_names(statement)
            if names:
                self.statements.append((names, statement))
            else:  # bound by code the judge does not run: the student kernel's value counts
                others = stored_names(statement)
                if others:
                    self.statements.append((others, None))

    def instructor_class(self, name):
        """The judge's own copy of a class an instructor's cell defines (replayed now if need be), or None."""
        index = next((i for i in range(len(self.statements) - 1, -1, -1) if name in self.statements[i][0]), None)
        if index is None or not isinstance(self.statements[index][1], ast.ClassDef):
            return None
        if index not in self.replayed:
            self._replay(index, set())
        found = self.namespace.get(name)
        return found if isinstance(found, type) and name in self._class_names and name not in self.remote else None

    def _parse(self, source):
        try:
            return ast.parse(self.shell.transform_cell(source))
        except SyntaxError:
            return None

    def _replay(self, index, visiting):
        names, statement = self.statements[index]
        self.replayed.add(index)
        top_level, nested = free_names(ast.Module(body=[statement], type_ignores=[]))
        self._bind(top_level | nested, visiting)
        self.nested |= nested
        try:
            exec(compile(ast.Module(body=[statement], type_ignores=[]), "<instructor cell>", "exec"), self.namespace)
        except Exception as error:  # noqa: BLE001 -- a statement that cannot be replayed is fetched instead
            print(f"[judge] could not replay {sorted(names)}: {type(error).__name__}: {error}", file=sys.stderr)
            return
        for name in names:
            self.remote.pop(name, None)
            if isinstance(statement, ast.ClassDef):
                self._class_names.add(name)

    def _bind(self, names, visiting=None):
        visiting = set() if visiting is None else visiting
        wanted = []
        for name in sorted(names):
            if name in visiting or (name in self.namespace and name not in self.remote):
                continue
            visiting.add(name)
            index = next((i for i in range(len(self.statements) - 1, -1, -1) if name in self.statements[i][0]), None)
            if index is not None and self.statements[index][1] is not None and index not in self.replayed:
                self._replay(index, visiting)
                if name in self.namespace and name not in self.remote:
                    continue
            if hasattr(builtins, name):
                continue
            wanted.append(name)
        if not wanted:
            return
        values = self.request({"op": "resolve", "names": wanted})
        for name in wanted:
            if name in values:
                self.namespace[name] = values[name]
                self.remote[name] = values[name]
            elif name in self.remote:
                del self.remote[name]
                self.namespace.pop(name, None)

    # one test cell -------------------------------------------------------------------------
    def prepare(self, source, timeout=30.0):
        """Open the channel and bind every name the test cell needs (see the module docstring)."""
        self._open(timeout)
        tree = self._parse(source)
        if tree is None:
            return
        top_level, nested = free_names(tree)
        for name in list(self.remote):
            if name not in top_level | nested | self.nested:
                self.namespace.pop(name, None)
                del self.remote[name]
        self._bind(top_level | nested | self.nested | set(self.remote))
        self.nested |= nested

    def finish(self):
        """Close the channel after a test cell; names the cell rebound are trusted from now on."""
        for name, value in list(self.remote.items()):
            if self.namespace.get(name, self) is not value:
                del self.remote[name]
        if self.connection is not None:
            try:
                wire.send(self.connection, {"op": "done"})
            except OSError:
                pass
            self.connection.close()
            self.connection = None

    def _open(self, timeout):
        if self.connection is not None:
            self.connection.close()
        self.listener.settimeout(timeout)
        try:
            self.connection, _ = self.listener.accept()
        except OSError:
            self.connection = None
            raise ChannelError("the notebook's kernel did not answer the grader (it is busy, hung or broken)") from None
        self.connection.settimeout(None)

    # requests ----------------------------------------------------------------------------------
    def request(self, header, **values):
        """Send one request (``values`` encoded into it) and return the decoded reply value."""
        return self._exchange(header, values)[0]

    def call(self, handle, args, kwargs, name=None, watch=None):
        # NumPy's floating-point error handling is part of what a test sets around a call
        # (``with np.errstate(over="raise")``): the call runs under the judge's settings.
        header = {"op": "call", "target": handle, "name": name, "errstate": np.geterr()}
        if watch is not None:
            header["watch"] = watch
            value, reply = self._exchange(header, {"args": list(args), "kwargs": dict(kwargs)}, call=True)
            return value, set(reply.get("entered", []))
        return self._exchange(header, {"args": list(args), "kwargs": dict(kwargs)}, call=True)[0]

    def _exchange(self, header, values, call=False):
        if self.connection is None:
            raise ChannelError("the grader has no channel to the notebook's kernel")
        self._sync_mirrors()
        encoder = wire.Encoder(_JudgePolicy(self))
        for key, value in values.items():
            header[key] = encoder.encode(value)
        try:
            wire.send(self.connection, header, encoder.blobs)
            reply, blobs = wire.receive(self.connection)
        except (OSError, EOFError, wire.WireError) as error:
            self.connection = None
            raise ChannelError(f"the notebook's kernel stopped answering ({type(error).__name__})") from None
        if type(reply) is not dict:
            raise ChannelError("the notebook's kernel sent something that is not a reply")
        if not reply.get("ok"):
            error = reply.get("error") if type(reply.get("error")) is dict else {}
            if error.get("wire"):
                raise ChannelError("the notebook's kernel could not take a value the test sent")
            raise student_exception(str(error.get("type", "Exception"))[:100], bool(error.get("builtin")))
        decoder = wire.Decoder(blobs, _JudgePolicy(self, encoder.kept if call else ()))
        try:
            value = decoder.decode(reply.get("value"))
            updates = [(entry["k"], decoder.decode(entry["v"])) for entry in reply.get("writeback", [])]
        except (KeyError, TypeError, wire.WireError) as error:
            raise ChannelError(f"the notebook's kernel sent a reply that is not plain data ({error})") from None
        for index, new in updates:
            if type(index) is int and 0 <= index < len(encoder.kept):
                _write_back(encoder.kept[index], new)
        return value, reply

    # proxies -----------------------------------------------------------------------------------
    def proxy(self, node):
        """The proxy for a handle node (one per student object, so ``is`` works)."""
        handle = node.get("id")
        if handle in self.proxies:
            return self.proxies[handle]
        kind = node.get("kind")
        trusted = _trusted_named_object(node)
        if trusted is not None:
            return trusted
        if kind == "module" or node.get("t") == "module":
            try:
                proxy = importlib.import_module(str(node.get("name")))
            except ImportError:
                proxy = _make_remote(node)
        elif kind == "class":
            proxy = make_proxy_class(node)
        elif kind == "function":
            proxy = _make_remote(node, RemoteFunction)
        else:
            class_node = node.get("class")
            cls = self.proxy(class_node) if type(class_node) is dict and class_node.get("kind") == "class" else None
            proxy = _make_remote(node, cls if isinstance(cls, type) and issubclass(cls, RemoteObject) else RemoteObject)
        self.proxies[handle] = proxy
        return proxy

    def mirror(self, proxy, name, value):
        """Keep arrays read from a student object, to send them back if the judge changes them."""
        if _holds_arrays(value):
            self.mirrors.setdefault(id(proxy), (proxy, {}))[1][name] = (value, _copy_arrays(value))

    def forget_mirror(self, proxy, name):
        entry = self.mirrors.get(id(proxy))
        if entry is not None:
            entry[1].pop(name, None)

    def _sync_mirrors(self):
        for proxy, attributes in list(self.mirrors.values()):
            for name, (value, snapshot) in list(attributes.items()):
                if _changed(value, snapshot):
                    attributes[name] = (value, _copy_arrays(value))
                    encoder = wire.Encoder(_JudgePolicy(self))
                    header = {"op": "setattr", "target": proxy._grading_handle, "name": name,
                              "value": encoder.encode(value)}
                    wire.send(self.connection, header, encoder.blobs)
                    reply, _ = wire.receive(self.connection)
                    if not reply.get("ok"):
                        raise ChannelError(f"the notebook's object did not take its changed {name}")


def install(shell, path):
    """Create the judge listening at ``path`` (called once, in the judge kernel)."""
    global _JUDGE
    _JUDGE = Judge(shell, path)
    return _JUDGE
