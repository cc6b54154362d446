"""The user's own data: a CSV file (upload or `--data PATH`) and points drawn on the plane (carried in the link).

Both become `UserData` (points, labels, problem); `data.make_dataset` splits it into train and test like a generated
set. Every refusal is a `DataError` whose message is one plain sentence naming the line and the cell where it can,
so the page and the CLI show it as it is. Numbers are ASCII only, with the config's own patterns.

CSV: columns `x1,x2,label` (classification, labels 0 to k-1, 2 <= k <= 5) or `x1,x2,y` (regression), comma
separated, header optional (without one, a third column of whole numbers 0..4 is classification, anything else
regression). A UTF-8 byte-order mark and Windows line endings are accepted (spreadsheets write them); blank lines
are skipped.

Drawn points travel in the link as `drawn`: base64url of little-endian int16 triples (x * 100, y * 100, class or
value * 1000) after one byte that says "c" (classes) or "r" (values). Six bytes, eight characters, a point; at most
MAX_DRAWN points.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import NamedTuple

import numpy as np

MAX_BYTES = 1_000_000
MAX_ROWS = 10_000
MIN_ROWS = 4          # a training and a test point at least, and room for two classes on each side
MAX_CLASSES = 5
MAX_DRAWN = 300       # points drawn by hand: 2,400 characters of link at most
DRAWN_SCALE, VALUE_SCALE = 100, 1000
DRAWN_LIMIT = 300.0   # drawn coordinates are kept within +-300 (int16 at two decimals)
HEADERS = {("x1", "x2", "label"): "classification", ("x1", "x2", "y"): "regression"}
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_NON_FINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)


class DataError(ValueError):
    """A file or drawn set refused, with the reason in plain words."""


class UserData(NamedTuple):
    points: np.ndarray   # (n, 2) float32
    labels: np.ndarray   # (n,) int32 classes or float32 targets
    problem: str         # "classification" or "regression"

    @property
    def classes(self) -> int:
        return int(self.labels.max()) + 1 if self.problem == "classification" else 0


# --- CSV --------------------------------------------------------------------------------------------------------------

def parse_csv(raw: bytes) -> UserData:
    """A CSV file's bytes as UserData, or DataError with the reason (see the module docstring)."""
    _check_size(raw)
    lines = [(i, line) for i, line in enumerate(_text(raw).split("\n"), 1) if line.strip()]
    if not lines:
        raise DataError("the file is empty: no line holds any data")
    _check_delimiter(lines[0][1])
    header, problem = _header(lines[0][1])
    rows = lines[1:] if header else lines
    if len(rows) > MAX_ROWS:
        raise DataError(f"the file has {len(rows):,} rows of data, over the limit of {MAX_ROWS:,}")
    if len(rows) < MIN_ROWS:
        raise DataError(f"the file has {len(rows)} row{'s' * (len(rows) != 1)} of data; at least {MIN_ROWS} are "
                        "needed (some to train on, some to test)")
    table = np.array([_row(number, line, header) for number, line in rows], np.float64)
    problem = problem or ("classification" if _whole_numbers(table[:, 2]) else "regression")
    if problem == "classification":
        return UserData(table[:, :2].astype(np.float32), _classes(table[:, 2], rows), problem)
    return UserData(table[:, :2].astype(np.float32), table[:, 2].astype(np.float32), problem)


def _check_size(raw: bytes):
    if len(raw) > MAX_BYTES:
        raise DataError(f"the file is {len(raw):,} bytes, over the limit of {MAX_BYTES:,} (1 MB)")
    if not raw.strip():
        raise DataError("the file is empty: no line holds any data")


