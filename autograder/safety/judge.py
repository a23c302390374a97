"""The trusted side of grading: test cells run here, in a kernel that no student code reaches.

The grader starts a second kernel per notebook, the *judge*, installs this module there with the
modules it builds on (:func:`kernel_modules`, each sent as source text), and binds a :class:`Judge`
in it. Student cells run in the student's kernel; each test cell runs in the judge, so its
assertions, its messages and its verdict never pass through the student's process. Before a test
cell the grader calls :meth:`Judge.prepare` with the cell's source: the judge

1. finds the names the cell (and trusted code defined before it) reads but does not bind
   (:mod:`autograder.notebooks.source_names`);
2. binds those the instructor's locked cells define *by a statement it can replay itself* --
   imports, ``def``, ``class`` and literal constants (``SEED = 0``) -- by running that statement
   here (lazily, so an unused ``import matplotlib`` costs nothing);
3. asks the agent in the student's kernel (:mod:`autograder.safety.agent`) for the rest: plain data comes
   by value; the student's functions, classes and objects come as proxies
   (:mod:`autograder.safety.proxies`) whose calls cross the channel with their arguments and results
   as plain data (arrays changed in place are written back, :mod:`autograder.safety.in_place`, so
   ``update(params)`` behaves as in one process).

While the student's cells run, the grader has the judge import the modules the test cells import
(:func:`imported_modules`, :meth:`Judge.warm_up`), so a test cell does not wait for them.

Objects of ``mlp`` classes, and of the instructor's notebook classes, are rebuilt here from their
state (the judge's wire policy, :class:`_JudgePolicy`), so their methods are the trusted ones (a
model built by ``build_cnn`` trains here, calling only the student's functions across the
channel). Names a test cell binds stay trusted; names that came from the student are fetched again
before every test cell. Exceptions raised by student code arrive as their class (a subclass of
:class:`StudentCodeError` and of the builtin of that name) with the kit's message, never the
student's text.

Installed by source, this module imports only the standard library, NumPy and its sibling modules
(``sys.modules.get("autograder_<name>")`` in the judge kernel, the package's module elsewhere).
"""

import ast
import builtins
import importlib
import os
import socket
import sys

import numpy as np

wire = sys.modules.get("autograder_wire") or importlib.import_module("autograder.safety.wire")
source_names = (sys.modules.get("autograder_source_names")
                or importlib.import_module("autograder.notebooks.source_names"))
proxies = sys.modules.get("autograder_proxies") or importlib.import_module("autograder.safety.proxies")
in_place = sys.modules.get("autograder_in_place") or importlib.import_module("autograder.safety.in_place")

# what the judge uses of the static analysis, and what the grader asks it for (imported_modules)
free_names, stored_names, bound_names = source_names.free_names, source_names.stored_names, source_names.bound_names
imported_modules = source_names.imported_modules
RemoteObject = proxies.RemoteObject


def kernel_modules():
    """The modules the grader installs in the judge kernel by source, each after the modules it imports."""
    return (wire, source_names, proxies, in_place, sys.modules[__name__])


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


# the judge's wire policy -------------------------------------------------------------------------
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
        trusted = proxies.trusted_class(module, cls.__qualname__) is cls or (
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
            cls = proxies.trusted_class(module, qualname)
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
                in_place.write_back(encoder.kept[index], new)
        return value, reply

    # proxies -----------------------------------------------------------------------------------
    def proxy(self, node):
        """The proxy for a handle node (one per student object, so ``is`` works)."""
        handle = node.get("id")
        if handle in self.proxies:
            return self.proxies[handle]
        trusted = proxies.trusted_named_object(node)
        if trusted is not None:  # the judge's own function or class: not a proxy, not remembered
            return trusted
        proxy = proxies.new_proxy(node, self.proxy)
        self.proxies[handle] = proxy
        return proxy

    def mirror(self, proxy, name, value):
        """Keep arrays read from a student object, to send them back if the judge changes them."""
        if in_place.holds_arrays(value):
            self.mirrors.setdefault(id(proxy), (proxy, {}))[1][name] = (value, in_place.snapshot(value))

    def forget_mirror(self, proxy, name):
        entry = self.mirrors.get(id(proxy))
        if entry is not None:
            entry[1].pop(name, None)

    def _sync_mirrors(self):
        for proxy, attributes in list(self.mirrors.values()):
            for name, (value, snapshot) in list(attributes.items()):
                if in_place.changed(value, snapshot):
                    attributes[name] = (value, in_place.snapshot(value))
                    encoder = wire.Encoder(_JudgePolicy(self))
                    header = {"op": "setattr", "target": proxy._grading_handle, "name": name,
                              "value": encoder.encode(value)}
                    wire.send(self.connection, header, encoder.blobs)
                    reply, _ = wire.receive(self.connection)
                    if not reply.get("ok"):
                        raise ChannelError(f"the notebook's object did not take its changed {name}")


def install(shell, path):
    """Create the judge listening at ``path`` (called once, in the judge kernel)."""
    judge = Judge(shell, path)
    proxies.use_judge(judge)
    return judge
