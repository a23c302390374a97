"""What crosses between the judge and the student's kernel: plain data, never code.

The judge (the trusted kernel that runs test cells) and the agent in the student's kernel talk
over a Unix socket. Every value travels as a JSON tree plus binary blobs; arrays are ``.npy``
bytes written and read with ``allow_pickle=False``, so no message can make the reader run code
or build an object of the sender's choosing. Each side decides what an unknown object becomes
through a *policy* (``encode_object`` / ``decode_object``): the agent sends objects of ``mlp``
classes and of notebook classes by value where their state is plain data, and anything else as a
*handle* (a number naming an object that stays in the student's kernel); the judge rebuilds
by-value objects only from classes it trusts and turns handles into proxies.

Node forms (``t`` is the tag)::

    None, bool, int, float, str          themselves
    {"t": "array", "b": i}               blob i is .npy bytes (no object dtype)
    {"t": "scalar", "b": i}              a NumPy scalar, as a 0-d .npy array
    {"t": "complex", "v": [re, im]}
    {"t": "list"|"tuple"|"set"|"frozenset", "v": [...]}
    {"t": "dict", "v": [[key, value], ...]}
    {"t": "slice", "v": [start, stop, step]}, {"t": "ellipsis"}
    {"t": "dtype", "v": "<f4"}, {"t": "nptype", "v": "<f4"}   np.dtype objects and scalar types
    {"t": "generator", "bit": "PCG64", "state": node}        np.random.Generator
    {"t": "ref", "m": k}                 the k-th list/dict/array/generator/object of this message
    anything else                        left to the policy ("object", "handle", "same", ...)

A framed message is ``HEADER_LENGTH`` (8 bytes, big-endian), the UTF-8 JSON header, the number
of blobs (8 bytes), then each blob as its length (8 bytes) and bytes.
"""

import io
import json
import struct

import numpy as np

MAX_MESSAGE_BYTES = 1 << 30
MAX_BLOBS = 1 << 20
MAX_DEPTH = 200
GENERATOR_BITS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
_LENGTH = struct.Struct(">Q")


class WireError(ValueError):
    """A message that is not of the form above, or a value that cannot be sent."""


def _is_array(value):
    return isinstance(value, np.ndarray)


def _is_numpy_scalar(value):
    return isinstance(value, np.generic) and not isinstance(value, np.object_)


def _is_dict(value):
    return isinstance(value, dict)


def _is_list(value):
    return isinstance(value, list)


def _is_plain_collection(value):
    """A tuple, set or frozenset (a subclass only without instance attributes: a namedtuple, not a record)."""
    return isinstance(value, (tuple, set, frozenset)) and not hasattr(value, "__dict__")


def _is_slice(value):
    return type(value) is slice


def _is_ellipsis(value):
    return value is Ellipsis


def _is_dtype(value):
    return type(value) is np.dtype or isinstance(value, np.dtype)


def _is_numpy_scalar_type(value):
    return isinstance(value, type) and issubclass(value, np.generic) and value is not np.object_


def _is_known_generator(value):
    return type(value) is np.random.Generator and type(value.bit_generator).__name__ in GENERATOR_BITS


