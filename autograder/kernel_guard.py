"""Code that runs *inside* a grading kernel to undo what student code may have rebound.

:class:`autograder.guarded_execute.GuardedExecute` sends the source of this module to the kernel
(it is never imported by the grader's own processes) right after the kernel starts, before any
notebook cell, and calls :func:`install` with a per-run secret name. The guard then

- snapshots, while no student code has run yet, the modules a test relies on (``builtins``,
  ``math``, ``operator``, ``functools``, ``inspect``, NumPy, ``mlp``...): every module attribute,
  the attributes of the classes they define, and the code objects of their functions; the sys
  hooks (``displayhook``, ``excepthook``, ``stdout``, ``stderr``); and the IPython shell's
  execution machinery (its classes, ``custom_exceptions``, ``compile``, AST and input
  transformers, event callbacks);
- after every instructor cell, records the names that cell bound to modules and to NumPy /
  ``mlp.testing`` / ``mlp.gradcheck`` / builtin callables (``np``, ``assert_close``...);
- before every graded test cell, restores all of it: ``np.allclose = lambda *a, **k: True``,
  ``np = fake``, ``mlp.testing.assert_close = ...``, a replaced ``showtraceback``, a custom
  exception handler or an AST transformer that strips asserts no longer apply to the test.

Student code that runs *during* a test cell can still interfere with that cell; the grader's
per-cell checks (execute-reply status, completion marker) and the static review cover that.
"""

PROTECTED_ROOTS = ("builtins", "math", "cmath", "operator", "functools", "itertools", "inspect", "types",
                   "numbers", "numpy", "mlp")
PROTECTED_IMPORTS = ("numpy", "numpy.testing", "mlp", "mlp.testing", "mlp.gradcheck", "mlp.numerics", "inspect",
                     "math", "operator", "functools")
NAME_ROOTS = ("numpy", "mlp.testing", "mlp.gradcheck", "builtins", "math")
SYS_HOOKS = ("displayhook", "excepthook", "stdout", "stderr", "stdin", "breakpointhook", "unraisablehook")
SHELL_STATE = ("custom_exceptions", "CustomTB", "compile", "displayhook", "display_pub", "display_formatter",
               "ast_node_interactivity")


