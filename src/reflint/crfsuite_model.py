"""crfsuite's model file, read directly: its labels, attributes and feature weights.

``reflint.decoder`` tags with these weights in numpy. Reading the binary file (crfsuite's
``crf1d`` model: a header, a feature chunk, and two CQDB string databases) gives the exact
float64 weights, in a few milliseconds; crfsuite's text dump, read before, printed them to
six decimals and took longer to write and parse than the tagging of a small document.
``tests/test_parse.py`` holds the weights to that dump and the labels to crfsuite's tagger.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

_HEADER = struct.Struct("<4sI4sIIIIIIIII")  # magic, size, type, version, 3 counts, 5 offsets
_CHUNK = struct.Struct("<4sII")  # id, size, number of items
_CQDB = struct.Struct("<4sIIIII")  # id, size, flag, byte-order check, ids, offset of the id index
_BYTE_ORDER = 0x62445371
# one feature: type (0: attribute -> label, 1: label -> label), source, destination, weight
FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])


class ModelError(ValueError):
    """Not a crfsuite CRF model file (or one of a layout this reader does not know)."""


@dataclass
class Model:
    labels: list[str]  # by label id
    attributes: list[str]  # by attribute id: "0w=smith", "1shape=Xx", ...
    features: np.ndarray  # of FEATURE


def _strings(data: bytes, at: int) -> list[str]:
    """The strings of the CQDB database at ``at``, by id (its index maps id -> record)."""
    chunk, _, _, order, count, index = _CQDB.unpack_from(data, at)
    if chunk != b"CQDB" or order != _BYTE_ORDER:
        raise ModelError("no string database where the header points")
    out = []
    for ident, offset in enumerate(struct.unpack_from(f"<{count}I", data, at + index)):
        found, size = struct.unpack_from("<II", data, at + offset)  # the key's size counts its NUL
        if found != ident:
            raise ModelError(f"string {ident} is stored as {found}")
        out.append(data[at + offset + 8 : at + offset + 7 + size].decode("utf-8"))
    return out


def read(path: str) -> Model:
    """The model in the crfsuite file at ``path``."""
    with open(path, "rb") as model:
        data = model.read()
    try:
        return _parse(data, path)
    except ModelError:
        raise
    except (struct.error, ValueError) as exc:  # an offset past the end, a string not UTF-8, ...
        raise ModelError(f"{path}: damaged crfsuite model ({exc}) - retrain it or reinstall reflint") from None


def _parse(data: bytes, path: str) -> Model:
    if len(data) < _HEADER.size:
        raise ModelError(f"{path}: too short for a crfsuite model")
    magic, _, kind, _, _, _, _, features, labels, attributes, _, _ = _HEADER.unpack_from(data)
    if magic != b"lCRF" or kind != b"FOMC":
        raise ModelError(f"{path}: not a crfsuite first-order CRF model")
    chunk, _, count = _CHUNK.unpack_from(data, features)
    if chunk != b"FEAT":
        raise ModelError(f"{path}: no feature chunk where the header points")
    weights = np.frombuffer(data, dtype=FEATURE, count=count, offset=features + _CHUNK.size).copy()
    return Model(_strings(data, labels), _strings(data, attributes), weights)