class Encoder:
    """Turns one message's values into nodes and blobs; ``kept[k]`` is the k-th remembered object."""

    def __init__(self, policy=None):
        self.policy = policy
        self.blobs = []
        self.kept = []
        self._memo = {}

    def remember(self, value, node):
        """Give ``value`` the next memo number (so later occurrences become refs)."""
        node["m"] = len(self.kept)
        self._memo[id(value)] = node["m"]
        self.kept.append(value)
        return node

    def blob(self, data):
        self.blobs.append(data)
        return len(self.blobs) - 1

    def encode(self, value, depth=0):
        if depth > MAX_DEPTH:
            raise WireError(f"values nested deeper than {MAX_DEPTH} levels cannot be sent")
        kind = type(value)
        if value is None or kind in (bool, int, float, str):
            return value
        if kind is complex:
            return {"t": "complex", "v": [value.real, value.imag]}
        memo = self._memo.get(id(value))
        if memo is not None:
            return {"t": "ref", "m": memo}
        if self.policy is not None:
            early = self.policy.encode_early(value, self)
            if early is not None:
                return early
        for accepts, encode_kind in self._BY_KIND:
            if accepts(value):
                return encode_kind(self, value, depth)
        return self._object(value, depth)

    def _array(self, value, depth):
        if value.dtype.hasobject:
            return self._object(value, depth)
        return self.remember(value, {"t": "array", "b": self.blob(_npy_bytes(value.view(np.ndarray)))})

    def _numpy_scalar(self, value, depth):
        return {"t": "scalar", "b": self.blob(_npy_bytes(np.asarray(value)))}

    def _dict(self, value, depth):
        node = self.remember(value, {"t": "dict"})
        node["v"] = [[self.encode(key, depth + 1), self.encode(item, depth + 1)] for key, item in value.items()]
        return node

    def _list(self, value, depth):
        node = self.remember(value, {"t": "list"})
        node["v"] = [self.encode(item, depth + 1) for item in value]
        return node

    def _collection(self, value, depth):
        tag = "tuple" if isinstance(value, tuple) else ("set" if isinstance(value, set) else "frozenset")
        return {"t": tag, "v": [self.encode(item, depth + 1) for item in value]}

    def _slice(self, value, depth):
        return {"t": "slice", "v": [self.encode(part, depth + 1) for part in (value.start, value.stop, value.step)]}

    def _ellipsis(self, value, depth):
        return {"t": "ellipsis"}

    def _dtype(self, value, depth):
        if value.fields is not None or value.hasobject:
            return self._object(value, depth)
        return {"t": "dtype", "v": value.str}

    def _numpy_scalar_type(self, value, depth):
        return {"t": "nptype", "v": np.dtype(value).str}

    def _generator(self, value, depth):
        node = self.remember(value, {"t": "generator", "bit": type(value.bit_generator).__name__})
        node["state"] = self.encode(value.bit_generator.state, depth + 1)
        return node

    def _object(self, value, depth):
        if self.policy is None:
            raise WireError(f"a {type(value).__name__} cannot be sent as plain data")
        return self.policy.encode_object(value, self, depth)

    # the first kind that accepts a value encodes it (the order matters: an array is not a scalar type)
    _BY_KIND = ((_is_array, _array), (_is_numpy_scalar, _numpy_scalar), (_is_dict, _dict), (_is_list, _list),
                (_is_plain_collection, _collection), (_is_slice, _slice), (_is_ellipsis, _ellipsis),
                (_is_dtype, _dtype), (_is_numpy_scalar_type, _numpy_scalar_type), (_is_known_generator, _generator))