def install(secret_name):
    """Create the guard, snapshot the kernel's pristine state and publish the guard as ``builtins.<secret_name>``."""
    import builtins
    import importlib
    import sys
    import threading
    import types

    def is_function(value):
        return isinstance(value, types.FunctionType)

    class Guard:
        """Snapshot of the kernel's state taken before student code ran; ``restore`` puts it back."""

        def __init__(self):
            for name in PROTECTED_IMPORTS:
                try:
                    importlib.import_module(name)
                except Exception:  # noqa: BLE001 -- a module that does not import is not protected
                    pass
            self.modules = {}
            self.classes = {}
            self.code = {}
            for name, module in list(sys.modules.items()):
                if module is None or name.split(".")[0] not in PROTECTED_ROOTS:
                    continue
                namespace = dict(vars(module))
                self.modules[name] = (module, namespace)
                for value in namespace.values():
                    self._remember(value, name)
            self.sys_hooks = {name: getattr(sys, name) for name in SYS_HOOKS if hasattr(sys, name)}
            self.shell = get_ipython()  # noqa: F821 -- the kernel's global
            shell = self.shell
            self.shell_classes = {cls: dict(vars(cls)) for cls in type(shell).__mro__ if cls is not object}
            kernel = getattr(shell, "kernel", None)
            if kernel is not None:
                self.shell_classes.update({cls: dict(vars(cls)) for cls in type(kernel).__mro__ if cls is not object})
            self.shell_instance_keys = set(vars(shell))
            self.shell_state = {name: getattr(shell, name) for name in SHELL_STATE if hasattr(shell, name)}
            self.ast_transformers = list(shell.ast_transformers)
            self.input_transformers_post = list(getattr(shell, "input_transformers_post", []))
            manager = getattr(shell, "input_transformer_manager", None)
            self.transformer_lists = {}
            if manager is not None:
                for attribute in ("cleanup_transforms", "line_transforms", "token_transformers"):
                    if isinstance(getattr(manager, attribute, None), list):
                        self.transformer_lists[attribute] = (manager, list(getattr(manager, attribute)))
            self.callbacks = {event: list(functions) for event, functions in shell.events.callbacks.items()}
            self.names = {}
            self._builtins = builtins
            self._threading = threading

        def _remember(self, value, module_name):
            if isinstance(value, type) and getattr(value, "__module__", "") == module_name:
                if value not in self.classes:
                    self.classes[value] = dict(vars(value))
                    for member in list(vars(value).values()):
                        function = getattr(member, "__func__", member)
                        if is_function(function):
                            self.code[function] = (function.__code__, function.__defaults__, function.__kwdefaults__)
            implementation = getattr(value, "_implementation", None)  # NumPy's array-function dispatchers
            for function in (value, implementation):
                if is_function(function) and function not in self.code:
                    self.code[function] = (function.__code__, function.__defaults__, function.__kwdefaults__)

        def record_names(self, user_namespace):
            """Remember the tools an instructor cell bound (modules, NumPy and test-helper callables)."""
            for name, value in list(user_namespace.items()):
                if name.startswith("_"):
                    continue
                if isinstance(value, types.ModuleType):
                    self.names[name] = value
                    continue
                module = getattr(value, "__module__", None) or ""
                if callable(value) and any(module == root or module.startswith(root + ".") for root in NAME_ROOTS):
                    self.names[name] = value

        def restore(self, user_namespace):
            """Put back everything snapshotted; returns the number of repairs made (for the log)."""
            repairs = 0
            for name, (module, namespace) in self.modules.items():
                if sys.modules.get(name) is not module:
                    sys.modules[name] = module
                    repairs += 1
                current = vars(module)
                for key, value in namespace.items():
                    if current.get(key, self) is not value:
                        try:
                            setattr(module, key, value)
                            repairs += 1
                        except (AttributeError, TypeError):
                            pass
            for cls, namespace in self.classes.items():
                current = dict(vars(cls))
                for key, value in namespace.items():
                    if current.get(key, self) is not value:
                        try:
                            setattr(cls, key, value)
                            repairs += 1
                        except (AttributeError, TypeError):
                            pass
                for key in set(current) - set(namespace):
                    try:
                        delattr(cls, key)
                        repairs += 1
                    except (AttributeError, TypeError):
                        pass
            for function, (code, defaults, keyword_defaults) in self.code.items():
                if function.__code__ is not code:
                    function.__code__ = code
                    repairs += 1
                if function.__defaults__ is not defaults:
                    function.__defaults__ = defaults
                    repairs += 1
                if function.__kwdefaults__ is not keyword_defaults:
                    function.__kwdefaults__ = keyword_defaults
                    repairs += 1
            for name, value in self.sys_hooks.items():
                if getattr(sys, name) is not value:
                    setattr(sys, name, value)
                    repairs += 1
            if sys.gettrace() is not None or sys.getprofile() is not None:
                repairs += 1
            sys.settrace(None)
            sys.setprofile(None)
            self._threading.settrace(None)
            self._threading.setprofile(None)
            repairs += self._restore_shell()
            for name, value in self.names.items():
                if user_namespace.get(name, self) is not value:
                    user_namespace[name] = value
                    repairs += 1
            return repairs

        def _restore_shell(self):
            shell, repairs = self.shell, 0
            for cls, namespace in self.shell_classes.items():
                current = vars(cls)
                for key, value in namespace.items():
                    if current.get(key, self) is not value:
                        try:
                            setattr(cls, key, value)
                            repairs += 1
                        except (AttributeError, TypeError):
                            pass
            for key in set(vars(shell)) - self.shell_instance_keys:
                if callable(getattr(type(shell), key, None)):  # an instance attribute hiding a method
                    delattr(shell, key)
                    repairs += 1
            for name, value in self.shell_state.items():
                if getattr(shell, name) is not value:
                    setattr(shell, name, value)
                    repairs += 1
            shell.ast_transformers[:] = self.ast_transformers
            if hasattr(shell, "input_transformers_post"):
                shell.input_transformers_post[:] = self.input_transformers_post
            for attribute, (manager, items) in self.transformer_lists.items():
                getattr(manager, attribute)[:] = items
            for event, functions in self.callbacks.items():
                shell.events.callbacks[event][:] = functions
            return repairs

    guard = Guard()
    setattr(builtins, secret_name, guard)
    return guard