def _text(raw: bytes) -> str:
    """UTF-8 text without a byte-order mark and with "\\n" line ends; binary files refused."""
    if b"\x00" in raw:
        raise DataError("the file is not text (it holds zero bytes): upload a CSV file saved as text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(f"the file is not UTF-8 text (byte {err.start + 1} cannot be read): upload a CSV file saved "
                        "as text") from None
    if any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text):
        raise DataError("the file is not text (it holds control characters): upload a CSV file saved as text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_delimiter(first: str):
    if "," not in first:
        for mark, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if mark in first:
                raise DataError(f"line 1 separates its columns with {name}; columns must be separated by commas")


def _header(first: str) -> tuple[bool, str | None]:
    """(whether line 1 is a header, the problem it names). A line 1 with a letter in it must be one of HEADERS."""
    cells = tuple(c.strip().lower() for c in first.split(","))
    if cells in HEADERS:
        return True, HEADERS[cells]
    if all(_NUMBER.fullmatch(c) or _NON_FINITE.fullmatch(c) for c in cells):
        return False, None
    raise DataError(f"line 1 is neither numbers nor the header x1,x2,label (classes) or x1,x2,y (values): "
                    f"{_quote(first)}")


def _row(number: int, line: str, header: bool) -> list[float]:
    cells = [c.strip() for c in line.split(",")]
    if header and tuple(c.lower() for c in cells) in HEADERS:
        raise DataError(f"line {number} repeats the header inside the data")
    if len(cells) != 3:
        what = "missing" if len(cells) < 3 else "extra"
        raise DataError(f"line {number} has {len(cells)} column{'s' * (len(cells) != 1)}, expected 3 "
                        f"(x1,x2,label or x1,x2,y): {what} columns")
    return [_number(number, k, cell) for k, cell in enumerate(cells, 1)]


def _number(line: int, column: int, cell: str) -> float:
    if _NON_FINITE.fullmatch(cell):
        raise DataError(f"line {line}, column {column}: {_quote(cell)} is not a finite number")
    if not _NUMBER.fullmatch(cell):
        raise DataError(f"line {line}, column {column}: {_quote(cell)} is not a number")
    value = float(cell)
    if not np.isfinite(value):  # e.g. 1e999
        raise DataError(f"line {line}, column {column}: {_quote(cell)} is not a finite number")
    return value


def _whole_numbers(values: np.ndarray) -> bool:
    return bool(np.all(values == np.round(values)) and values.min() >= 0 and values.max() < MAX_CLASSES)


def _classes(values: np.ndarray, rows: list) -> np.ndarray:
    """Labels 0..k-1 with 2 <= k <= MAX_CLASSES, every class present."""
    for (number, _), value in zip(rows, values):
        if value != round(value):
            raise DataError(f"line {number}: the label {value:g} is not a whole number (classes are 0, 1, 2, ...)")
        if value < 0:
            raise DataError(f"line {number}: the label {value:g} is negative (classes are numbered from 0)")
    found = sorted({int(v) for v in values})
    if len(found) == 1:
        raise DataError(f"every row has the label {found[0]}: a classification needs at least two classes")
    if found[-1] >= MAX_CLASSES:
        raise DataError(f"the labels go up to {found[-1]}; at most {MAX_CLASSES} classes, labelled 0 to "
                        f"{MAX_CLASSES - 1}")
    missing = sorted(set(range(found[-1] + 1)) - set(found))
    if missing:
        raise DataError(f"no row has the label {', '.join(map(str, missing))}: classes must be 0 to {found[-1]} "
                        "with none left out")
    return values.astype(np.int32)


def _quote(text: str, limit: int = 40) -> str:
    """A value from the file, quoted and cut short: shown as text, never as markup."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


# --- drawn points -----------------------------------------------------------------------------------------------------

def encode_drawn(points, labels, problem: str) -> str:
    """Drawn points as the link's compact text ("" for none); see the module docstring."""
    points, labels = np.asarray(points, np.float64).reshape(-1, 2), np.asarray(labels, np.float64)
    if len(labels) == 0:
        return ""
    if len(labels) > MAX_DRAWN:
        raise DataError(f"{len(labels)} drawn points, over the limit of {MAX_DRAWN}")
    scale = 1 if problem == "classification" else VALUE_SCALE
    coords = np.clip(np.round(points * DRAWN_SCALE), -DRAWN_LIMIT * DRAWN_SCALE, DRAWN_LIMIT * DRAWN_SCALE)
    third = np.clip(np.round(labels * scale), -32767, 32767)
    packed = np.column_stack([coords, third]).astype("<i2").tobytes()
    kind = b"c" if problem == "classification" else b"r"
    return base64.urlsafe_b64encode(kind + packed).decode().rstrip("=")


def decode_drawn(text: str) -> UserData:
    """The link's `drawn` text back as UserData; DataError if it is not one we wrote."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise DataError("not a drawn set written by this app (not base64url)") from None
    if not raw or raw[:1] not in (b"c", b"r") or (len(raw) - 1) % 6:
        raise DataError("not a drawn set written by this app")
    values = np.frombuffer(raw[1:], "<i2").reshape(-1, 3).astype(np.float64)
    if len(values) > MAX_DRAWN:
        raise DataError(f"{len(values)} drawn points, over the limit of {MAX_DRAWN}")
    points = (values[:, :2] / DRAWN_SCALE).astype(np.float32)
    if raw[:1] == b"r":
        return UserData(points, (values[:, 2] / VALUE_SCALE).astype(np.float32), "regression")
    if len(values) and (values[:, 2].min() < 0 or values[:, 2].max() >= MAX_CLASSES):
        raise DataError(f"a drawn point's class is outside 0 to {MAX_CLASSES - 1}")
    return UserData(points, values[:, 2].astype(np.int32), "classification")


def edit_drawn(text: str, problem: str, add=(), label: float = 0, erase=(), radius: float = 0.0) -> tuple[str, int]:
    """The drawn set `text` with the points within `radius` of an `erase` point removed and the `add` points (of class
    or value `label`) appended, as (text, how many added points did not fit under MAX_DRAWN). A set drawn for the
    other problem is started afresh."""
    old = decode_drawn(text) if text else None
    points = old.points if old is not None and old.problem == problem else np.zeros((0, 2), np.float32)
    labels = old.labels if old is not None and old.problem == problem else np.zeros(0)
    erase = np.asarray(erase, np.float64).reshape(-1, 2)
    if len(erase) and len(points):
        near = np.linalg.norm(points[:, None, :] - erase[None, :, :], axis=2).min(1) <= radius
        points, labels = points[~near], labels[~near]
    add = np.asarray(add, np.float64).reshape(-1, 2)
    room = max(0, MAX_DRAWN - len(labels))
    kept = add[:room]
    points = np.concatenate([points, kept])
    labels = np.concatenate([labels, np.full(len(kept), label, np.float64)])
    return encode_drawn(points, labels, problem), len(add) - len(kept)


def max_drawn_chars() -> int:
    """Length of the longest `drawn` text: the kind byte and MAX_DRAWN points, in base64 without padding."""
    return -(-(1 + 6 * MAX_DRAWN) * 4 // 3)


def data_extent(points: np.ndarray, floor: float = 0.0) -> float:
    """Half the side of the square plane [-e, e]^2 that holds every point with a 5 % margin (at least `floor`),
    rounded up to two significant digits so that the axes read well."""
    reach = float(np.abs(points).max()) * 1.05 if len(points) else 0.0
    reach = max(reach, floor, 1e-3)
    digits = 10 ** (np.floor(np.log10(reach)) - 1)
    return float(np.ceil(reach / digits) * digits)


# --- the config that goes with one's own data -------------------------------------------------------------------------

def config_for_upload(config, upload: UserData):
    """`config` switched to a file's points: source "file", a data set name of the file's problem (which the config
    derives the problem from), its number of classes. Drawn points that no longer fit are dropped."""
    from .config import CLASSIFICATION_DATASETS, REGRESSION_DATASETS, ConfigError
    names = CLASSIFICATION_DATASETS if upload.problem == "classification" else REGRESSION_DATASETS
    changes = {"source": "file", "classes": max(upload.classes, 2),
               "dataset": config.dataset if config.dataset in names else names[0]}
    if upload.classes > 2 and config.output == "tanh_mse":
        changes["output"] = "default"
    try:
        return config.replace(**changes)
    except ConfigError:
        return config.replace(**changes, drawn="")