class Decoder:
    """Turns nodes and blobs back into values; ``kept[k]`` mirrors the encoder's numbering."""

    def __init__(self, blobs, policy=None):
        self.blobs = blobs
        self.policy = policy
        self.kept = []

    def remember(self, node, value):
        if node.get("m") != len(self.kept):
            raise WireError(f"memo numbers out of order: expected {len(self.kept)}, got {node.get('m')!r}")
        self.kept.append(value)
        return value

    def blob(self, node):
        index = node.get("b")
        if type(index) is not int or not 0 <= index < len(self.blobs):
            raise WireError(f"a node names blob {index!r}; the message has {len(self.blobs)}")
        return self.blobs[index]

    def decode(self, node, depth=0):
        if depth > MAX_DEPTH:
            raise WireError(f"a message nested deeper than {MAX_DEPTH} levels")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is not dict or type(node.get("t")) is not str:
            raise WireError(f"expected a tagged node, got {type(node).__name__}")
        tag = node["t"]
        decode_tag = self._BY_TAG.get(tag)
        if decode_tag is not None:
            return decode_tag(self, node, depth)
        if self.policy is None:
            raise WireError(f"unknown node {tag!r}")
        return self.policy.decode_object(node, self, depth)

    def _ref(self, node, depth):
        memo = node.get("m")
        if type(memo) is not int or not 0 <= memo < len(self.kept):
            raise WireError(f"a reference to unknown value {memo!r}")
        return self.kept[memo]

    def _array(self, node, depth):
        return self.remember(node, _load_npy(self.blob(node)))

    def _scalar(self, node, depth):
        array = _load_npy(self.blob(node))
        if array.ndim != 0:
            raise WireError(f"a scalar node holds an array of shape {array.shape}")
        return array[()]

    def _complex(self, node, depth):
        real, imaginary = self._items(node, depth)
        return complex(float(real), float(imaginary))

    def _list(self, node, depth):
        result = self.remember(node, [])
        result.extend(self.decode(item, depth + 1) for item in self._items(node, depth))
        return result

    def _dict(self, node, depth):
        result = self.remember(node, {})
        for pair in self._items(node, depth):
            if type(pair) is not list or len(pair) != 2:
                raise WireError("a dict entry is not a [key, value] pair")
            key = self.decode(pair[0], depth + 1)
            try:
                result[key] = self.decode(pair[1], depth + 1)
            except TypeError as error:
                raise WireError(f"a dict key that cannot be hashed: {error}") from None
        return result

    def _collection(self, node, depth):
        items = [self.decode(item, depth + 1) for item in self._items(node, depth)]
        try:
            return {"tuple": tuple, "set": set, "frozenset": frozenset}[node["t"]](items)
        except TypeError as error:
            raise WireError(f"a set member that cannot be hashed: {error}") from None

    def _slice(self, node, depth):
        parts = [self.decode(part, depth + 1) for part in self._items(node, depth)]
        if len(parts) != 3:
            raise WireError("a slice node needs [start, stop, step]")
        return slice(*parts)

    def _ellipsis(self, node, depth):
        return Ellipsis

    def _dtype(self, node, depth):
        try:
            dtype = np.dtype(str(node.get("v")))
        except TypeError as error:
            raise WireError(f"not a dtype: {error}") from None
        if dtype.hasobject or dtype.fields is not None:
            raise WireError("object and structured dtypes cannot be sent")
        return dtype if node["t"] == "dtype" else dtype.type

    def _generator(self, node, depth):
        bit = node.get("bit")
        if bit not in GENERATOR_BITS:
            raise WireError(f"unknown bit generator {bit!r}")
        generator = self.remember(node, np.random.Generator(getattr(np.random, bit)()))
        try:
            generator.bit_generator.state = self.decode(node.get("state"), depth + 1)
        except (TypeError, ValueError, KeyError) as error:
            raise WireError(f"a bit generator state that numpy refuses: {error}") from None
        return generator

    def _items(self, node, depth):
        items = node.get("v")
        if type(items) is not list:
            raise WireError(f"a {node['t']} node needs a list of items")
        return items

    # the node forms of the module docstring; any other tag is the policy's
    _BY_TAG = {"ref": _ref, "array": _array, "scalar": _scalar, "complex": _complex, "list": _list, "dict": _dict,
               "tuple": _collection, "set": _collection, "frozenset": _collection, "slice": _slice,
               "ellipsis": _ellipsis, "dtype": _dtype, "nptype": _dtype, "generator": _generator}


def _npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _load_npy(data):
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise WireError(f"an array blob that is not .npy data without objects: {error}") from None
    if not isinstance(array, np.ndarray):
        raise WireError("an array blob is not a single array")
    return array


def pack(header, blobs):
    """One framed message (see the module docstring)."""
    text = json.dumps(header, separators=(",", ":"), allow_nan=True).encode()
    parts = [_LENGTH.pack(len(text)), text, _LENGTH.pack(len(blobs))]
    for data in blobs:
        parts += [_LENGTH.pack(len(data)), data]
    return b"".join(parts)


def send(connection, header, blobs=()):
    connection.sendall(pack(header, list(blobs)))


def _read_exactly(connection, count, budget):
    if count > budget[0]:
        raise WireError(f"a message larger than {MAX_MESSAGE_BYTES} bytes")
    budget[0] -= count
    chunks, left = [], count
    while left:
        chunk = connection.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(connection, limit=MAX_MESSAGE_BYTES):
    """Read one framed message: ``(header, blobs)``; raises WireError past ``limit`` bytes."""
    budget = [limit]
    (length,) = _LENGTH.unpack(_read_exactly(connection, 8, budget))
    try:
        header = json.loads(_read_exactly(connection, length, budget).decode())
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise WireError(f"a header that is not JSON: {error}") from None
    (count,) = _LENGTH.unpack(_read_exactly(connection, 8, budget))
    if count > MAX_BLOBS:
        raise WireError(f"a message with {count} blobs")
    blobs = []
    for _ in range(count):
        (size,) = _LENGTH.unpack(_read_exactly(connection, 8, budget))
        blobs.append(_read_exactly(connection, size, budget))
    return header, blobs
